"""Watch signals: high volume, appended per viewer and day with no concurrency check."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from commands import streams
from commands.context import Outcome, Ports, Request
from commands.handling import store_errors
from domain.errors import Conflict
from domain.watching import Event, RecordWatchBatch, decide_record_watch_batch, dedupe_key
from eventstore.envelope import NewEvent, StreamState
from eventstore.errors import DuplicateEventId, SubjectErased
from eventstore.ids import id_from_key

Clock = Callable[[], datetime]


def record_watch_batch(
    cmd: RecordWatchBatch, *, ports: Ports, request: Request, clock: Clock = lambda: datetime.now(UTC)
) -> Outcome:
    """Each client signal gets an id derived from its client id, so a resent signal is stored once."""
    events = decide_record_watch_batch(cmd)
    stream = streams.activity(cmd.actor.user_id, clock().strftime("%Y%m%d"))
    encoded = _encode(ports, request, events)
    with store_errors():
        head = ports.store.head_position()
        try:
            result = ports.store.append(stream, encoded, StreamState.ANY)
        except DuplicateEventId:
            return _append_new_ones(ports, stream, encoded, head)
    # A resent batch is answered with its first position, which no new append can have.
    return Outcome(position=result.position, appended=len(encoded) if result.position > head else 0)


def _encode(ports: Ports, request: Request, events: Sequence[Event]) -> list[NewEvent]:
    """Sealed with the viewer's key, looked up once for the batch."""
    ids = [id_from_key(*dedupe_key(e)) for e in events]
    try:
        return ports.codec.encode_all(events, request.metadata(), event_ids=ids)
    except SubjectErased as exc:
        raise Conflict("this account was erased; it can no longer act") from exc


def _append_new_ones(ports: Ports, stream: str, encoded: Sequence[NewEvent], head: int) -> Outcome:
    """A resend mixed with new signals (or crossing midnight): store each signal not stored yet."""
    position, appended = head, 0
    for event in encoded:
        try:
            result = ports.store.append(stream, [event], StreamState.ANY)
        except DuplicateEventId:
            continue  # stored before, in another day's stream
        position = max(position, result.position)
        appended += result.position > head
    return Outcome(position=position, appended=appended)
