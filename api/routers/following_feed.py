"""The signed-in user's Following feed, as the ``following_feed`` projector keeps it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.responses import Response

from api.deps import AppStateDep, CurrentActor
from api.problems import problems
from api.reading import (
    Cursor,
    Limit,
    MinPosition,
    ReadStoreDep,
    caught_up,
    caught_up_once_built,
    query,
    read,
)
from api.routers.moderation_common import LABELS
from read_models import following_feed as model
from read_models import moderation_standing
from read_models.kept import FRESH, Kept
from read_models.port import ReadStore
from services.moderation import Moderation

router = APIRouter(prefix="/v1/feed", tags=["feed"])


class FeedVideo(BaseModel):
    video_id: str
    owner_id: str
    published_at: datetime
    visibility: str = Field(description="public or followers; private videos never appear")
    hashtags: list[str]
    labels: list[str] = Field(default_factory=list, description=LABELS)


class FollowingFeedPage(BaseModel):
    items: list[FeedVideo]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null at the end")


@router.get(
    "/following",
    response_model=FollowingFeedPage,
    summary="Videos of the accounts the caller follows, newest first",
    responses=problems(
        s400="The cursor is not one this feed handed out",
        s401="No valid bearer token",
        s503="The read model is not built yet, or it or moderation has not reached min_position",
    ),
)
async def following_feed(
    actor: CurrentActor,
    store: ReadStoreDep,
    state: AppStateDep,
    limit: Limit = 20,
    cursor: Cursor = None,
    min_position: MinPosition = None,
) -> Response:
    """Published public and followers-only videos of the last weeks, from every account the caller
    follows. A full page carries a ``next_cursor`` even when nothing older remains."""
    await caught_up(store, model.MODEL, min_position)
    await caught_up_once_built(store, moderation_standing.MODEL, min_position)  # its labels, suspensions
    # Answers kept for everyone may be from before ``min_position``: a page asked with it reads fresh.
    kept = FRESH if min_position else state.shared_reads

    def call() -> bytes:
        return _page(store, kept, actor.user_id, limit, cursor)

    # On SQLite, on the event loop rather than a worker thread: the page is three bounded reads of
    # local indexes (its videos, their owners' standing, their labels), about 0.2 ms, less than the
    # hop to a thread and back; WAL readers never wait for writers. Cassandra's are round trips.
    on_loop = getattr(store, "engine", None) == "sqlite"
    body = read(model.MODEL, call) if on_loop else await query(model.MODEL, call)
    return Response(body, media_type="application/json")


def _page(store: ReadStore, kept: Kept, user_id: str, limit: int, cursor: str | None) -> bytes:
    page = model.following_feed(store, user_id, limit, cursor, kept=kept)
    items = _moderated(Moderation(store, kept=kept), page.items)
    return page_json(items, page.next_cursor)


def _moderated(moderation: Moderation, videos: list[model.FeedItem]) -> list[dict[str, Any]]:
    """Labels on each item; videos of people suspended or erased now left out (as everyone sees
    them: kept for about a second, like the rest of what every feed shares)."""
    withheld = moderation.withheld_among(v.owner_id for v in videos)
    shown = [v for v in videos if v.owner_id not in withheld]
    labels = moderation.labels(v.video_id for v in shown)
    return [
        {
            "video_id": v.video_id,
            "owner_id": v.owner_id,
            "published_at": v.published_at,
            "visibility": v.visibility,
            "hashtags": v.hashtags,
            "labels": labels[v.video_id],
        }
        for v in shown
    ]


def page_json(items: list[dict[str, Any]], next_cursor: str | None) -> bytes:
    """The page as ``FollowingFeedPage`` writes it (its fields in its order, datetimes as pydantic
    writes them), without building and checking a model of our own rows first: a sixth of the
    page's time went there. A test holds the bytes equal to FastAPI's for the model."""
    return orjson.dumps({"items": items, "next_cursor": next_cursor}, option=orjson.OPT_UTC_Z)
