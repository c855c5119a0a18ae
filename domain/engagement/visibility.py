"""Who may engage with a video: the one rule every engagement decider applies first.

Invisibility and blocks read as absence ("video not found", or for a comment under the video
"comment not found"), so a viewer learns nothing about a video they may not see, nor that its owner
blocked them. Only the owner learns why their own unpublished or hidden video takes no engagement,
and a deleted video says so to everyone who could see it.
"""

from __future__ import annotations

from domain.access import VideoAccess, visible_to_audience
from domain.actors import Actor
from domain.errors import Conflict, InvalidCommand, NotFound


def can_see(video: VideoAccess, viewer_id: str, *, follows_owner: bool) -> bool:
    """Per-viewer visibility: the owner sees all, followers see followers-only, everyone sees public."""
    return visible_to_audience(
        video.visibility, is_owner=viewer_id == video.owner_id, follows_owner=follows_owner
    )


def ensure_can_engage(
    video: VideoAccess,
    actor: Actor,
    video_id: str,
    *,
    follows_owner: bool,
    blocked: bool,
    unseen: str = "video not found",
) -> None:
    """Refuse engagement with a video that is not watchable or not visible to the actor.

    ``blocked``: the video's owner blocked the actor. ``unseen``: what a video the actor may not see
    reads as, the words a missing target gets; for something under the video (a comment), that
    thing not found, so the answer does not even say there is a video. A ``video`` for another id
    than the command's is a wiring bug in the caller, not the person's fault, so it raises
    ``ValueError``.
    """
    if video.video_id != video_id:
        raise ValueError(f"access for video {video.video_id!r} given for video {video_id!r}")
    if blocked or not video.exists or not can_see(video, actor.user_id, follows_owner=follows_owner):
        raise NotFound(unseen)
    if video.watchable:
        return
    if video.deleted:
        raise Conflict("the video was deleted")
    if actor.user_id != video.owner_id:
        raise NotFound(unseen)
    raise Conflict("the video is hidden by moderation" if video.published else "the video is not published")


def require_id(value: str, field: str) -> str:
    """Ids come from the caller; an empty one would name no stream."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidCommand(f"{field} is required")
    return value
