"""Publishing later (``domain.videos.scheduling``): the owner schedules and calls off; the publish
schedule's process manager publishes when due (``projections/publish_schedule.py``).

Time comes from ``clock``, so tests move it instead of waiting.
"""

from __future__ import annotations

from datetime import datetime

from commands import friction, streams
from commands.aggregates import VIDEO
from commands.context import Outcome, Ports, Request
from commands.handling import execute, load
from commands.media_keeping import owner_erased
from commands.standing import ensure_allowed, standing_of
from domain import videos
from domain.errors import DomainError
from domain.moderation import standing
from domain.moderation.rules import Capability


def schedule_publish(
    cmd: videos.SchedulePublish, *, ports: Ports, request: Request, clock: friction.Clock = friction.now
) -> Outcome:
    """As publishing checks the owner (no restriction on uploads now) and the details (no watched
    word), and then again when the time comes."""
    ensure_allowed(ports, cmd.actor, Capability.UPLOAD, clock=clock)
    words, now = ports.screening.current().words, clock()
    return execute(
        ports,
        request,
        streams.video(cmd.video_id),
        VIDEO,
        lambda state: videos.decide_schedule_publish(state, cmd, now=now, words=words),
    )


def cancel_scheduled_publish(
    cmd: videos.CancelScheduledPublish, *, ports: Ports, request: Request
) -> Outcome:
    return execute(
        ports,
        request,
        streams.video(cmd.video_id),
        VIDEO,
        lambda state: videos.decide_cancel_scheduled_publish(state, cmd),
    )


def publish_when_due(
    cmd: videos.PublishWhenDue, *, ports: Ports, request: Request, clock: friction.Clock = friction.now
) -> Outcome:
    """Publishes the schedule once ``clock`` has reached it, or records why it could not be; asking
    again, or about a schedule since moved or called off, records nothing."""
    now = clock()
    owner_id = load(ports, streams.video(cmd.video_id), VIDEO).state.owner_id
    barred = _barred(ports, owner_id, now) if owner_id else None
    words = ports.screening.current().words
    return execute(
        ports,
        request,
        streams.video(cmd.video_id),
        VIDEO,
        lambda state: videos.decide_publish_when_due(state, cmd, now=now, words=words, barred=barred),
    )


def _barred(ports: Ports, owner_id: str, now: datetime) -> str | None:
    """Why the owner may not publish at all now, read from their own streams."""
    if owner_erased(ports, owner_id):
        return "the owner's account was erased"
    try:
        standing.ensure_may(standing_of(ports, owner_id), Capability.UPLOAD, now)
    except DomainError as refused:
        return str(refused)
    return None
