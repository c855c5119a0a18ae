"""Deciders for publishing later: the owner schedules, moves or calls off a publication, and the
publish schedule (``PUBLISH_SCHEDULER``) publishes it once its time has come.

A scheduled video is unpublished until then, so every read model and the access policy treat it as
they treat any unpublished video: its owner sees it, nobody else. The publication itself is the
ordinary ``VideoPublished``, recorded when it is due, with the details fixed when it was scheduled,
and checked then as any publication is (screening, the owner's standing, watched words): what
would be refused at that moment is recorded as ``ScheduledPublishingFailed`` instead, so the owner
learns why and the schedule does not try again.

The process manager runs at least once per schedule; the decider makes the effect exactly once: a
schedule that was published, moved, called off or failed is no longer the one asked for, and the
request records nothing.
"""

from __future__ import annotations

from datetime import datetime

from domain.actors import Actor
from domain.errors import Conflict, DomainError, NotAllowed
from domain.screening import WatchedWords
from domain.videos.commands import CancelScheduledPublish, PublishVideo, PublishWhenDue, SchedulePublish
from domain.videos.events import (
    Event,
    PublishScheduleCancelled,
    PublishScheduled,
    ScheduledPublishingFailed,
    VideoPublished,
)
from domain.videos.owner import NO_WORDS, details_of
from domain.videos.rules import PUBLISH_SCHEDULER, moment, valid_publish_at
from domain.videos.screening import ensure_publishable
from domain.videos.state import Schedule, Stage, State, ensure_owner, ensure_stage


def decide_schedule_publish(
    state: State, cmd: SchedulePublish, *, now: datetime, words: WatchedWords = NO_WORDS
) -> list[Event]:
    """What publishing now would accept (the owner, a processed upload screening let through, an
    unpublished video, clean details), for a time at least a minute and at most 90 days ahead.
    Scheduling again moves or changes it; the same schedule again records nothing."""
    ensure_owner(state, cmd.actor, cmd.video_id)
    ensure_stage(state, Stage.PROCESSED, to="schedule publishing")
    if state.published:
        raise Conflict("the video is already published")
    ensure_publishable(state)
    publish_at = valid_publish_at(cmd.publish_at, now)
    details = details_of(VideoPublished, state, cmd, words)
    scheduled = PublishScheduled(
        video_id=state.video_id,
        owner_id=state.owner_id,
        publish_at=moment(publish_at),
        caption=details.caption,
        hashtags=details.hashtags,
        visibility=details.visibility,
        comments_allowed=details.comments_allowed,
    )
    return [] if _same(state.schedule, scheduled, publish_at) else [scheduled]


def decide_cancel_scheduled_publish(state: State, cmd: CancelScheduledPublish) -> list[Event]:
    """Calling off what is not scheduled records nothing; a published video is unpublished instead."""
    ensure_owner(state, cmd.actor, cmd.video_id)
    if state.schedule is None:
        if state.published:
            raise Conflict("the video is published; unpublish it instead")
        return []
    at = moment(state.schedule.publish_at)
    return [PublishScheduleCancelled(video_id=state.video_id, owner_id=state.owner_id, publish_at=at)]


def decide_publish_when_due(
    state: State,
    cmd: PublishWhenDue,
    *,
    now: datetime,
    words: WatchedWords = NO_WORDS,
    barred: str | None = None,
) -> list[Event]:
    """Publishes the schedule set for ``cmd.publish_at`` once ``now`` has reached it. ``barred`` says
    why the owner may not publish at all now (a suspension, a restriction, an erased account), as
    the caller found it. Anything else records nothing: a deleted video, a schedule moved, called
    off, published or failed already, a time not come yet."""
    if cmd.actor != PUBLISH_SCHEDULER:
        raise NotAllowed("only the publish schedule publishes a scheduled video")
    schedule = state.schedule
    if not state.exists or state.deleted or schedule is None or schedule.publish_at != cmd.publish_at:
        return []
    if now < schedule.publish_at:
        return []
    try:
        if barred is not None:
            raise NotAllowed(barred)
        return [_publication(state, schedule, words)]
    except DomainError as refused:
        return [
            ScheduledPublishingFailed(
                video_id=state.video_id,
                owner_id=state.owner_id,
                publish_at=moment(schedule.publish_at),
                reason=str(refused),
            )
        ]


def _publication(state: State, schedule: Schedule, words: WatchedWords) -> VideoPublished:
    """The details as scheduled, checked now as any publication is."""
    ensure_stage(state, Stage.PROCESSED, to="publish")
    ensure_publishable(state)
    if schedule.caption is None:
        raise Conflict("the owner's details were erased")
    as_owner = PublishVideo(
        actor=Actor(state.owner_id),
        video_id=state.video_id,
        caption=schedule.caption,
        hashtags=list(schedule.hashtags),
        visibility=schedule.visibility,
        comments_allowed=schedule.comments_allowed,
    )
    return details_of(VideoPublished, state, as_owner, words)


def _same(schedule: Schedule | None, scheduled: PublishScheduled, publish_at: datetime) -> bool:
    return schedule is not None and (
        schedule.publish_at,
        schedule.caption,
        list(schedule.hashtags),
        schedule.visibility.value,
        schedule.comments_allowed,
    ) == (publish_at, scheduled.caption, scheduled.hashtags, scheduled.visibility, scheduled.comments_allowed)
