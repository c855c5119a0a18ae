"""Deciders for what only a video's owner does: publish, edit, unpublish, delete, pin a comment."""

from __future__ import annotations

from typing import TypeVar

from domain.access import Visibility
from domain.actors import ERASER
from domain.errors import Conflict, NotAllowed
from domain.screening import WatchedWords, ensure_free_of_watched_words
from domain.videos.commands import (
    DeleteVideo,
    EditVideo,
    PinComment,
    PublishVideo,
    SchedulePublish,
    UnpinComment,
    UnpublishVideo,
)
from domain.videos.events import (
    CommentPinned,
    CommentUnpinned,
    DeletionReason,
    Event,
    VideoDeleted,
    VideoEdited,
    VideoPublished,
    VideoUnpublished,
)
from domain.videos.rules import require_id, valid_caption, valid_hashtags
from domain.videos.screening import ensure_publishable
from domain.videos.state import Stage, State, ensure_open, ensure_owner, ensure_stage

#: The two events that carry a video's published details.
Details = TypeVar("Details", VideoPublished, VideoEdited)
NO_WORDS = WatchedWords()


def decide_publish_video(state: State, cmd: PublishVideo, *, words: WatchedWords = NO_WORDS) -> list[Event]:
    """Publish once processing has succeeded and screening lets it (``ensure_publishable``); a
    published video is edited, not published again. A caption or hashtag holding one of ``words``
    is refused."""
    ensure_owner(state, cmd.actor, cmd.video_id)
    ensure_stage(state, Stage.PROCESSED, to="publish")
    if state.published:
        raise Conflict("the video is already published; edit it instead")
    ensure_publishable(state)
    return [details_of(VideoPublished, state, cmd, words)]


def decide_edit_video(state: State, cmd: EditVideo, *, words: WatchedWords = NO_WORDS) -> list[Event]:
    """Edit what a published video shows; the same details again record nothing."""
    ensure_owner(state, cmd.actor, cmd.video_id)
    if not state.published:
        raise Conflict("only a published video can be edited")
    edited = details_of(VideoEdited, state, cmd, words)
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
    """Deleting is final: a deleted video accepts nothing more. For an erasure only the erasure
    cascade deletes, whatever stage the video is at; one it finds deleted already records nothing,
    so the cascade can repeat itself."""
    if cmd.reason is not DeletionReason.ERASURE:
        ensure_owner(state, cmd.actor, cmd.video_id)
        return [VideoDeleted(video_id=state.video_id, owner_id=state.owner_id)]
    if cmd.actor != ERASER:
        raise NotAllowed("only the erasure cascade deletes a video for an erasure")
    if state.exists and state.deleted:
        return []
    ensure_open(state, cmd.video_id)
    reason = DeletionReason.ERASURE.value
    return [VideoDeleted(video_id=state.video_id, owner_id=state.owner_id, reason=reason)]


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


def details_of(
    kind: type[Details], state: State, cmd: PublishVideo | EditVideo | SchedulePublish, words: WatchedWords
) -> Details:
    """The details as published or edited, checked as every publication checks them."""
    caption = valid_caption(cmd.caption)
    hashtags = valid_hashtags(cmd.hashtags, caption)
    ensure_free_of_watched_words(caption, words, field="the caption")
    ensure_free_of_watched_words(" ".join(hashtags), words, field="a hashtag")
    return kind(
        video_id=state.video_id,
        owner_id=state.owner_id,
        caption=caption,
        hashtags=hashtags,
        visibility=Visibility(cmd.visibility).value,
        comments_allowed=bool(cmd.comments_allowed),
    )
