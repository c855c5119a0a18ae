"""Discovery: search (creators, hashtags, captions), hashtag pages, the Discover tab and profiles by
handle. Anyone may read them, signed in or not; what each viewer is shown is the access policy's
to say (``services.discovery``): blocks either way, suspensions and a video's audience."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Response
from pydantic import BaseModel, Field

from api.deps import optional_actor
from api.problems import Problem, problems
from api.reading import Cursor, Limit, MinPosition, PolicyDep, ReadStoreDep, caught_up, query
from api.routers import profiles
from api.routers.media import avatar_urls
from api.routers.moderation_common import LABELS
from api.routers.trending import TagPath
from domain.actors import Actor
from domain.errors import InvalidCommand
from domain.videos.rules import valid_hashtags
from read_models import search as model
from services.discovery import Creator, Discovery, Found, Tagged
from services.moderation import Moderation

router = APIRouter(tags=["discovery"])
Viewer = Annotated[Actor | None, Depends(optional_actor)]
Q_MAX = 100


class Kind(StrEnum):
    CREATORS = "creators"
    HASHTAGS = "hashtags"
    VIDEOS = "videos"


class Sort(StrEnum):
    NEWEST = "newest"
    TRENDING = "trending"


class CreatorHit(BaseModel):
    user_id: str
    handle: str
    display_name: str | None
    avatar_url: str | None
    avatar_small_url: str | None = None


class HashtagHit(BaseModel):
    hashtag: str


class VideoHit(BaseModel):
    video_id: str
    owner_id: str
    caption: str | None
    hashtags: list[str]
    published_at: datetime | None
    labels: list[str] = Field(default_factory=list, description=LABELS)


class SearchPage(BaseModel):
    kind: Kind
    creators: list[CreatorHit] = Field(default_factory=list, description="Filled when kind=creators")
    hashtags: list[HashtagHit] = Field(default_factory=list, description="Filled when kind=hashtags")
    videos: list[VideoHit] = Field(default_factory=list, description="Filled when kind=videos")
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null at the end")


class TaggedVideo(BaseModel):
    video_id: str
    owner_id: str
    published_at: datetime | None = Field(description="Set when sorted by newest")
    labels: list[str] = Field(default_factory=list, description=LABELS)


class HashtagPage(BaseModel):
    hashtag: str
    sort: Sort
    items: list[TaggedVideo]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null at the end")


class TrendingHashtag(BaseModel):
    hashtag: str
    score: float = Field(description="The trending score of its videos together, as of now")


class DiscoverOut(BaseModel):
    hashtags: list[TrendingHashtag]
    creators: list[CreatorHit]


def _creator(c: Creator) -> CreatorHit:
    large, small = avatar_urls(c.user_id, c.avatar_url)
    return CreatorHit(
        user_id=c.user_id,
        handle=c.handle,
        display_name=c.display_name,
        avatar_url=large,
        avatar_small_url=small,
    )


@router.get(
    "/v1/search",
    summary="Search creators, hashtags or captions by prefix",
    responses=problems(
        s400="The cursor is not one this search handed out",
        s422="q is empty or over 100 characters once trimmed, or kind or limit is invalid",
        s503="The search index is not built yet",
    ),
)
async def search(
    policy: PolicyDep,
    viewer: Viewer,
    q: Annotated[
        str,
        Query(
            min_length=1, max_length=Q_MAX, pattern=r"\S", description="1 to 100 characters, not all spaces"
        ),
    ],
    kind: Kind = Kind.CREATORS,
    limit: Limit = 10,
    cursor: Cursor = None,
) -> SearchPage:
    """Creators by handle or display name, hashtags, or videos by the words of their captions: each
    word of ``q`` starts a word of the match, whatever its case and accents (``jose`` finds José).
    Matching by prefix starts at the third character: a shorter ``q`` finds only terms that short.
    A page may hold fewer than ``limit`` items and still have a ``next_cursor``; only public videos
    are ever found, and nothing of an erased person."""
    text = q.strip()
    if not 1 <= len(text) <= Q_MAX:
        raise Problem(
            422,
            "q must be 1 to 100 characters once trimmed",
            errors=[{"location": ["query", "q"], "message": "1 to 100 characters", "type": "value_error"}],
        )
    discovery = Discovery(policy)
    return await query(model.MODEL, lambda: _search(discovery, text, kind, viewer, limit, cursor))


def _search(
    discovery: Discovery, q: str, kind: Kind, viewer: Actor | None, limit: int, cursor: str | None
) -> SearchPage:
    if kind is Kind.CREATORS:
        people = discovery.creators(q, viewer, limit, cursor)
        return SearchPage(
            kind=kind, creators=[_creator(c) for c in people.items], next_cursor=people.next_cursor
        )
    if kind is Kind.HASHTAGS:
        tags = discovery.hashtags(q, viewer, limit, cursor)
        found = [HashtagHit(hashtag=t) for t in tags.items]
        return SearchPage(kind=kind, hashtags=found, next_cursor=tags.next_cursor)
    cards = discovery.videos(q, viewer, limit, cursor)
    labels = Moderation(discovery.store).labels(c.video_id for c in cards.items)
    videos = [
        VideoHit(
            video_id=c.video_id,
            owner_id=c.owner_id,
            caption=c.caption,
            hashtags=c.hashtags,
            published_at=c.published_at,
            labels=labels[c.video_id],
        )
        for c in cards.items
    ]
    return SearchPage(kind=kind, videos=videos, next_cursor=cards.next_cursor)


@router.get(
    "/v1/hashtags/{tag}",
    summary="A hashtag's page: its public videos, newest or most trending first",
    responses=problems(
        s400="The cursor is not one this page handed out",
        s422="The hashtag, sort or limit is invalid",
        s503="The read model is not built yet",
    ),
)
async def hashtag_page(
    tag: TagPath,
    policy: PolicyDep,
    viewer: Viewer,
    sort: Sort = Sort.NEWEST,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> HashtagPage:
    """The listed public videos carrying the hashtag (lower case, with or without its '#'), those of
    creators blocked either way or suspended left out."""
    try:
        (hashtag,) = valid_hashtags([tag], "")
    except InvalidCommand as exc:
        raise Problem(422, str(exc)) from None
    discovery = Discovery(policy)
    if sort is Sort.NEWEST:
        page: Found[Tagged] = await query(
            model.MODEL, lambda: discovery.newest_tagged(hashtag, viewer, limit, cursor)
        )
    else:
        page = await query(model.MODEL, lambda: discovery.trending_tagged(hashtag, viewer, limit, cursor))
    items = [
        TaggedVideo(video_id=t.video_id, owner_id=t.owner_id, published_at=t.published_at, labels=t.labels)
        for t in page.items
    ]
    return HashtagPage(hashtag=hashtag, sort=sort, items=items, next_cursor=page.next_cursor)


@router.get(
    "/v1/discover", summary="Trending hashtags and creators", responses=problems(s503="Not built yet")
)
async def discover(policy: PolicyDep, viewer: Viewer) -> DiscoverOut:
    """Hashtags and creators by the trending score of their public videos (the newest videos fill in
    while little is trending); creators blocked either way, suspended or erased left out."""
    found = await query(model.MODEL, lambda: Discovery(policy).discover(viewer))
    hashtags = [TrendingHashtag(hashtag=t.hashtag, score=t.score) for t in found.hashtags]
    return DiscoverOut(hashtags=hashtags, creators=[_creator(c) for c in found.creators])


HandlePath = Annotated[
    str,
    Path(
        pattern=r"^@?[A-Za-z0-9_.]{1,24}$",
        description="A handle, with or without its leading '@', in any case",
    ),
]


@router.get(
    "/v1/users/by-handle/{handle}",
    response_model=profiles.ProfileOut,
    summary="A user's profile, by handle",
    responses={
        304: {"description": "Unchanged since the ETag given in If-None-Match"},
        **problems(s404="Unknown or erased handle, or a user who blocked the caller", s422="Not a handle"),
    },
)
async def profile_by_handle(
    handle: HandlePath,
    store: ReadStoreDep,
    policy: PolicyDep,
    viewer: Viewer,
    min_position: MinPosition = None,
    if_none_match: Annotated[str | None, Header(max_length=1024)] = None,
) -> Response:
    """The profile exactly as ``GET /v1/users/{user_id}`` answers it, through the same checks."""
    await caught_up(store, model.MODEL, min_position)
    user_id = await query(model.MODEL, lambda: model.holder_of(store, handle.removeprefix("@")))
    if user_id is None:
        raise Problem(404, "user not found")
    return await profiles.get_profile(user_id, store, policy, viewer, min_position, if_none_match)
