"""Deciders for what only a video's owner does: publish, edit, unpublish, delete, pin a comment."""

from __future__ import annotations

from typing import TypeVar

from domain.access import Visibility
from domain.errors import Conflict
from domain.videos.commands import (
    DeleteVideo,
    EditVideo,
    PinComment,
    PublishVideo,
    UnpinComment,
    UnpublishVideo,
)
from domain.videos.events import (
    CommentPinned,
    CommentUnpinned,
    Event,
    VideoDeleted,
    VideoEdited,
    VideoPublished,
    VideoUnpublished,
)
from domain.videos.rules import require_id, valid_caption, valid_hashtags
from domain.videos.state import Stage, State, ensure_owner, ensure_stage

#: The two events that carry a video's published details.
Details = TypeVar("Details", VideoPublished, VideoEdited)


def decide_publish_video(state: State, cmd: PublishVideo) -> list[Event]:
    """Publish once processing has succeeded; a published video is edited, not published again."""
    ensure_owner(state, cmd.actor, cmd.video_id)
    ensure_stage(state, Stage.PROCESSED, to="publish")
    if state.published:
        raise Conflict("the video is already published; edit it instead")
    return [_details(VideoPublished, state, cmd)]


def decide_edit_video(state: State, cmd: EditVideo) -> list[Event]:
    """Edit what a published video shows; the same details again record nothing."""
    ensure_owner(state, cmd.actor, cmd.video_id)
    if not state.published:
        raise Conflict("only a published video can be edited")
    edited = _details(VideoEdited, state, cmd)
    current = (state.caption, list(state.hashtags), state.visibility, state.comments_allowed)
    if current == (edited.caption, edited.hashtags, edited.visibility, edited.comments_allowed):
        return []
    return [edited]


def decide_unpublish_video(state: State, cmd: UnpublishVideo) -> list[Event]:
    ensure_owner(state, cmd.actor, cmd.video_id)
    if not state.published:
        raise Conflict("the video is not published")
    return [VideoUnpublished(video_id=state.video_id, owner_id=state.owner_id)]


def decide_delete_video(state: State, cmd: DeleteVideo) -> list[Event]:
    """Deleting is final: a deleted video accepts nothing more."""
    ensure_owner(state, cmd.actor, cmd.video_id)
    return [VideoDeleted(video_id=state.video_id, owner_id=state.owner_id)]


def decide_pin_comment(state: State, cmd: PinComment) -> list[Event]:
    """One comment is pinned at a time: pinning another unpins the one before."""
    ensure_owner(state, cmd.actor, cmd.video_id)
    comment_id = require_id(cmd.comment_id, "comment_id")
    if state.pinned_comment_id == comment_id:
        return []
    events: list[Event] = []
    if state.pinned_comment_id is not None:
        events.append(_unpinned(state, state.pinned_comment_id))
    events.append(CommentPinned(video_id=state.video_id, owner_id=state.owner_id, comment_id=comment_id))
    return events


def decide_unpin_comment(state: State, cmd: UnpinComment) -> list[Event]:
    """Unpinning a comment that is not pinned records nothing."""
    ensure_owner(state, cmd.actor, cmd.video_id)
    comment_id = require_id(cmd.comment_id, "comment_id")
    return [_unpinned(state, comment_id)] if state.pinned_comment_id == comment_id else []


def _unpinned(state: State, comment_id: str) -> CommentUnpinned:
    return CommentUnpinned(video_id=state.video_id, owner_id=state.owner_id, comment_id=comment_id)


def _details(kind: type[Details], state: State, cmd: PublishVideo | EditVideo) -> Details:
    caption = valid_caption(cmd.caption)
    return kind(
        video_id=state.video_id,
        owner_id=state.owner_id,
        caption=caption,
        hashtags=valid_hashtags(cmd.hashtags, caption),
        visibility=Visibility(cmd.visibility).value,
        comments_allowed=bool(cmd.comments_allowed),
    )
