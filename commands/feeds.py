"""Recording served For You pages: appended per viewer and day with no concurrency check."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from commands import streams
from commands.context import Outcome, Ports, Request
from commands.handling import store_errors
from domain.errors import Conflict
from domain.feeds import RecordFeedServed, decide_record_feed_served
from eventstore.envelope import StreamState
from eventstore.errors import SubjectErased
from eventstore.ids import id_from_key

Clock = Callable[[], datetime]


def record_feed_served(
    cmd: RecordFeedServed, *, ports: Ports, request: Request, clock: Clock = lambda: datetime.now(UTC)
) -> Outcome:
    """The event id comes from the page id, so a page recorded twice (a retried request) is one event."""
    events = decide_record_feed_served(cmd)
    if not events:
        return Outcome(position=ports.store.head_position())
    ids = [id_from_key("feed", e.viewer_id, e.page_id) for e in events]
    try:
        encoded = ports.codec.encode_all(events, request.metadata(), event_ids=ids)
    except SubjectErased as exc:
        raise Conflict("this account was erased; it can no longer act") from exc
    with store_errors():
        result = ports.store.append(
            streams.feeds(cmd.actor.user_id, clock().strftime("%Y%m%d")), encoded, StreamState.ANY
        )
    return Outcome(position=result.position, appended=len(encoded))
