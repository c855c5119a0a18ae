"""The For You feed, non-personalised: what is trending now, then the newest public videos.

This is the feed for anonymous visitors and for anyone who withdrew personalisation consent, and
until the personalised ranking serves a page it is everyone's. The cursor says which part a page
continues (``t.…`` trending, ``f.…`` fresh); a video trending now may come again among the fresh
ones further down, and clients drop such repeats.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from api.deps import optional_actor
from api.problems import Problem, problems
from api.reading import Cursor, Limit, ReadStoreDep, query
from domain.actors import Actor
from read_models import fresh_videos, trending, video_details
from read_models.port import ReadStore

router = APIRouter(prefix="/v1/feed", tags=["feeds"])

Source = Literal["trending", "fresh"]
REASONS: dict[Source, str] = {"trending": "Popular right now", "fresh": "New on Strom"}
#: The cursor of the fresh part's first page.
FRESH_START = "f.start"


class ForYouItem(BaseModel):
    video_id: str
    owner_id: str
    source: Source = Field(description="Where the item came from")
    reason: str = Field(description="A short reason the client can show beside the video")


class ForYouPage(BaseModel):
    items: list[ForYouItem]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null at the end")


@router.get(
    "/for-you",
    summary="Videos for you: trending now, then the newest",
    responses=problems(s400="The cursor is not one this feed handed out", s503="Not built yet"),
)
async def for_you(
    store: ReadStoreDep,
    viewer: Annotated[Actor | None, Depends(optional_actor)],
    limit: Limit = 10,
    cursor: Cursor = None,
) -> ForYouPage:
    """Anyone may read it. Signed in, videos of creators the caller blocked or who blocked the
    caller are left out (a page may then hold fewer than ``limit`` and still have a cursor)."""
    part, inner = _parse(cursor)
    items: list[ForYouItem] = []
    if part == "trending":
        page = await query(trending.MODEL, lambda: trending.top(store, limit, cursor=inner))
        items = [_item(v.video_id, v.owner_id, "trending") for v in page.items]
        if page.next_cursor is not None:
            return await _page(store, viewer, items, f"t.{page.next_cursor}")
        if len(items) == limit:
            return await _page(store, viewer, items, FRESH_START)
        inner = None
    shown = {i.video_id for i in items}
    room = limit - len(items)
    fresh = await query(fresh_videos.MODEL, lambda: fresh_videos.fresh_videos(store, room, inner))
    items += [_item(v.video_id, v.owner_id, "fresh") for v in fresh.items if v.video_id not in shown]
    return await _page(store, viewer, items, None if fresh.next_cursor is None else f"f.{fresh.next_cursor}")


def _parse(cursor: str | None) -> tuple[Source, str | None]:
    if cursor is None:
        return "trending", None
    part, dot, inner = cursor.partition(".")
    if not dot or part not in ("t", "f") or not inner:
        raise Problem(400, "not a For You cursor")
    if part == "t":
        return "trending", inner
    return "fresh", None if cursor == FRESH_START else inner


def _item(video_id: str, owner_id: str, source: Source) -> ForYouItem:
    return ForYouItem(video_id=video_id, owner_id=owner_id, source=source, reason=REASONS[source])


async def _page(
    store: ReadStore, viewer: Actor | None, items: list[ForYouItem], cursor: str | None
) -> ForYouPage:
    if viewer is not None:
        viewer_id = viewer.user_id
        blocked = await query(
            video_details.MODEL,
            lambda: {i.owner_id for i in items if _blocked_between(store, viewer_id, i.owner_id)},
        )
        items = [i for i in items if i.owner_id not in blocked]
    return ForYouPage(items=items, next_cursor=cursor)


def _blocked_between(store: ReadStore, viewer_id: str, owner_id: str) -> bool:
    return video_details.has_blocked(store, owner_id, viewer_id) or video_details.has_blocked(
        store, viewer_id, owner_id
    )
