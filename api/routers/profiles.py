"""Profiles as the ``profiles`` projector keeps them: the card with its totals, a user's videos,
followers and following, each page newest first with an opaque ``next_cursor``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Header, Response
from pydantic import BaseModel, Field

from api.deps import IdPath, optional_actor
from api.problems import Problem
from api.reading import Cursor, Limit, MinPosition, ReadStoreDep, caught_up, query, tagged
from domain.actors import Actor
from read_models import profiles as model

router = APIRouter(prefix="/v1/users", tags=["profiles"])
T = TypeVar("T")


class ProfileOut(BaseModel):
    user_id: str
    handle: str
    display_name: str | None = Field(description="None once the user's personal data was erased")
    erased: bool = Field(description="Whether the user's personal data was erased")
    bio: str | None
    avatar_url: str | None
    followers: int
    following: int
    videos: int = Field(description="Published videos currently listed, whatever their visibility")
    likes_received: int
    followed_by_me: bool | None = Field(description="Whether the caller follows them; None when anonymous")


class VideoItem(BaseModel):
    video_id: str
    published_at: datetime
    visibility: str
    hashtags: list[str]


class UserItem(BaseModel):
    user_id: str
    followed_at: datetime


class VideoPage(BaseModel):
    items: list[VideoItem]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null at the end")


class UserPage(BaseModel):
    items: list[UserItem]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null at the end")


@router.get(
    "/{user_id}",
    response_model=ProfileOut,
    summary="A user's profile with its totals",
    responses={304: {"description": "Unchanged since the ETag given in If-None-Match"}},
)
async def get_profile(
    user_id: IdPath,
    store: ReadStoreDep,
    viewer: Annotated[Actor | None, Depends(optional_actor)],
    min_position: MinPosition = None,
    if_none_match: Annotated[str | None, Header(max_length=1024)] = None,
) -> Response:
    """The profile card, followers, following, listed videos and likes received, and whether the
    caller follows this user. Carries an ``ETag`` (it differs per viewer, hence ``Vary``); send it back
    in ``If-None-Match`` to get 304 while nothing changed."""
    await caught_up(store, model.MODEL, min_position)
    card = await query(model.MODEL, lambda: model.profile(store, user_id))
    if card is None:
        raise Problem(404, "user not found")
    body = ProfileOut(
        user_id=card.user_id,
        handle=card.handle,
        display_name=card.display_name,
        erased=card.erased,
        bio=card.bio,
        avatar_url=card.avatar_url,
        followers=card.followers,
        following=card.following,
        videos=card.videos,
        likes_received=card.likes_received,
        followed_by_me=None if viewer is None else model.follows(store, viewer.user_id, user_id),
    ).model_dump_json()
    return tagged(body.encode(), if_none_match, vary="Authorization")


@router.get("/{user_id}/videos", summary="A user's published videos, newest first")
async def user_videos(
    user_id: IdPath,
    store: ReadStoreDep,
    viewer: Annotated[Actor | None, Depends(optional_actor)],
    limit: Limit = 20,
    cursor: Cursor = None,
    min_position: MinPosition = None,
) -> VideoPage:
    """The owner sees all their listed videos; everyone else sees the public ones (a page may then
    hold fewer than ``limit`` items and still have a ``next_cursor``)."""
    await caught_up(store, model.MODEL, min_position)
    viewer_id = None if viewer is None else viewer.user_id
    page = await query(model.MODEL, lambda: model.videos_of(store, user_id, viewer_id, limit, cursor))
    return VideoPage(
        items=[
            VideoItem(
                video_id=v.video_id, published_at=v.published_at, visibility=v.visibility, hashtags=v.hashtags
            )
            for v in page.items
        ],
        next_cursor=page.next_cursor,
    )


@router.get("/{user_id}/followers", summary="Who follows a user, most recent first")
async def followers(
    user_id: IdPath,
    store: ReadStoreDep,
    limit: Limit = 20,
    cursor: Cursor = None,
    min_position: MinPosition = None,
) -> UserPage:
    await caught_up(store, model.MODEL, min_position)
    page = await query(model.MODEL, lambda: model.followers_of(store, user_id, limit, cursor))
    return _users(page)


@router.get("/{user_id}/following", summary="Whom a user follows, most recent first")
async def following(
    user_id: IdPath,
    store: ReadStoreDep,
    limit: Limit = 20,
    cursor: Cursor = None,
    min_position: MinPosition = None,
) -> UserPage:
    await caught_up(store, model.MODEL, min_position)
    page = await query(model.MODEL, lambda: model.following_of(store, user_id, limit, cursor))
    return _users(page)


def _users(page: model.Page[model.Follow]) -> UserPage:
    return UserPage(
        items=[UserItem(user_id=f.user_id, followed_at=f.followed_at) for f in page.items],
        next_cursor=page.next_cursor,
    )
