"""Moderators' actions on videos and comments (moderators only, 403 for anyone else): remove and
restore a video, label it or take labels off, remove and restore a comment, release a comment
screening held.

Each is decided on the content's own stream and told to the person who posted it (``GET
/v1/me/notices``), who may appeal an adverse one once. Nobody acts on what they posted; an action on a
moderator's content is an admin's.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Depends
from fastapi import Request as HttpRequest
from pydantic import BaseModel, ConfigDict, Field

from api.deps import AppStateDep, CommandRequest, IdPath
from api.problems import problems
from api.responses import JSONBytes
from api.routers.moderation_common import ActionTaken, Reason, require_staff, taken
from api.state import AppState
from commands import comments as comment_handlers
from commands import content_moderation
from commands.context import Outcome, Request
from domain.engagement import comments
from domain.moderation import content
from domain.screening import Label

router = APIRouter(prefix="/v1/moderation", tags=["moderation"], dependencies=[Depends(require_staff)])
PROBLEMS = problems(
    s403="Not a moderator, or one who may not act on this person's content (their own; a moderator's "
    "needs an admin)",
    s404="Unknown or deleted video or comment",
    s409="Conflicts with the current state (e.g. already removed, not removed)",
)


class Note(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Reason


class Labels(BaseModel):
    model_config = ConfigDict(extra="forbid")
    labels: list[Label] = Field(min_length=1, max_length=len(Label))
    reason: Reason


@router.post(
    "/videos/{video_id}/remove", response_model=ActionTaken, summary="Remove a video", responses=PROBLEMS
)
def remove_video(
    video_id: IdPath, body: Note, state: AppStateDep, http: HttpRequest, request: CommandRequest
) -> JSONBytes:
    """Hidden from every feed, list, page and media route, for everyone but its owner and moderators;
    the model stops learning from it. The owner is told and may appeal."""
    cmd = content.RemoveVideo(request.actor, video_id, body.reason)
    return _on_content(
        state,
        http,
        request,
        body,
        lambda a: content_moderation.remove_video(cmd, action_id=a, ports=state.ports, request=request),
    )


@router.post(
    "/videos/{video_id}/restore",
    response_model=ActionTaken,
    summary="Restore a removed video",
    responses=PROBLEMS,
)
def restore_video(
    video_id: IdPath, body: Note, state: AppStateDep, http: HttpRequest, request: CommandRequest
) -> JSONBytes:
    cmd = content.RestoreVideo(request.actor, video_id, body.reason)
    return _on_content(
        state,
        http,
        request,
        body,
        lambda a: content_moderation.restore_video(cmd, action_id=a, ports=state.ports, request=request),
    )


@router.post(
    "/videos/{video_id}/labels", response_model=ActionTaken, summary="Label a video", responses=PROBLEMS
)
def label_video(
    video_id: IdPath, body: Labels, state: AppStateDep, http: HttpRequest, request: CommandRequest
) -> JSONBytes:
    """Labels (sensitive, graphic, ai_generated, ad, nudity) ride on the video's card and every feed
    item (``labels``) for clients to honour. Labels it carries already record nothing."""
    cmd = content.LabelVideo(request.actor, video_id, body.labels, body.reason)
    return _on_content(
        state,
        http,
        request,
        body,
        lambda a: content_moderation.label_video(cmd, action_id=a, ports=state.ports, request=request),
    )


@router.post(
    "/videos/{video_id}/labels/remove",
    response_model=ActionTaken,
    summary="Take labels off a video",
    responses=PROBLEMS,
)
def unlabel_video(
    video_id: IdPath, body: Labels, state: AppStateDep, http: HttpRequest, request: CommandRequest
) -> JSONBytes:
    """Screening's labels too. Labels it does not carry record nothing."""
    cmd = content.UnlabelVideo(request.actor, video_id, body.labels, body.reason)
    return _on_content(
        state,
        http,
        request,
        body,
        lambda a: content_moderation.unlabel_video(cmd, action_id=a, ports=state.ports, request=request),
    )


@router.post(
    "/comments/{comment_id}/remove",
    response_model=ActionTaken,
    summary="Remove a comment",
    responses=PROBLEMS,
)
def remove_comment(
    comment_id: IdPath, body: Note, state: AppStateDep, http: HttpRequest, request: CommandRequest
) -> JSONBytes:
    """Gone from its thread until restored; its author is told and may appeal."""
    cmd = content.RemoveComment(request.actor, comment_id, body.reason)
    return _on_content(
        state,
        http,
        request,
        body,
        lambda a: content_moderation.remove_comment(cmd, action_id=a, ports=state.ports, request=request),
    )


@router.post(
    "/comments/{comment_id}/restore",
    response_model=ActionTaken,
    summary="Restore a removed comment",
    responses=PROBLEMS,
)
def restore_comment(
    comment_id: IdPath, body: Note, state: AppStateDep, http: HttpRequest, request: CommandRequest
) -> JSONBytes:
    cmd = content.RestoreComment(request.actor, comment_id, body.reason)
    return _on_content(
        state,
        http,
        request,
        body,
        lambda a: content_moderation.restore_comment(cmd, action_id=a, ports=state.ports, request=request),
    )


@router.post(
    "/comments/{comment_id}/release",
    response_model=ActionTaken,
    summary="Release a comment screening held",
    responses=problems(s403="Not a moderator", s404="No comment screening held with this id"),
)
def release_comment(
    comment_id: IdPath, state: AppStateDep, http: HttpRequest, request: CommandRequest
) -> JSONBytes:
    """Posts a comment held for a watched word as its author wrote it: until now only they saw it
    (marked held); from now on everyone who may see the video does. Releasing one already released
    records nothing (``recorded`` false)."""
    cmd = comments.ReleaseComment(request.actor, comment_id)
    return taken(
        state,
        http,
        request,
        None,
        None,
        lambda: comment_handlers.release_comment(cmd, ports=state.ports, request=request),
    )


def _on_content(
    state: AppState, http: HttpRequest, request: Request, body: BaseModel, act: Callable[[str], Outcome]
) -> JSONBytes:
    action_id = request.new_id("action")
    return taken(state, http, request, body, action_id, lambda: act(action_id))
