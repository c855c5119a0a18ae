"""The signed-in user's Following feed, as the ``following_feed`` projector keeps it."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field, TypeAdapter
from starlette.responses import Response

from api.deps import AppStateDep, CurrentActor
from api.problems import problems
from api.reading import Cursor, Limit, MinPosition, ReadStoreDep, caught_up, query, read
from api.routers.moderation_common import LABELS
from read_models import following_feed as model
from read_models.port import ReadStore
from services.moderation import Kept, Moderation

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
        s503="The read model is not built yet, or has not reached min_position",
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

    def call() -> FollowingFeedPage:
        return _page(store, state.shared_reads, actor.user_id, limit, cursor)

    # On SQLite, on the event loop rather than a worker thread: the page is three bounded reads of
    # local indexes (its videos, their owners' standing, their labels), about 0.2 ms, less than the
    # hop to a thread and back; WAL readers never wait for writers. Cassandra's are round trips.
    on_loop = getattr(store, "engine", None) == "sqlite"
    page = read(model.MODEL, call) if on_loop else await query(model.MODEL, call)
    # Built and checked here once; handing FastAPI the bytes spares it checking the model again.
    return Response(_PAGE.dump_json(page), media_type="application/json")


#: The route's response model (FastAPI documents it from ``response_model``) and its JSON writer.
_PAGE = TypeAdapter(FollowingFeedPage)


def _page(store: ReadStore, kept: Kept, user_id: str, limit: int, cursor: str | None) -> FollowingFeedPage:
    page = model.following_feed(store, user_id, limit, cursor)
    items = _moderated(Moderation(store, kept=kept), page.items)
    return FollowingFeedPage(items=items, next_cursor=page.next_cursor)


def _moderated(moderation: Moderation, videos: list[model.FeedItem]) -> list[FeedVideo]:
    """Labels on each item; videos of people suspended now left out (as everyone sees them: kept
    for about a second, like the rest of what every feed shares)."""
    suspended = moderation.suspended_among(v.owner_id for v in videos)
    shown = [v for v in videos if v.owner_id not in suspended]
    labels = moderation.labels(v.video_id for v in shown)
    return [
        FeedVideo(
            video_id=v.video_id,
            owner_id=v.owner_id,
            published_at=v.published_at,
            visibility=v.visibility,
            hashtags=v.hashtags,
            labels=labels[v.video_id],
        )
        for v in shown
    ]
