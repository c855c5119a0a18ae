"""A comment like: one stream per user and comment (``comment-like-<user>-<comment>``).

Liking follows the comment's video: whoever may not engage with the video may not like its
comments, and a deleted comment takes no likes. Unliking is always accepted, like a video unlike.
"""

from __future__ import annotations

import dataclasses

from domain.access import VideoAccess
from domain.actors import Actor
from domain.engagement import comments
from domain.engagement.visibility import require_id
from domain.events import DomainEvent, event


@event("CommentLiked")
@dataclasses.dataclass(frozen=True, slots=True)
class CommentLiked(DomainEvent):
    user_id: str
    comment_id: str


@event("CommentUnliked")
@dataclasses.dataclass(frozen=True, slots=True)
class CommentUnliked(DomainEvent):
    user_id: str
    comment_id: str


Event = CommentLiked | CommentUnliked


@dataclasses.dataclass(frozen=True, slots=True)
class LikeComment:
    actor: Actor
    comment_id: str


@dataclasses.dataclass(frozen=True, slots=True)
class UnlikeComment:
    actor: Actor
    comment_id: str


@dataclasses.dataclass(frozen=True, slots=True)
class State:
    liked: bool = False


initial = State()


def evolve(state: State, event: Event) -> State:
    match event:
        case CommentLiked():
            return State(liked=True)
        case CommentUnliked():
            return State(liked=False)


def decide_like_comment(
    state: State,
    cmd: LikeComment,
    *,
    comment: comments.State,
    video: VideoAccess,
    follows_owner: bool,
    blocked: bool,
) -> list[Event]:
    """Like a live comment once; ``video`` is the comment's video, ``blocked`` by its owner. One
    under a video the actor may not see is not found (``comments.ensure_can_engage_with``)."""
    require_id(cmd.comment_id, "comment_id")
    comments.ensure_can_engage_with(comment, cmd.actor, video, follows_owner=follows_owner, blocked=blocked)
    if comment.comment_id != cmd.comment_id:
        raise ValueError(f"state of comment {comment.comment_id!r} given for {cmd.comment_id!r}")
    if state.liked:
        return []
    return [CommentLiked(user_id=cmd.actor.user_id, comment_id=cmd.comment_id)]


def decide_unlike_comment(state: State, cmd: UnlikeComment) -> list[Event]:
    """Unliking what is not liked records nothing; no comment or video check, taking back is free."""
    require_id(cmd.comment_id, "comment_id")
    if not state.liked:
        return []
    return [CommentUnliked(user_id=cmd.actor.user_id, comment_id=cmd.comment_id)]
