"""A video like: one stream per user and video (``like-<user>-<video>``), so a like is decided
without touching the video's stream and two likes by one person cannot both land.

A like is refused on a video the actor may not engage with (see ``visibility``); an unlike is always
accepted, so a person can take back a like even after the video became private, hidden or deleted.
"""

from __future__ import annotations

import dataclasses

from domain.access import VideoAccess
from domain.actors import Actor
from domain.engagement.visibility import ensure_can_engage, require_id
from domain.events import DomainEvent, event


@event("VideoLiked")
@dataclasses.dataclass(frozen=True, slots=True)
class VideoLiked(DomainEvent):
    user_id: str
    video_id: str


@event("VideoUnliked")
@dataclasses.dataclass(frozen=True, slots=True)
class VideoUnliked(DomainEvent):
    user_id: str
    video_id: str


Event = VideoLiked | VideoUnliked


@dataclasses.dataclass(frozen=True, slots=True)
class LikeVideo:
    actor: Actor
    video_id: str


@dataclasses.dataclass(frozen=True, slots=True)
class UnlikeVideo:
    actor: Actor
    video_id: str


@dataclasses.dataclass(frozen=True, slots=True)
class State:
    liked: bool = False


initial = State()


def evolve(state: State, event: Event) -> State:
    match event:
        case VideoLiked():
            return State(liked=True)
        case VideoUnliked():
            return State(liked=False)


def decide_like_video(
    state: State, cmd: LikeVideo, *, video: VideoAccess, follows_owner: bool, blocked: bool
) -> list[Event]:
    """Like once: a second like records nothing, so totals count people, not taps."""
    require_id(cmd.video_id, "video_id")
    ensure_can_engage(video, cmd.actor, cmd.video_id, follows_owner=follows_owner, blocked=blocked)
    if state.liked:
        return []
    return [VideoLiked(user_id=cmd.actor.user_id, video_id=cmd.video_id)]


def decide_unlike_video(state: State, cmd: UnlikeVideo) -> list[Event]:
    """Unliking what is not liked records nothing; no access check, taking back is always allowed."""
    require_id(cmd.video_id, "video_id")
    if not state.liked:
        return []
    return [VideoUnliked(user_id=cmd.actor.user_id, video_id=cmd.video_id)]
