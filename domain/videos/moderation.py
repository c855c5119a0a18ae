"""Deciders for moderators: hide a video from everyone but its owner, or restore it, with a reason.

Hiding is an overlay on the video's own life: the owner may still unpublish, publish or delete it,
and it stays hidden until a moderator restores it.
"""

from __future__ import annotations

from domain.actors import Actor
from domain.errors import Conflict, NotAllowed
from domain.videos.commands import HideVideo, RestoreVideo
from domain.videos.events import Event, VideoHidden, VideoRestored
from domain.videos.rules import valid_reason
from domain.videos.state import State, ensure_open


def decide_hide_video(state: State, cmd: HideVideo) -> list[Event]:
    _ensure_moderator(state, cmd.actor, cmd.video_id)
    if state.hidden:
        raise Conflict("the video is already hidden")
    return [
        VideoHidden(
            video_id=state.video_id,
            owner_id=state.owner_id,
            moderator_id=cmd.actor.user_id,
            reason=valid_reason(cmd.reason),
        )
    ]


def decide_restore_video(state: State, cmd: RestoreVideo) -> list[Event]:
    _ensure_moderator(state, cmd.actor, cmd.video_id)
    if not state.hidden:
        raise Conflict("the video is not hidden")
    return [
        VideoRestored(
            video_id=state.video_id,
            owner_id=state.owner_id,
            moderator_id=cmd.actor.user_id,
            reason=valid_reason(cmd.reason),
        )
    ]


def _ensure_moderator(state: State, actor: Actor, video_id: str) -> None:
    ensure_open(state, video_id)
    if not actor.moderates:
        raise NotAllowed("only a moderator can hide or restore a video")
