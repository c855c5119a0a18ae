"""The For You feed: personalised for people who consented, the same for everyone else.

Personalised (``api.recommending``): candidates from several sources ranked by the online model,
with exploration slots for new videos, spaced and filtered by ``recommend.page``, then the newest
videos the person has not seen, so the feed ends only once they saw everything recent. Its cursor
(``p.`` and a seal, ``read_models.cursors``) holds the log positions of the scroll's first page and
of the page just served: the next page waits (briefly) until the recommendations projection has
applied it, so everything this scroll served is not served again. What the person watched stays
out of every scroll for a few days; what a page served but they never watched may come again in a
new one.

Not personalised (anonymous visitors, no consent): trending now, then the newest public videos. The
cursor says which part a page continues (``t.…`` trending, ``f.…`` fresh); a video trending now may
come again among the fresh ones further down, and clients drop such repeats.

Every page served to a signed-in person is recorded as a ``FeedServed`` event: items, scores,
sources and reasons, so they can be told why and auditors can see what was shown.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from api import recommending
from api.deps import AppStateDep, optional_actor
from api.problems import Problem, problems
from api.reading import Cursor, Limit, ReadStoreDep, caught_up, query
from api.routers.moderation_common import LABELS
from api.state import AppState
from commands.context import Ports, Request
from commands.feeds import record_feed_served
from domain.actors import Actor
from domain.feeds import RecordFeedServed, ServedItem
from read_models import fresh_videos, recommendations, trending, video_details
from read_models.errors import InvalidQuery, MissingTable
from read_models.kept import FRESH, Kept
from read_models.port import ReadStore
from recommend.candidates import FRESH_REASON, TRENDING_REASON, Source
from services.moderation import Moderation

router = APIRouter(prefix="/v1/feed", tags=["feeds"])

#: The cursor of the fresh part's first page.
FRESH_START = "f.start"
#: What a personalised scroll's cursors are sealed as, after ``p.``.
SCROLL_CURSOR = "for you scroll"


class ForYouItem(BaseModel):
    video_id: str
    owner_id: str
    source: Source = Field(description="Where the item came from")
    reason: str = Field(description="A short reason the client can show beside the video")
    labels: list[str] = Field(default_factory=list, description=LABELS)


class ForYouPage(BaseModel):
    items: list[ForYouItem]
    personalised: bool = Field(description="Whether the page was ranked for the caller")
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null at the end")
    caught_up: bool = Field(
        default=False,
        description="At the end of a personalised feed: there are videos, but the caller saw them all "
        "lately (or they are the caller's own, or of creators blocked). False when nothing was published",
    )


@router.get(
    "/for-you",
    summary="Videos for you: ranked for you with your consent, else trending and the newest",
    responses=problems(s400="The cursor is not one this feed handed out", s503="Not caught up yet"),
)
async def for_you(
    store: ReadStoreDep,
    state: AppStateDep,
    viewer: Annotated[Actor | None, Depends(optional_actor)],
    limit: Limit = 10,
    cursor: Cursor = None,
) -> ForYouPage:
    """Anyone may read it. Signed in, videos of creators the caller blocked or who blocked the
    caller are left out (a page may then hold fewer than ``limit`` and still have a cursor)."""
    if viewer is not None and await _consents(store, viewer) and (cursor is None or cursor.startswith("p.")):
        return await _personalised(store, state, viewer, limit, cursor)
    page = await _general(store, viewer, limit, cursor)
    if viewer is not None:
        await _record(state.ports, viewer, page.items, [0.0] * len(page.items), personalised=False)
    return page


async def _consents(store: ReadStore, viewer: Actor) -> bool:
    """Until the recommendations projection has built its tables, nobody's feed can be personalised."""
    try:
        return await asyncio.to_thread(recommendations.consents, store, viewer.user_id)
    except MissingTable:
        return False


