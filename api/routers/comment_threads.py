"""Comment threads, as the ``comment_threads`` projector keeps them: top level by video, replies by parent."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from api.deps import IdPath, optional_actor
from api.problems import Problem, problems
from api.reading import Cursor, Limit, MinPosition, PolicyDep, ReadStoreDep, caught_up, query
from domain.actors import Actor
from read_models import comment_threads, video_details
from read_models.comment_threads import CommentPage, CommentView
from services.access import AccessPolicy

router = APIRouter(prefix="/v1", tags=["comments"])
OptionalActor = Annotated[Actor | None, Depends(optional_actor)]


class CommentOrder(StrEnum):
    NEWEST = "newest"
    TOP = "top"


class CommentItem(BaseModel):
    comment_id: str
    video_id: str
    parent_id: str | None = Field(description="The top-level comment a reply hangs under; null at top level")
    reply_to_id: str | None = Field(description="The comment a reply answered, if any")
    author_id: str | None = Field(description="Null once the author was erased")
    text: str | None = Field(description="Null once deleted, or when the author's data was erased")
    erased: bool = Field(
        description="The author was erased: the comment reads as deleted, its text and author gone for good"
    )
    edited: bool
    posted_at: datetime
    likes: int
    reply_count: int = Field(description="Live replies under this comment")
    deleted: bool = Field(description="Deleted, and kept in the thread only because it has replies")
    pinned: bool = Field(description="Pinned by the video's owner (first on the first page)")
    withheld: bool = Field(
        default=False,
        description="Text and author are withheld (null): its author is suspended or erased (from "
        "everyone but them and moderators, until the suspension is lifted), or one of you blocked "
        "the other; replies to it stay",
    )
    held: bool = Field(
        default=False,
        description="Yours, held by screening for a moderator's review: nobody else sees it until a "
        "moderator releases it. Only its author is ever sent one (on the first page of a video's "
        "comments, the last of a comment's replies)",
    )


class CommentThreadPage(BaseModel):
    items: list[CommentItem]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null at the end")


def _page(policy: AccessPolicy, actor: Actor | None, page: CommentPage) -> CommentThreadPage:
    """The page as the viewer may read it: comments of suspended authors, and of people with a
    block with the viewer, withheld."""
    authors = {v.author_id for v in page.items if v.author_id is not None}
    withheld = policy.withheld_among(authors, actor)
    items = [_item(v, withheld=v.author_id in withheld) for v in page.items]
    return CommentThreadPage(items=items, next_cursor=page.next_cursor)


def _item(v: CommentView, *, withheld: bool) -> CommentItem:
    return CommentItem(
        comment_id=v.comment_id,
        video_id=v.video_id,
        parent_id=v.parent_id,
        reply_to_id=v.reply_to_id,
        author_id=None if withheld else v.author_id,
        text=None if withheld else v.text,
        erased=v.erased,
        edited=v.edited,
        posted_at=v.posted_at,
        likes=v.likes,
        reply_count=v.reply_count,
        deleted=v.deleted,
        pinned=v.pinned,
        withheld=withheld,
        held=v.held,
    )


@router.get(
    "/videos/{video_id}/comments",
    summary="Top-level comments of a video",
    responses=problems(s404="Unknown, deleted, or not visible to the caller"),
)
async def video_comments(
    video_id: IdPath,
    store: ReadStoreDep,
    policy: PolicyDep,
    actor: OptionalActor,
    order: CommentOrder = CommentOrder.NEWEST,
    limit: Limit = 20,
    cursor: Cursor = None,
    min_position: MinPosition = None,
) -> CommentThreadPage:
    """The comments of a video the caller may see (else 404, as for the video itself). Newest or
    most liked first; the pinned comment leads the first page (one item over ``limit``
    at most). A deleted comment with replies shows as deleted; one without replies is gone. The
    caller's own comments held for review follow it there, marked ``held``: nobody else sees them."""
    await caught_up(store, comment_threads.MODEL, min_position)
    await caught_up(store, video_details.MODEL, min_position)
    if await query(video_details.MODEL, lambda: policy.video(video_id, actor)) is None:
        raise Problem(404, "video not found")
    ordering: comment_threads.Order = "top" if order is CommentOrder.TOP else "newest"
    return await query(
        comment_threads.MODEL,
        lambda: _page(
            policy,
            actor,
            comment_threads.top_level(
                store, video_id, order=ordering, limit=limit, cursor=cursor, viewer_id=_viewer(actor)
            ),
        ),
    )


@router.get(
    "/comments/{comment_id}/replies",
    summary="Replies under a comment",
    responses=problems(s404="Unknown, or under a video the caller may not see"),
)
async def comment_replies(
    comment_id: IdPath,
    store: ReadStoreDep,
    policy: PolicyDep,
    actor: OptionalActor,
    limit: Limit = 20,
    cursor: Cursor = None,
    min_position: MinPosition = None,
) -> CommentThreadPage:
    """Oldest first. Replies to replies are filed under their top-level comment. The caller's own
    replies held for review close the last page, marked ``held``."""
    await caught_up(store, comment_threads.MODEL, min_position)
    if await query(comment_threads.MODEL, lambda: policy.video_of_comment(comment_id, actor)) is None:
        raise Problem(404, "comment not found")
    return await query(
        comment_threads.MODEL,
        lambda: _page(
            policy,
            actor,
            comment_threads.replies(store, comment_id, limit=limit, cursor=cursor, viewer_id=_viewer(actor)),
        ),
    )


def _viewer(actor: Actor | None) -> str | None:
    """Whose held comments the page may show: the caller's own, never anyone else's."""
    return None if actor is None else actor.user_id
