"""Videos: one stream per video (``video-<id>``), written by its owner, moderators and the pipeline.

Every handler loads, folds, decides and appends through ``commands.handling.execute``. The media
workers call the pipeline handlers with ``Request(PIPELINE)``; a repeated report records nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from commands import content_moderation, friction, streams
from commands.aggregates import COMMENT, VIDEO
from commands.context import Outcome, Ports, Request
from commands.handling import execute, load
from commands.standing import ensure_allowed
from domain import videos
from domain.actors import Actor
from domain.engagement import comments
from domain.errors import NotFound
from domain.moderation import content
from domain.moderation.rules import Capability
from domain.videos.state import ensure_open, ensure_owner


@dataclasses.dataclass(frozen=True, slots=True)
class UnpinPinnedComment:
    """Unpin whichever comment is pinned now (the API's ``DELETE /pin`` names none)."""

    actor: Actor
    video_id: str


class _OnVideo(Protocol):
    @property
    def video_id(self) -> str: ...


C = TypeVar("C", bound=_OnVideo)


def _decide(
    ports: Ports, request: Request, cmd: C, decider: Callable[[videos.State, C], Sequence[videos.Event]]
) -> Outcome:
    return execute(ports, request, streams.video(cmd.video_id), VIDEO, lambda state: decider(state, cmd))


# -- the pipeline ----------------------------------------------------------------------------------


def create_draft(
    cmd: videos.CreateDraft, *, ports: Ports, request: Request, clock: friction.Clock = friction.now
) -> Outcome:
    """``cmd.video_id`` comes from ``request.new_id("video")``: a keyed retry whose first attempt
    landed finds its own draft, and is answered as done rather than as a duplicate. Refused while
    the owner may not upload (a restriction or suspension) or is over the day's limit of uploads."""
    return friction.limited(
        ports, request, cmd.actor, Capability.UPLOAD, lambda: _create_draft(cmd, ports, request), clock=clock
    )


def _create_draft(cmd: videos.CreateDraft, ports: Ports, request: Request) -> Outcome:
    def decide(state: videos.State) -> list[videos.Event]:
        if request.idempotency_key is not None and state.exists and state.owner_id == cmd.actor.user_id:
            return []
        return videos.decide_create_draft(state, cmd)

    return execute(ports, request, streams.video(cmd.video_id), VIDEO, decide)


def complete_upload(cmd: videos.CompleteUpload, *, ports: Ports, request: Request) -> Outcome:
    ensure_allowed(ports, cmd.actor, Capability.UPLOAD)  # a sanction may land mid-upload
    return _decide(ports, request, cmd, videos.decide_complete_upload)


def current(ports: Ports, video_id: str) -> videos.State:
    """The video as its stream says now: what a job reads before doing work that may be done."""
    return load(ports, streams.video(video_id), VIDEO).state


def check_upload(ports: Ports, actor: Actor, video_id: str) -> None:
    """Before an upload takes any bytes: the checks completing it will make (not suspended or
    restricted from uploading, owner, a draft or a failed video), read from the actor's standing and
    the video's stream, never from a read model."""
    ensure_allowed(ports, actor, Capability.UPLOAD)
    videos.ensure_can_upload(current(ports, video_id), actor, video_id)


def reject_upload(cmd: videos.RejectUpload, *, ports: Ports, request: Request) -> Outcome:
    return _decide(ports, request, cmd, videos.decide_reject_upload)


def start_processing(cmd: videos.StartProcessing, *, ports: Ports, request: Request) -> Outcome:
    return _decide(ports, request, cmd, videos.decide_start_processing)


def report_processing_progress(
    cmd: videos.ReportProcessingProgress, *, ports: Ports, request: Request
) -> Outcome:
    return _decide(ports, request, cmd, videos.decide_report_processing_progress)


def complete_processing(cmd: videos.CompleteProcessing, *, ports: Ports, request: Request) -> Outcome:
    return _decide(ports, request, cmd, videos.decide_complete_processing)


def fail_processing(cmd: videos.FailProcessing, *, ports: Ports, request: Request) -> Outcome:
    return _decide(ports, request, cmd, videos.decide_fail_processing)


# -- the owner -------------------------------------------------------------------------------------


def publish_video(cmd: videos.PublishVideo, *, ports: Ports, request: Request) -> Outcome:
    """Once screening let the upload through; a caption holding a watched word is refused, and so is
    an owner who may not upload now."""
    ensure_allowed(ports, cmd.actor, Capability.UPLOAD)
    words = ports.screening.current().words
    return _decide(ports, request, cmd, lambda state, c: videos.decide_publish_video(state, c, words=words))


def edit_video(cmd: videos.EditVideo, *, ports: Ports, request: Request) -> Outcome:
    words = ports.screening.current().words
    return _decide(ports, request, cmd, lambda state, c: videos.decide_edit_video(state, c, words=words))


def unpublish_video(cmd: videos.UnpublishVideo, *, ports: Ports, request: Request) -> Outcome:
    return _decide(ports, request, cmd, videos.decide_unpublish_video)


def delete_video(cmd: videos.DeleteVideo, *, ports: Ports, request: Request) -> Outcome:
    return _decide(ports, request, cmd, videos.decide_delete_video)


def pin_comment(cmd: videos.PinComment, *, ports: Ports, request: Request) -> Outcome:
    """The owner's checks come first; then the comment must exist, be on this video, and be open.

    The comment's stream is read on every attempt, so a deletion that lands meanwhile is seen."""

    def decide(state: videos.State) -> list[videos.Event]:
        events = videos.decide_pin_comment(state, cmd)
        if events:
            _ensure_comment_on(ports, cmd.comment_id, cmd.video_id)
        return events

    return execute(ports, request, streams.video(cmd.video_id), VIDEO, decide)


def unpin_comment(cmd: videos.UnpinComment, *, ports: Ports, request: Request) -> Outcome:
    """Unpinning a comment that is not the pinned one records nothing."""
    return _decide(ports, request, cmd, videos.decide_unpin_comment)


def unpin_pinned_comment(cmd: UnpinPinnedComment, *, ports: Ports, request: Request) -> Outcome:
    """Unpin what is pinned; with nothing pinned, only the owner's checks apply and nothing is recorded."""

    def decide(state: videos.State) -> list[videos.Event]:
        if state.pinned_comment_id is None:
            ensure_owner(state, cmd.actor, cmd.video_id)
            return []
        unpin = videos.UnpinComment(cmd.actor, cmd.video_id, state.pinned_comment_id)
        return videos.decide_unpin_comment(state, unpin)

    return execute(ports, request, streams.video(cmd.video_id), VIDEO, decide)


# -- moderation ------------------------------------------------------------------------------------


def hide_video(cmd: videos.HideVideo, *, ports: Ports, request: Request) -> Outcome:
    """Hiding is a moderator's removal: decided as one, and told to the owner, who may appeal it.
    A deleted video answers as to every command here (409), not as to the moderation routes (404)."""
    ensure_open(load(ports, streams.video(cmd.video_id), VIDEO).state, cmd.video_id)
    removal = content.RemoveVideo(cmd.actor, cmd.video_id, cmd.reason)
    return content_moderation.remove_video(
        removal, action_id=request.new_id("action"), ports=ports, request=request
    )


def restore_video(cmd: videos.RestoreVideo, *, ports: Ports, request: Request) -> Outcome:
    """Told to the owner as a moderator's restoring."""
    ensure_open(load(ports, streams.video(cmd.video_id), VIDEO).state, cmd.video_id)
    restoring = content.RestoreVideo(cmd.actor, cmd.video_id, cmd.reason)
    return content_moderation.restore_video(
        restoring, action_id=request.new_id("action"), ports=ports, request=request
    )


def _ensure_comment_on(ports: Ports, comment_id: str, video_id: str) -> None:
    """A comment never posted, or posted on another video, is not found; a deleted one conflicts."""
    comment = load(ports, streams.comment(comment_id), COMMENT).state
    if not comment.posted or comment.video_id != video_id:
        raise NotFound("comment not found on this video")
    comments.ensure_open(comment)
