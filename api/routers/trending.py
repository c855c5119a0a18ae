"""Trending videos, as the ``trending`` projector keeps them: overall and per hashtag, most trending
first, scores decayed to the time of the request. Anyone may read them, signed in or not; a signed-in
viewer's lists leave out the creators they blocked or who blocked them (the access policy), and no
list holds a suspended creator's videos, whoever asks (as no feed does)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, Field

from api.deps import optional_actor
from api.problems import Problem, problems
from api.reading import Cursor, Limit, MinPosition, PolicyDep, ReadStoreDep, caught_up, query
from api.routers.moderation_common import LABELS
from domain.actors import Actor
from domain.errors import InvalidCommand
from domain.videos.rules import valid_hashtags
from read_models import trending as model
from services.access import AccessPolicy
from services.moderation import Moderation

router = APIRouter(prefix="/v1/trending", tags=["trending"])
Viewer = Annotated[Actor | None, Depends(optional_actor)]

TagPath = Annotated[
    str,
    Path(
        max_length=100,
        pattern=r"^#?[A-Za-z0-9_]{1,50}$",
        description="A hashtag, with or without its leading '#': 1 to 50 letters, digits or '_'",
    ),
]
RESPONSES = problems(
    s400="The cursor is not one this list handed out",
    s422="The limit or the hashtag is invalid",
    s503="The trending read model is not built yet, or has not caught up with min_position",
)


class TrendingItem(BaseModel):
    video_id: str
    owner_id: str
    score: float = Field(description="Engagement weighted (a like is 3) and halved every 6 hours, as of now")
    hashtags: list[str]
    labels: list[str] = Field(default_factory=list, description=LABELS)


class TrendingOut(BaseModel):
    items: list[TrendingItem]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null at the end")


@router.get("", summary="The most trending public videos", responses=RESPONSES)
async def trending(
    store: ReadStoreDep,
    policy: PolicyDep,
    viewer: Viewer,
    limit: Limit = 20,
    cursor: Cursor = None,
    min_position: MinPosition = None,
) -> TrendingOut:
    """Videos engaged within the last day, by engagement decayed over time (half-life 6 hours). A
    page may hold fewer than ``limit`` items (blocked creators left out) and still go on."""
    await caught_up(store, model.MODEL, min_position)
    return await _top(policy, viewer, limit, cursor, None)


@router.get("/hashtags/{tag}", summary="The most trending public videos with a hashtag", responses=RESPONSES)
async def trending_hashtag(
    tag: TagPath,
    store: ReadStoreDep,
    policy: PolicyDep,
    viewer: Viewer,
    limit: Limit = 20,
    cursor: Cursor = None,
    min_position: MinPosition = None,
) -> TrendingOut:
    """The same ranking, among videos carrying the hashtag (matched as the domain writes it: lower case)."""
    try:
        (hashtag,) = valid_hashtags([tag], "")
    except InvalidCommand as exc:
        raise Problem(422, str(exc)) from None
    await caught_up(store, model.MODEL, min_position)
    return await _top(policy, viewer, limit, cursor, hashtag)


async def _top(
    policy: AccessPolicy, viewer: Actor | None, limit: int, cursor: str | None, hashtag: str | None
) -> TrendingOut:
    return await query(model.MODEL, lambda: _visible_top(policy, viewer, limit, cursor, hashtag))


def _visible_top(
    policy: AccessPolicy, viewer: Actor | None, limit: int, cursor: str | None, hashtag: str | None
) -> TrendingOut:
    page = model.top(policy.store, limit, hashtag=hashtag, cursor=cursor)
    moderation = Moderation(policy.store)
    withheld = moderation.withheld_among(v.owner_id for v in page.items)  # out of every feed, for all
    shown = [
        v
        for v in page.items
        if v.owner_id not in withheld and policy.may_view_listed(v.owner_id, "public", viewer)
    ]
    labels = moderation.labels(v.video_id for v in shown)
    return TrendingOut(
        items=[
            TrendingItem(
                video_id=v.video_id,
                owner_id=v.owner_id,
                score=v.score,
                hashtags=v.hashtags,
                labels=labels[v.video_id],
            )
            for v in shown
        ],
        next_cursor=page.next_cursor,
    )
