"""Engagement: likes, shares and comments. Recorded on the actor's side, never on the video's stream.

A video the caller may not see (private, followers-only without following, its owner blocked them)
reads as not found, and so does a comment under one, in the words a missing one gets; so does a
comment to anyone who may not edit or delete it. Every response carries the position of its last
event for read-your-writes.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter
from fastapi import Request as HttpRequest
from pydantic import BaseModel, ConfigDict, Field

from api.commanding import run, run_async
from api.deps import UUID_PATTERN, AppStateDep, CommandRequest, IdPath
from api.responses import JSONBytes
from commands.comments import HELD_NOTE, delete_comment, edit_comment, is_held, post_comment
from commands.likes import like_comment, like_video_async, unlike_comment, unlike_video_async
from commands.shares import share_video
from domain.engagement import comment_likes, comments, likes, shares

router = APIRouter(prefix="/v1", tags=["engagement"])

Position = Annotated[
    int, Field(description="Global position of the last event; pass as min_position to read it")
]
CommentText = Annotated[
    str,
    Field(
        min_length=1,
        max_length=comments.MAX_COMMENT_LENGTH,
        description="Plain text, line breaks allowed; no control characters. Stored as sent, trimmed.",
    ),
]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class VideoLikeResult(_Body):
    video_id: str
    liked: bool = Field(description="Whether the signed-in user likes the video now")
    position: Position


class ShareCreate(_Body):
    channel: shares.ShareChannel = Field(description="Where the video was shared to")


class ShareCreated(_Body):
    share_id: str
    position: Position


class CommentCreate(_Body):
    text: CommentText
    parent_id: Annotated[
        str | None,
        Field(pattern=UUID_PATTERN, description="The comment replied to; replies to replies join its thread"),
    ] = None


class CommentCreated(_Body):
    comment_id: str
    state: Literal["posted", "held"] = Field(
        description="posted: in the thread for all who may see it; held: a watched word kept it back "
        "for a moderator's review, and nobody else sees it unless a moderator releases it"
    )
    note: str | None = Field(default=None, description="What a held comment awaits, for its author")
    position: Position


class CommentUpdate(_Body):
    text: CommentText


class CommentResult(_Body):
    comment_id: str
    position: Position


class CommentLikeResult(_Body):
    comment_id: str
    liked: bool = Field(description="Whether the signed-in user likes the comment now")
    position: Position


# -- videos ----------------------------------------------------------------------------------------


@router.put("/videos/{video_id}/like", response_model=VideoLikeResult, summary="Like a video")
async def like(video_id: IdPath, state: AppStateDep, http: HttpRequest, request: CommandRequest) -> JSONBytes:
    """Liking a video already liked changes nothing, so totals count people, not taps."""
    cmd = likes.LikeVideo(actor=request.actor, video_id=video_id)

    async def action() -> BaseModel:
        outcome = await like_video_async(cmd, ports=state.ports, request=request)
        return VideoLikeResult(video_id=video_id, liked=True, position=outcome.position)

    return await run_async(state, http, request, None, action)


@router.delete("/videos/{video_id}/like", response_model=VideoLikeResult, summary="Take back a like")
async def unlike(
    video_id: IdPath, state: AppStateDep, http: HttpRequest, request: CommandRequest
) -> JSONBytes:
    """Always allowed, even once the video is gone; unliking what is not liked changes nothing."""
    cmd = likes.UnlikeVideo(actor=request.actor, video_id=video_id)

    async def action() -> BaseModel:
        outcome = await unlike_video_async(cmd, ports=state.ports, request=request)
        return VideoLikeResult(video_id=video_id, liked=False, position=outcome.position)

    return await run_async(state, http, request, None, action)


@router.post(
    "/videos/{video_id}/shares", status_code=201, response_model=ShareCreated, summary="Share a video"
)
def share(
    video_id: IdPath, body: ShareCreate, state: AppStateDep, http: HttpRequest, request: CommandRequest
) -> JSONBytes:
    """Every share counts; send an Idempotency-Key so that a retried share counts once."""
    cmd = shares.ShareVideo(
        actor=request.actor, share_id=request.new_id("share"), video_id=video_id, channel=body.channel
    )

    def action() -> BaseModel:
        outcome = share_video(cmd, ports=state.ports, request=request)
        return ShareCreated(share_id=cmd.share_id, position=outcome.position)

    return run(state, http, request, body, action, status=201)


# -- comments --------------------------------------------------------------------------------------


@router.post(
    "/videos/{video_id}/comments",
    status_code=201,
    response_model=CommentCreated,
    summary="Comment on a video, or reply to a comment",
)
def comment(
    video_id: IdPath, body: CommentCreate, state: AppStateDep, http: HttpRequest, request: CommandRequest
) -> JSONBytes:
    """Threads are one level deep: a reply to a reply is filed under its top-level comment.
    Refused when the owner turned comments off. A comment holding a watched word is taken (201) but
    held for a moderator, as ``state`` says: only its author is told of it until it is released."""
    cmd = comments.PostComment(
        actor=request.actor,
        comment_id=request.new_id("comment"),
        video_id=video_id,
        text=body.text,
        reply_to_id=body.parent_id,
    )

    def action() -> BaseModel:
        outcome = post_comment(cmd, ports=state.ports, request=request)
        held = is_held(state.ports, cmd.comment_id)
        return CommentCreated(
            comment_id=cmd.comment_id,
            state="held" if held else "posted",
            note=HELD_NOTE if held else None,
            position=outcome.position,
        )

    return run(state, http, request, body, action, status=201)


@router.put("/comments/{comment_id}", response_model=CommentResult, summary="Edit your comment")
def edit(
    comment_id: IdPath, body: CommentUpdate, state: AppStateDep, http: HttpRequest, request: CommandRequest
) -> JSONBytes:
    """Only the author edits (to anyone else the comment is not found); the same text again changes
    nothing."""
    cmd = comments.EditComment(actor=request.actor, comment_id=comment_id, text=body.text)

    def action() -> BaseModel:
        outcome = edit_comment(cmd, ports=state.ports, request=request)
        return CommentResult(comment_id=comment_id, position=outcome.position)

    return run(state, http, request, body, action)


@router.delete("/comments/{comment_id}", response_model=CommentResult, summary="Delete a comment")
def delete(comment_id: IdPath, state: AppStateDep, http: HttpRequest, request: CommandRequest) -> JSONBytes:
    """Its author, the video's owner or a moderator may delete it (to anyone else it is not found);
    its replies stay."""
    cmd = comments.DeleteComment(actor=request.actor, comment_id=comment_id)

    def action() -> BaseModel:
        outcome = delete_comment(cmd, ports=state.ports, request=request)
        return CommentResult(comment_id=comment_id, position=outcome.position)

    return run(state, http, request, None, action)


@router.put("/comments/{comment_id}/like", response_model=CommentLikeResult, summary="Like a comment")
def like_a_comment(
    comment_id: IdPath, state: AppStateDep, http: HttpRequest, request: CommandRequest
) -> JSONBytes:
    """Liking a comment already liked changes nothing; a deleted comment takes no likes."""
    cmd = comment_likes.LikeComment(actor=request.actor, comment_id=comment_id)

    def action() -> BaseModel:
        outcome = like_comment(cmd, ports=state.ports, request=request)
        return CommentLikeResult(comment_id=comment_id, liked=True, position=outcome.position)

    return run(state, http, request, None, action)


@router.delete(
    "/comments/{comment_id}/like", response_model=CommentLikeResult, summary="Take back a comment like"
)
def unlike_a_comment(
    comment_id: IdPath, state: AppStateDep, http: HttpRequest, request: CommandRequest
) -> JSONBytes:
    """Always allowed; unliking what is not liked changes nothing."""
    cmd = comment_likes.UnlikeComment(actor=request.actor, comment_id=comment_id)

    def action() -> BaseModel:
        outcome = unlike_comment(cmd, ports=state.ports, request=request)
        return CommentLikeResult(comment_id=comment_id, liked=False, position=outcome.position)

    return run(state, http, request, None, action)
