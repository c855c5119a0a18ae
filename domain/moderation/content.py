"""Deciders for moderators' actions on content, on the content's own stream: remove or restore a
video (hidden from all but its owner and moderators, ``VideoHidden``), remove or restore a comment
(gone from threads), label or unlabel a video.

Each first checks who may act against the ``Subject`` who posted it (``rules.ensure_may_act``);
the caller then tells that person on their standing stream (``sanctions.decide_notice_content_action``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from domain import videos
from domain.actors import Actor
from domain.engagement import comments
from domain.errors import Conflict, InvalidCommand, NotFound
from domain.moderation.rules import Subject, ensure_may_act, valid_reason
from domain.screening import Label
from domain.videos.state import ensure_open


@dataclasses.dataclass(frozen=True, slots=True)
class RemoveVideo:
    actor: Actor
    video_id: str
    reason: str


@dataclasses.dataclass(frozen=True, slots=True)
class RestoreVideo:
    actor: Actor
    video_id: str
    reason: str


@dataclasses.dataclass(frozen=True, slots=True)
class LabelVideo:
    actor: Actor
    video_id: str
    labels: Sequence[Label]
    reason: str


@dataclasses.dataclass(frozen=True, slots=True)
class UnlabelVideo:
    actor: Actor
    video_id: str
    labels: Sequence[Label]
    reason: str


@dataclasses.dataclass(frozen=True, slots=True)
class RemoveComment:
    actor: Actor
    comment_id: str
    reason: str


@dataclasses.dataclass(frozen=True, slots=True)
class RestoreComment:
    actor: Actor
    comment_id: str
    reason: str


# -- videos ----------------------------------------------------------------------------------------


def decide_remove_video(state: videos.State, cmd: RemoveVideo, *, subject: Subject) -> list[videos.Event]:
    _ensure_video(state, cmd.actor, cmd.video_id, subject)
    if state.hidden:
        raise Conflict("the video is already removed")
    return videos.decide_hide_video(state, videos.HideVideo(cmd.actor, cmd.video_id, cmd.reason))


def decide_restore_video(state: videos.State, cmd: RestoreVideo, *, subject: Subject) -> list[videos.Event]:
    _ensure_video(state, cmd.actor, cmd.video_id, subject)
    if not state.hidden:
        raise Conflict("the video is not removed")
    return videos.decide_restore_video(state, videos.RestoreVideo(cmd.actor, cmd.video_id, cmd.reason))


def decide_label_video(state: videos.State, cmd: LabelVideo, *, subject: Subject) -> list[videos.Event]:
    """Labels the video does not carry yet are put on; none new records nothing."""
    _ensure_video(state, cmd.actor, cmd.video_id, subject)
    added = sorted(_labels(cmd.labels) - videos.shown_labels(state))
    reason = valid_reason(cmd.reason)
    if not added:
        return []
    return [videos.VideoLabelled(state.video_id, state.owner_id, added, cmd.actor.user_id, reason)]


def decide_unlabel_video(state: videos.State, cmd: UnlabelVideo, *, subject: Subject) -> list[videos.Event]:
    """Labels the video carries are taken off, screening's included; none of them records nothing."""
    _ensure_video(state, cmd.actor, cmd.video_id, subject)
    taken = sorted(_labels(cmd.labels) & videos.shown_labels(state))
    reason = valid_reason(cmd.reason)
    if not taken:
        return []
    return [videos.VideoUnlabelled(state.video_id, state.owner_id, taken, cmd.actor.user_id, reason)]


def _ensure_video(state: videos.State, actor: Actor, video_id: str, subject: Subject) -> None:
    if state.exists and state.owner_id != subject.user_id:
        raise ValueError(f"subject {subject.user_id!r} given for a video of {state.owner_id!r}")
    ensure_may_act(actor, subject)
    ensure_open(state, video_id)


def _labels(given: Sequence[Label]) -> frozenset[str]:
    if not given:
        raise InvalidCommand("name at least one label")
    try:
        return frozenset(Label(label).value for label in given)
    except ValueError:
        raise InvalidCommand(f"labels are {', '.join(label.value for label in Label)}") from None


# -- comments --------------------------------------------------------------------------------------


def decide_remove_comment(
    state: comments.State, cmd: RemoveComment, *, subject: Subject
) -> list[comments.Event]:
    _ensure_comment(state, cmd.actor, subject)
    if state.removed:
        raise Conflict("the comment is already removed")
    return [
        comments.CommentRemoved(
            comment_id=state.comment_id,
            video_id=state.video_id,
            author_id=state.author_id,
            moderator_id=cmd.actor.user_id,
            reason=valid_reason(cmd.reason),
            parent_id=state.parent_id,
        )
    ]


def decide_restore_comment(
    state: comments.State, cmd: RestoreComment, *, subject: Subject
) -> list[comments.Event]:
    _ensure_comment(state, cmd.actor, subject)
    if not state.removed:
        raise Conflict("the comment is not removed")
    return [
        comments.CommentRestored(
            comment_id=state.comment_id,
            video_id=state.video_id,
            author_id=state.author_id,
            moderator_id=cmd.actor.user_id,
            reason=valid_reason(cmd.reason),
            parent_id=state.parent_id,
        )
    ]


def _ensure_comment(state: comments.State, actor: Actor, subject: Subject) -> None:
    if not state.posted:
        raise NotFound("comment not found")
    if state.author_id != subject.user_id:
        raise ValueError(f"subject {subject.user_id!r} given for a comment of {state.author_id!r}")
    ensure_may_act(actor, subject)
    if state.deleted:
        raise Conflict("the comment was deleted")
