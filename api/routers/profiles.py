"""Profiles as the ``profiles`` projector keeps them: the card with its totals, a user's videos,
followers and following, each page newest first with an opaque ``next_cursor``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Header, Response
from pydantic import BaseModel, Field

from api.deps import IdPath, optional_actor
from api.problems import Problem, problems
from api.reading import Cursor, Limit, MinPosition, PolicyDep, ReadStoreDep, caught_up, query, tagged
from api.routers.media import avatar_urls
from domain.actors import Actor
from read_models import profiles as model
from services.access import AccessPolicy, sees_suspended
from services.moderation import Moderation

router = APIRouter(prefix="/v1/users", tags=["profiles"])
T = TypeVar("T")
Viewer = Annotated[Actor | None, Depends(optional_actor)]
_HIDDEN = "Unknown user, or one who blocked the caller"


class ProfileOut(BaseModel):
    user_id: str
    handle: str | None = Field(description="None once the user's personal data was erased")
    display_name: str | None = Field(description="None once the user's personal data was erased")
    erased: bool = Field(description="Whether the user's personal data was erased")
    bio: str | None
    avatar_url: str | None = Field(description="The profile's picture (320 pixels square if uploaded)")
    avatar_small_url: str | None = Field(
        default=None, description="The same picture, 96 pixels square if uploaded (else the same URL)"
    )
    followers: int
    following: int
    videos: int = Field(description="Listed videos the caller may see: all of them for their owner")
    likes_received: int = Field(
        description="Likes on the videos the caller may see; on all of their videos, ever, for their owner"
    )
    followed_by_me: bool | None = Field(description="Whether the caller follows them; None when anonymous")
    suspended: bool = Field(
        default=False,
        description="Suspended now: to anyone but them and moderators their display name, bio, avatar "
        "and videos are withheld (null, 0, an empty list) until the suspension is lifted",
    )


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
    responses={
        304: {"description": "Unchanged since the ETag given in If-None-Match"},
        **problems(s404=_HIDDEN),
    },
)
async def get_profile(
    user_id: IdPath,
    store: ReadStoreDep,
    policy: PolicyDep,
    viewer: Viewer,
    min_position: MinPosition = None,
    if_none_match: Annotated[str | None, Header(max_length=1024)] = None,
) -> Response:
    """The profile card, followers, following, listed videos and likes received, and whether the
    caller follows this user. A suspended user's profile says so; to others it withholds their own
    words and videos (see ``suspended``). Carries an ``ETag`` (it differs per viewer, hence
    ``Vary``); send it back in ``If-None-Match`` to get 304 while nothing changed."""
    await caught_up(store, model.MODEL, min_position)
    card = await _visible_profile(policy, user_id, viewer)
    suspended, withheld = await query(model.MODEL, lambda: _suspension(policy, user_id, viewer))
    followed = (
        None
        if viewer is None
        else await query(model.MODEL, lambda: model.follows(store, viewer.user_id, user_id))
    )
    audiences = policy.audiences(user_id, viewer, follows=bool(followed))
    own = viewer is not None and viewer.user_id == user_id
    avatar, avatar_small = avatar_urls(card.user_id, None if withheld else card.avatar_url)
    body = ProfileOut(
        user_id=card.user_id,
        handle=card.handle,
        display_name=None if withheld else card.display_name,
        erased=card.erased,
        bio=None if withheld else card.bio,
        avatar_url=avatar,
        avatar_small_url=avatar_small,
        followers=card.followers,
        following=card.following,
        videos=0 if withheld else card.videos_in(audiences),
        likes_received=card.likes_received if own else card.likes_in(audiences),
        followed_by_me=followed,
        suspended=suspended,
    ).model_dump_json()
    return tagged(body.encode(), if_none_match, vary="Authorization")


@router.get(
    "/{user_id}/videos", summary="A user's published videos, newest first", responses=problems(s404=_HIDDEN)
)
async def user_videos(
    user_id: IdPath,
    store: ReadStoreDep,
    policy: PolicyDep,
    viewer: Viewer,
    limit: Limit = 20,
    cursor: Cursor = None,
    min_position: MinPosition = None,
) -> VideoPage:
    """The listed videos the caller may see: the owner all of theirs, followers also the
    followers-only ones, everyone else the public ones. A page is full whenever more are left that
    the caller may see, so it tells nothing of the videos they may not."""
    await caught_up(store, model.MODEL, min_position)
    await _visible_profile(policy, user_id, viewer)
    page = await query(model.MODEL, lambda: _videos_seen(policy, user_id, viewer, limit, cursor))
    return VideoPage(
        items=[
            VideoItem(
                video_id=v.video_id, published_at=v.published_at, visibility=v.visibility, hashtags=v.hashtags
            )
            for v in page.items
        ],
        next_cursor=page.next_cursor,
    )


def _suspension(policy: AccessPolicy, user_id: str, viewer: Actor | None) -> tuple[bool, bool]:
    """Whether the user is suspended now, and whether their profile's content is withheld from the
    viewer for it (from everyone but them and moderators)."""
    suspended = Moderation(policy.store).suspended(user_id)
    return suspended, suspended and not sees_suspended(user_id, viewer)


def _videos_seen(
    policy: AccessPolicy, user_id: str, viewer: Actor | None, limit: int, cursor: str | None
) -> model.Page[model.ListedVideo]:
    if policy.withheld(user_id, viewer):
        return model.Page([], None)
    page = model.videos_of(policy.store, user_id, policy.audiences(user_id, viewer), limit, cursor)
    shown = [v for v in page.items if policy.may_view_listed(user_id, v.visibility, viewer)]
    return model.Page(shown, page.next_cursor)


async def _visible_profile(policy: AccessPolicy, user_id: str, viewer: Actor | None) -> model.Profile:
    """The profile the caller may see, or 404: unknown and blocked read alike."""
    card = await query(model.MODEL, lambda: policy.profile(user_id, viewer))
    if card is None:
        raise Problem(404, "user not found")
    return card


@router.get(
    "/{user_id}/followers", summary="Who follows a user, most recent first", responses=problems(s404=_HIDDEN)
)
async def followers(
    user_id: IdPath,
    store: ReadStoreDep,
    policy: PolicyDep,
    viewer: Viewer,
    limit: Limit = 20,
    cursor: Cursor = None,
    min_position: MinPosition = None,
) -> UserPage:
    await caught_up(store, model.MODEL, min_position)
    await _visible_profile(policy, user_id, viewer)
    page = await query(model.MODEL, lambda: model.followers_of(store, user_id, limit, cursor))
    return await _users(policy, page, viewer)


@router.get(
    "/{user_id}/following", summary="Whom a user follows, most recent first", responses=problems(s404=_HIDDEN)
)
async def following(
    user_id: IdPath,
    store: ReadStoreDep,
    policy: PolicyDep,
    viewer: Viewer,
    limit: Limit = 20,
    cursor: Cursor = None,
    min_position: MinPosition = None,
) -> UserPage:
    await caught_up(store, model.MODEL, min_position)
    await _visible_profile(policy, user_id, viewer)
    page = await query(model.MODEL, lambda: model.following_of(store, user_id, limit, cursor))
    return await _users(policy, page, viewer)


async def _users(policy: AccessPolicy, page: model.Page[model.Follow], viewer: Actor | None) -> UserPage:
    """The page without the people who have a block with the viewer (they do not see each other);
    an anonymous viewer has none, so their page asks nothing more of the store."""
    people = [f.user_id for f in page.items]
    blocked: set[str] = set()
    if viewer is not None:
        blocked = await query(model.MODEL, lambda: policy.blocked_among(people, viewer))
    return UserPage(
        items=[
            UserItem(user_id=f.user_id, followed_at=f.followed_at)
            for f in page.items
            if f.user_id not in blocked
        ],
        next_cursor=page.next_cursor,
    )
