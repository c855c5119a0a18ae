"""Moderators' actions on videos and comments: decided on the content's own stream, then told to
the person who posted it on their standing stream (``ContentModerated``), under one action id.

Two appends on two streams, content first: the notice is what the person can appeal, so it is only
written once the action landed. A retry with the same ``Idempotency-Key`` stores nothing twice.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import TypeVar

from commands import streams
from commands.aggregates import COMMENT, VIDEO
from commands.context import Outcome, Ports, Request
from commands.handling import Aggregate, execute, load
from commands.standing import notice_content_action, subject
from domain import videos
from domain.engagement import comments
from domain.errors import NotFound
from domain.events import DomainEvent
from domain.moderation import content
from domain.moderation.rules import ActionKind, Subject
from domain.moderation.sanctions import NoticeContentAction

S = TypeVar("S")


@dataclasses.dataclass(frozen=True, slots=True)
class Target:
    """What an action is on, and who posted it."""

    kind: str  # a TargetKind
    target_id: str
    owner_id: str


def video_target(ports: Ports, video_id: str) -> Target:
    state = load(ports, streams.video(video_id), VIDEO).state
    if not state.exists or state.deleted:
        raise NotFound("video not found")
    return Target("video", video_id, state.owner_id)


def comment_target(ports: Ports, comment_id: str) -> Target:
    """A comment screening held is a target too: its case is before the moderators."""
    state = load(ports, streams.comment(comment_id), COMMENT).state
    if not (state.posted or state.held) or state.deleted:
        raise NotFound("comment not found")
    return Target("comment", comment_id, state.author_id)


def remove_video(cmd: content.RemoveVideo, *, action_id: str, ports: Ports, request: Request) -> Outcome:
    return _on_video(
        ports,
        request,
        cmd.video_id,
        action_id,
        ActionKind.REMOVE_VIDEO,
        cmd.reason,
        (),
        lambda s, who: content.decide_remove_video(s, cmd, subject=who),
    )


def restore_video(cmd: content.RestoreVideo, *, action_id: str, ports: Ports, request: Request) -> Outcome:
    return _on_video(
        ports,
        request,
        cmd.video_id,
        action_id,
        ActionKind.RESTORE_VIDEO,
        cmd.reason,
        (),
        lambda s, who: content.decide_restore_video(s, cmd, subject=who),
    )


def label_video(cmd: content.LabelVideo, *, action_id: str, ports: Ports, request: Request) -> Outcome:
    """Only labels the video does not carry yet are put on, and told; none new records nothing."""
    return _on_video(
        ports,
        request,
        cmd.video_id,
        action_id,
        ActionKind.LABEL_VIDEO,
        cmd.reason,
        cmd.labels,
        lambda s, who: content.decide_label_video(s, cmd, subject=who),
    )


def unlabel_video(cmd: content.UnlabelVideo, *, action_id: str, ports: Ports, request: Request) -> Outcome:
    return _on_video(
        ports,
        request,
        cmd.video_id,
        action_id,
        ActionKind.UNLABEL_VIDEO,
        cmd.reason,
        cmd.labels,
        lambda s, who: content.decide_unlabel_video(s, cmd, subject=who),
    )


def remove_comment(cmd: content.RemoveComment, *, action_id: str, ports: Ports, request: Request) -> Outcome:
    return _on_comment(
        ports,
        request,
        cmd.comment_id,
        action_id,
        ActionKind.REMOVE_COMMENT,
        cmd.reason,
        lambda s, who: content.decide_remove_comment(s, cmd, subject=who),
    )


def restore_comment(
    cmd: content.RestoreComment, *, action_id: str, ports: Ports, request: Request
) -> Outcome:
    return _on_comment(
        ports,
        request,
        cmd.comment_id,
        action_id,
        ActionKind.RESTORE_COMMENT,
        cmd.reason,
        lambda s, who: content.decide_restore_comment(s, cmd, subject=who),
    )


def _on_video(
    ports: Ports,
    request: Request,
    video_id: str,
    action_id: str,
    action: ActionKind,
    reason: str,
    labels: Sequence[str],
    decide: Callable[[videos.State, Subject], Sequence[videos.Event]],
) -> Outcome:
    target = video_target(ports, video_id)
    decided: list[DomainEvent] = []
    outcome = _act(ports, request, streams.video(video_id), VIDEO, target, decide, decided)
    told = [str(label) for e in decided for label in getattr(e, "labels", ())] or list(labels)
    return _told(ports, request, target, action_id, action, reason, told, outcome, decided)


def _on_comment(
    ports: Ports,
    request: Request,
    comment_id: str,
    action_id: str,
    action: ActionKind,
    reason: str,
    decide: Callable[[comments.State, Subject], Sequence[comments.Event]],
) -> Outcome:
    target = comment_target(ports, comment_id)
    decided: list[DomainEvent] = []
    outcome = _act(ports, request, streams.comment(comment_id), COMMENT, target, decide, decided)
    return _told(ports, request, target, action_id, action, reason, (), outcome, decided)


def _act(
    ports: Ports,
    request: Request,
    stream: str,
    aggregate: Aggregate[S],
    target: Target,
    decide: Callable[[S, Subject], Sequence[DomainEvent]],
    decided: list[DomainEvent],
) -> Outcome:
    """Decides on the content's stream; ``decided`` keeps what the last attempt appended."""
    who = subject(ports, target.owner_id)

    def once(state: S) -> Sequence[DomainEvent]:
        events = decide(state, who)
        decided[:] = events
        return events

    return execute(ports, request, stream, aggregate, once)


def _told(
    ports: Ports,
    request: Request,
    target: Target,
    action_id: str,
    action: ActionKind,
    reason: str,
    labels: Sequence[str],
    outcome: Outcome,
    decided: list[DomainEvent],
) -> Outcome:
    """The notice, when the action changed anything."""
    if not decided:
        return outcome
    notice = NoticeContentAction(
        request.actor, target.owner_id, action_id, action, target.kind, target.target_id, reason, labels
    )
    told = notice_content_action(notice, ports=ports, request=request)
    return Outcome(position=max(outcome.position, told.position), appended=outcome.appended + told.appended)
