"""Shares: every share is an event on the sharer's stream (``shares-<user>``).

Nothing is decided from earlier shares, so the append takes no concurrency check. The event id is
derived from the share id, which a request with an Idempotency-Key derives from the key: a retried
share is stored once.
"""

from __future__ import annotations

from commands import streams
from commands.context import Outcome, Ports, Request
from commands.engagement import audience
from commands.handling import store_errors
from domain.engagement import shares
from eventstore.envelope import StreamState
from eventstore.ids import id_from_key


def share_video(cmd: shares.ShareVideo, *, ports: Ports, request: Request) -> Outcome:
    """Share a video the actor may engage with, through one of the known channels."""
    seen = audience(ports, cmd.actor, cmd.video_id)
    events = shares.decide_share_video(
        cmd, video=seen.video, follows_owner=seen.follows_owner, blocked=seen.blocked
    )
    stream = streams.shares(cmd.actor.user_id)
    metadata = request.metadata()
    encoded = [
        ports.codec.encode(event, metadata, event_id=id_from_key(stream, event.share_id)) for event in events
    ]
    with store_errors():
        result = ports.store.append(stream, encoded, StreamState.ANY)
    return Outcome(position=result.position, appended=len(encoded))