async def _personalised(
    store: ReadStore, state: AppState, viewer: Actor, limit: int, cursor: str | None
) -> ForYouPage:
    scroll = _scroll(store, cursor)
    await caught_up(store, recommendations.MODEL, None if scroll is None else scroll[1])
    seed = recommending.page_seed(viewer.user_id, cursor)
    now = datetime.now(UTC)
    scroll_from = None if scroll is None else scroll[0]
    page = await query(
        recommendations.MODEL,
        lambda: recommending.personalised_page(
            store, viewer.user_id, limit, now, seed, scroll_from, state.shared_reads
        ),
    )
    scored = {c.video_id: c.score for c in page.items}
    listed = [_item(c.video_id, c.owner_id, c.source, c.reason) for c in page.items]
    items = await query(recommendations.MODEL, lambda: _moderated(store, listed, state.shared_reads))
    position = await _record(
        state.ports, viewer, items, [scored[i.video_id] for i in items], personalised=True
    )
    first = position if scroll is None else scroll[0]
    sealed = store.cursors.seal(SCROLL_CURSOR, f"{first}.{position}".encode())
    next_cursor = f"p.{sealed}" if page.more else None
    return ForYouPage(items=items, personalised=True, next_cursor=next_cursor, caught_up=page.caught_up)


def _scroll(store: ReadStore, cursor: str | None) -> tuple[int, int] | None:
    """The log positions of the scroll's first page and of its last page, sealed after ``p.``."""
    if cursor is None:
        return None
    try:
        first, last = store.cursors.open(SCROLL_CURSOR, cursor.removeprefix("p.")).split(b".")
    except InvalidQuery:
        raise Problem(400, "not a For You cursor") from None
    return int(first), int(last)


async def _record(
    ports: Ports, viewer: Actor, items: list[ForYouItem], scores: list[float], *, personalised: bool
) -> int:
    served = tuple(
        ServedItem(i.video_id, score, i.source.value, i.reason)
        for i, score in zip(items, scores, strict=True)
    )
    request = Request(viewer)
    command = RecordFeedServed(viewer, request.new_id("page"), personalised, served)
    outcome = await asyncio.to_thread(record_feed_served, command, ports=ports, request=request)
    return outcome.position


async def _general(store: ReadStore, viewer: Actor | None, limit: int, cursor: str | None) -> ForYouPage:
    part, inner = _parse(cursor)
    items: list[ForYouItem] = []
    if part is Source.TRENDING:
        page = await query(trending.MODEL, lambda: trending.top(store, limit, cursor=inner))
        items = [_item(v.video_id, v.owner_id, Source.TRENDING, TRENDING_REASON) for v in page.items]
        if page.next_cursor is not None:
            return await _visible(store, viewer, items, f"t.{page.next_cursor}")
        if len(items) == limit:
            return await _visible(store, viewer, items, FRESH_START)
        inner = None
    shown = {i.video_id for i in items}
    room = limit - len(items)
    fresh = await query(fresh_videos.MODEL, lambda: fresh_videos.fresh_videos(store, room, inner))
    items += [
        _item(v.video_id, v.owner_id, Source.FRESH, FRESH_REASON)
        for v in fresh.items
        if v.video_id not in shown
    ]
    return await _visible(
        store, viewer, items, None if fresh.next_cursor is None else f"f.{fresh.next_cursor}"
    )


def _parse(cursor: str | None) -> tuple[Source, str | None]:
    if cursor is None:
        return Source.TRENDING, None
    part, dot, inner = cursor.partition(".")
    if not dot or part not in ("t", "f") or not inner:
        raise Problem(400, "not a For You cursor")
    if part == "t":
        return Source.TRENDING, inner
    return Source.FRESH, None if cursor == FRESH_START else inner


def _item(video_id: str, owner_id: str, source: Source, reason: str) -> ForYouItem:
    return ForYouItem(video_id=video_id, owner_id=owner_id, source=source, reason=reason)


def _moderated(store: ReadStore, items: list[ForYouItem], kept: Kept = FRESH) -> list[ForYouItem]:
    """Labels on each item; videos of people suspended or erased now left out."""
    moderation = Moderation(store, kept=kept)
    withheld = moderation.withheld_among(i.owner_id for i in items)
    shown = [i for i in items if i.owner_id not in withheld]
    labels = moderation.labels(i.video_id for i in shown)
    return [i.model_copy(update={"labels": labels[i.video_id]}) for i in shown]


async def _visible(
    store: ReadStore, viewer: Actor | None, items: list[ForYouItem], cursor: str | None
) -> ForYouPage:
    if viewer is not None:
        viewer_id = viewer.user_id
        blocked = await query(
            video_details.MODEL,
            lambda: video_details.blocked_among(store, viewer_id, (i.owner_id for i in items)),
        )
        items = [i for i in items if i.owner_id not in blocked]
    items = await query(video_details.MODEL, lambda: _moderated(store, items))
    return ForYouPage(items=items, personalised=False, next_cursor=cursor)
