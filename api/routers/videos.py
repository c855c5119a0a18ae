"""Videos: the owner creates, publishes (now or at a time set), edits, unpublishes, deletes and pins;
moderators hide.

Uploading and processing are the media pipeline's (tus uploads and workers), not these routes'.
Every route is a command: an ``Idempotency-Key`` replays the first answer. To anyone but its owner a
video is not found (404, as one that does not exist), and the moderators' routes refuse anyone else
(403) before looking the video up: no answer tells whether a video someone may not see exists.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi import Request as HttpRequest
from pydantic import BaseModel, ConfigDict, Field

from api.commanding import run
from api.deps import UUID_PATTERN, AppStateDep, CommandRequest, IdPath
from api.responses import JSONBytes
from api.routers.moderation_common import require_staff
from api.state import AppState
from commands import scheduling as scheduling_handlers
from commands import screening as screening_handlers
from commands import videos as handlers
from commands.context import Outcome, Ports, Request
from domain import videos
from domain.access import Visibility
from domain.videos.rules import MAX_CAPTION, MAX_HASHTAGS, MAX_REASON, moment

router = APIRouter(prefix="/v1/videos", tags=["videos"])

POSITION = "Global position of the last event; pass as min_position to read it"

Caption = Annotated[str, Field(max_length=MAX_CAPTION, description="Plain text; #tags in it are hashtags")]
Hashtag = Annotated[str, Field(pattern=r"^#?[A-Za-z0-9_]{1,50}$", description="With or without '#'")]
Hashtags = Annotated[list[Hashtag], Field(max_length=MAX_HASHTAGS, description="Added to the caption's")]
Reason = Annotated[str, Field(min_length=1, max_length=MAX_REASON)]
Strict = Annotated[bool, Field(strict=True)]


# -- bodies ----------------------------------------------------------------------------------------


class VideoCreate(BaseModel):
    """Nothing to say yet (the body may be left out): the draft is filled by an upload."""

    model_config = ConfigDict(extra="forbid")


class VideoPublish(BaseModel):
    model_config = ConfigDict(extra="forbid")
    caption: Caption = ""
    hashtags: Hashtags = Field(default_factory=list)
    visibility: Visibility = Visibility.PUBLIC
    comments_allowed: Strict = True
    publish_at: datetime | None = Field(
        default=None,
        description="Publish later, at this moment (ISO 8601 with its offset, e.g. 2030-01-31T18:00:00Z): "
        "at least a minute and at most 90 days ahead. Left out: publish now.",
    )


class VideoUpdate(BaseModel):
    """The published details as they should stand, all of them: nothing is left as it was."""

    model_config = ConfigDict(extra="forbid")
    caption: Caption
    hashtags: Hashtags
    visibility: Visibility
    comments_allowed: Strict


class ModerationNote(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Reason = Field(description="Why; shown to the owner and kept for audits")


class CommentPin(BaseModel):
    model_config = ConfigDict(extra="forbid")
    comment_id: str = Field(pattern=UUID_PATTERN, description="A comment on this video")


# -- answers ---------------------------------------------------------------------------------------


class VideoCreated(BaseModel):
    video_id: str = Field(description="The new draft; upload its file next")
    position: int = Field(description=POSITION)


class VideoPublication(BaseModel):
    video_id: str
    published: bool = Field(description="Whether the video is published now")
    scheduled_for: datetime | None = Field(
        default=None, description="When it will be published, if that is scheduled (UTC)"
    )
    position: int = Field(description=POSITION)


class VideoRemoved(BaseModel):
    video_id: str
    deleted: bool = Field(description="Always true: deleting is final")
    position: int = Field(description=POSITION)


class VideoModeration(BaseModel):
    video_id: str
    hidden: bool = Field(description="Whether the video is hidden by moderation now")
    position: int = Field(description=POSITION)


class VideoRelease(BaseModel):
    video_id: str
    released: bool = Field(description="Always true: the owner may publish the upload screening held")
    position: int = Field(description=POSITION)


class PinnedComment(BaseModel):
    video_id: str
    pinned_comment_id: str | None = Field(description="The comment pinned now, or null")
    position: int = Field(description=POSITION)


# -- routes ----------------------------------------------------------------------------------------


def _command(
    state: AppState,
    http: HttpRequest,
    request: Request,
    body: BaseModel | None,
    act: Callable[[Ports], Outcome],
    answer: Callable[[Outcome], BaseModel],
    status: int = 200,
) -> JSONBytes:
    """Runs the handler once per Idempotency-Key and answers with its outcome."""
    return run(state, http, request, body, lambda: answer(act(state.ports)), status)


@router.post("", status_code=201, response_model=VideoCreated, summary="Create a video draft")
def create_video(
    state: AppStateDep, http: HttpRequest, request: CommandRequest, body: VideoCreate | None = None
) -> JSONBytes:
    """A draft owned by the signed-in user, to upload a file into. With an Idempotency-Key a retry
    gets the same draft back instead of a second one."""
    cmd = videos.CreateDraft(actor=request.actor, video_id=request.new_id("video"))
    return _command(
        state,
        http,
        request,
        body,
        lambda ports: handlers.create_draft(cmd, ports=ports, request=request),
        lambda outcome: VideoCreated(video_id=cmd.video_id, position=outcome.position),
        status=201,
    )


@router.post("/{video_id}/publish", response_model=VideoPublication, summary="Publish a processed video")
def publish_video(
    video_id: IdPath, body: VideoPublish, state: AppStateDep, http: HttpRequest, request: CommandRequest
) -> JSONBytes:
    """Only the owner, once processing succeeded and automatic screening let it through (409 before,
    and while a moderator reviews what screening held; 403 for what it blocked). A published video is
    edited, not published again. Hashtags are those given plus the caption's ``#tags``, 30 at most.
    A caption holding a watched word is refused (422).

    With ``publish_at`` the video is published then, with these details, checked again at that
    moment; until then only its owner sees it. Sending it again moves or changes the schedule;
    publishing without ``publish_at`` publishes at once instead; ``DELETE /schedule`` calls it off."""
    if body.publish_at is not None:
        return _schedule(video_id, body, body.publish_at, state, http, request)
    cmd = videos.PublishVideo(
        request.actor, video_id, body.caption, list(body.hashtags), body.visibility, body.comments_allowed
    )
    return _command(
        state,
        http,
        request,
        body,
        lambda ports: handlers.publish_video(cmd, ports=ports, request=request),
        lambda outcome: VideoPublication(video_id=video_id, published=True, position=outcome.position),
    )


def _schedule(
    video_id: str, body: VideoPublish, at: datetime, state: AppState, http: HttpRequest, request: Request
) -> JSONBytes:
    cmd = videos.SchedulePublish(
        request.actor,
        video_id,
        at,
        body.caption,
        list(body.hashtags),
        body.visibility,
        body.comments_allowed,
    )
    return _command(
        state,
        http,
        request,
        body,
        lambda ports: scheduling_handlers.schedule_publish(cmd, ports=ports, request=request),
        lambda outcome: VideoPublication(
            video_id=video_id,
            published=False,
            scheduled_for=datetime.fromisoformat(moment(at)),  # as recorded: UTC, to the second
            position=outcome.position,
        ),
    )


@router.delete(
    "/{video_id}/schedule", response_model=VideoPublication, summary="Call off a scheduled publication"
)
def cancel_scheduled_publish(
    video_id: IdPath, state: AppStateDep, http: HttpRequest, request: CommandRequest
) -> JSONBytes:
    """Only the owner. The video stays unpublished; with nothing scheduled, nothing changes (409 for
    a published video: unpublish it instead)."""
    cmd = videos.CancelScheduledPublish(request.actor, video_id)
    return _command(
        state,
        http,
        request,
        None,
        lambda ports: scheduling_handlers.cancel_scheduled_publish(cmd, ports=ports, request=request),
        lambda outcome: VideoPublication(video_id=video_id, published=False, position=outcome.position),
    )


@router.put("/{video_id}", response_model=VideoPublication, summary="Edit a published video")
def edit_video(
    video_id: IdPath, body: VideoUpdate, state: AppStateDep, http: HttpRequest, request: CommandRequest
) -> JSONBytes:
    """Only the owner, of a published video; every detail is sent. The same details again record
    nothing."""
    cmd = videos.EditVideo(
        request.actor, video_id, body.caption, list(body.hashtags), body.visibility, body.comments_allowed
    )
    return _command(
        state,
        http,
        request,
        body,
        lambda ports: handlers.edit_video(cmd, ports=ports, request=request),
        lambda outcome: VideoPublication(video_id=video_id, published=True, position=outcome.position),
    )


@router.post("/{video_id}/unpublish", response_model=VideoPublication, summary="Unpublish a video")
def unpublish_video(
    video_id: IdPath, state: AppStateDep, http: HttpRequest, request: CommandRequest
) -> JSONBytes:
    """Only the owner, of a published video (409 otherwise); it can be published again later."""
    cmd = videos.UnpublishVideo(request.actor, video_id)
    return _command(
        state,
        http,
        request,
        None,
        lambda ports: handlers.unpublish_video(cmd, ports=ports, request=request),
        lambda outcome: VideoPublication(video_id=video_id, published=False, position=outcome.position),
    )


@router.delete("/{video_id}", response_model=VideoRemoved, summary="Delete a video")
def delete_video(
    video_id: IdPath, state: AppStateDep, http: HttpRequest, request: CommandRequest
) -> JSONBytes:
    """Only the owner. Deleting is final: a deleted video accepts nothing more (409)."""
    cmd = videos.DeleteVideo(request.actor, video_id)
    return _command(
        state,
        http,
        request,
        None,
        lambda ports: handlers.delete_video(cmd, ports=ports, request=request),
        lambda outcome: VideoRemoved(video_id=video_id, deleted=True, position=outcome.position),
    )


@router.post(
    "/{video_id}/hide",
    response_model=VideoModeration,
    summary="Hide a video (moderators)",
    dependencies=[Depends(require_staff)],
)
def hide_video(
    video_id: IdPath, body: ModerationNote, state: AppStateDep, http: HttpRequest, request: CommandRequest
) -> JSONBytes:
    """Moderators only (403 for others). Hidden from everyone but its owner until restored; hiding a
    hidden video is a conflict."""
    cmd = videos.HideVideo(request.actor, video_id, body.reason)
    return _command(
        state,
        http,
        request,
        body,
        lambda ports: handlers.hide_video(cmd, ports=ports, request=request),
        lambda outcome: VideoModeration(video_id=video_id, hidden=True, position=outcome.position),
    )


@router.post(
    "/{video_id}/restore",
    response_model=VideoModeration,
    summary="Restore a hidden video (moderators)",
    dependencies=[Depends(require_staff)],
)
def restore_video(
    video_id: IdPath, body: ModerationNote, state: AppStateDep, http: HttpRequest, request: CommandRequest
) -> JSONBytes:
    """Moderators only (403 for others), of a hidden video (409 otherwise)."""
    cmd = videos.RestoreVideo(request.actor, video_id, body.reason)
    return _command(
        state,
        http,
        request,
        body,
        lambda ports: handlers.restore_video(cmd, ports=ports, request=request),
        lambda outcome: VideoModeration(video_id=video_id, hidden=False, position=outcome.position),
    )


@router.post(
    "/{video_id}/release", response_model=VideoRelease, summary="Release a video screening held (moderators)"
)
def release_video(
    video_id: IdPath, body: ModerationNote, state: AppStateDep, http: HttpRequest, request: CommandRequest
) -> JSONBytes:
    """Moderators only (403 for others). Lets the owner publish an upload automatic screening held
    for review (409 if it is not held; a blocked one is never released)."""
    cmd = videos.ReleaseVideo(request.actor, video_id, body.reason)
    return _command(
        state,
        http,
        request,
        body,
        lambda ports: screening_handlers.release_video(cmd, ports=ports, request=request),
        lambda outcome: VideoRelease(video_id=video_id, released=True, position=outcome.position),
    )


@router.put("/{video_id}/pin", response_model=PinnedComment, summary="Pin a comment")
def pin_comment(
    video_id: IdPath, body: CommentPin, state: AppStateDep, http: HttpRequest, request: CommandRequest
) -> JSONBytes:
    """Only the owner; the comment must be on this video (404 otherwise). One comment is pinned at
    a time: pinning another replaces it, pinning the same again changes nothing."""
    cmd = videos.PinComment(request.actor, video_id, body.comment_id)
    return _command(
        state,
        http,
        request,
        body,
        lambda ports: handlers.pin_comment(cmd, ports=ports, request=request),
        lambda outcome: PinnedComment(
            video_id=video_id, pinned_comment_id=body.comment_id, position=outcome.position
        ),
    )


@router.delete("/{video_id}/pin", response_model=PinnedComment, summary="Unpin the pinned comment")
def unpin_comment(
    video_id: IdPath, state: AppStateDep, http: HttpRequest, request: CommandRequest
) -> JSONBytes:
    """Only the owner. With nothing pinned, nothing changes."""
    cmd = handlers.UnpinPinnedComment(request.actor, video_id)
    return _command(
        state,
        http,
        request,
        None,
        lambda ports: handlers.unpin_pinned_comment(cmd, ports=ports, request=request),
        lambda outcome: PinnedComment(video_id=video_id, pinned_comment_id=None, position=outcome.position),
    )
