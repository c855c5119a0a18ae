"""User profiles as the ``profiles`` projector keeps them, and their queries.

One table per access pattern:

- ``profiles``: the profile card by user (handle, display name, bio, avatar: ``None`` once erased).
- ``profile_counts``: followers, following, listed videos and likes received (both per audience)
  by user, one row per writing partition (``shard``): a total is the sum of the user's shards
  (``profile``). Totals only move through ``Writer.add`` (an ``applied_position`` per row), never
  counter columns.
- ``user_videos``: a user's published, unhidden videos, newest first, one partition per audience
  (``visibility``): a viewer's page merges only the partitions the access policy opens to them, so
  it is full whenever there is more they may see, and neither its length nor its cursor tells how
  many videos they may not.
- ``followers`` / ``following``: a user's followers and followees, most recent follow first.
- ``follow_edges``: who follows whom right now, and since when (``follows`` asks it). Partitioned by
  the person followed, so that an erasure of them finds every follow of theirs.
- ``video_owner`` and ``followee_edges``: the projector's own lookups (a video's owner and listing
  state; a follow's start seen from the person followed, partitioned by the follower, so that an
  erasure of the follower finds it). Not for queries.
"""

from __future__ import annotations

import dataclasses
import heapq
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Generic, TypeVar

from read_models.erasure_marks import erasure_marks
from read_models.listing import bucket_cursor, parse_bucket_cursor
from read_models.live import ReadModel
from read_models.port import ReadStore
from read_models.tables import (
    BOOL,
    DESC,
    INT,
    TEXT,
    TEXT_LIST,
    TIMESTAMP,
    Clustering,
    Row,
    Table,
    columns_of,
)

#: Bumping it makes the projector fill fresh tables (``profiles_v2``…) from the start of the log.
#: 2: video_owner.known_since, so a replayed like counts as it did the first time.
#: 3: an erased person keeps no handle and leaves every follow list.
#: 4: partitioned by person and video: totals in shards, each follow's two sides in their own lookups.
#: 5: a follow that reached the log after either person's erasure lists nobody (``profiles_erased``).
#: 6: a user's videos partitioned and counted by audience, and the likes they received counted by
#: the audience of the video liked, so a stranger learns nothing of hidden ones.
VERSION = 6
MODEL = ReadModel("profiles", VERSION)
APPLIED = "applied_position"
#: A user's listed videos are counted per audience, so a viewer is told only of those they may see.
VIDEO_COUNTS = {"public": "public_videos", "followers": "followers_videos", "private": "private_videos"}
#: Where the likes of a video not listed now (unpublished, hidden, deleted) are counted: its owner's.
UNLISTED = "unlisted"
#: Likes received are counted by the audience of the video liked, as it is now (a video's own total,
#: ``video_owner.likes``, moves with it), so a viewer is told only of likes on videos they may see.
LIKE_COUNTS = {
    "public": "public_likes",
    "followers": "followers_likes",
    "private": "private_likes",
    UNLISTED: "unlisted_likes",
}
COUNTS = ("followers", "following", *VIDEO_COUNTS.values(), *LIKE_COUNTS.values())
SHARD = "shard"
#: More shards than any deployment has partitions (a user's shards are read in one page).
MAX_SHARDS = 100
PUBLIC = "public"
#: What the video lists' cursors are sealed as (``read_models.cursors``).
VIDEOS_CURSOR = "user videos"

PROFILES = Table(
    "profiles",
    columns=columns_of(user_id=TEXT, handle=TEXT, display_name=TEXT, erased=BOOL, bio=TEXT, avatar_url=TEXT),
    partition_key=("user_id",),
)
PROFILE_COUNTS = Table(
    "profile_counts",
    columns=columns_of(user_id=TEXT, shard=TEXT, **dict.fromkeys(COUNTS, INT), **{APPLIED: INT}),
    partition_key=("user_id",),
    clustering=(Clustering(SHARD),),
)
USER_VIDEOS = Table(
    "user_videos",
    columns=columns_of(
        user_id=TEXT, published_at=TIMESTAMP, video_id=TEXT, visibility=TEXT, hashtags=TEXT_LIST
    ),
    partition_key=("user_id", "visibility"),
    clustering=(Clustering("published_at", DESC), Clustering("video_id", DESC)),
)
FOLLOWERS = Table(
    "followers",
    columns=columns_of(user_id=TEXT, followed_at=TIMESTAMP, follower_id=TEXT),
    partition_key=("user_id",),
    clustering=(Clustering("followed_at", DESC), Clustering("follower_id")),
)
FOLLOWING = Table(
    "following",
    columns=columns_of(user_id=TEXT, followed_at=TIMESTAMP, followee_id=TEXT),
    partition_key=("user_id",),
    clustering=(Clustering("followed_at", DESC), Clustering("followee_id")),
)
VIDEO_OWNER = Table(
    "video_owner",
    columns=columns_of(
        video_id=TEXT,
        owner_id=TEXT,
        published=BOOL,
        published_at=TIMESTAMP,
        visibility=TEXT,
        hashtags=TEXT_LIST,
        hidden=BOOL,
        deleted=BOOL,
        known_since=INT,
        likes=INT,
        **{APPLIED: INT},
    ),
    partition_key=("video_id",),
)
FOLLOW_EDGES = Table(
    "follow_edges",
    columns=columns_of(followee_id=TEXT, follower_id=TEXT, followed_at=TIMESTAMP),
    partition_key=("followee_id",),
    clustering=(Clustering("follower_id"),),
)
FOLLOWEE_EDGES = Table(
    "followee_edges",
    columns=columns_of(follower_id=TEXT, followee_id=TEXT, followed_at=TIMESTAMP),
    partition_key=("follower_id",),
    clustering=(Clustering("followee_id"),),
)

PROFILES_ERASED = erasure_marks("profiles_erased")

TABLES = (
    PROFILES,
    PROFILE_COUNTS,
    USER_VIDEOS,
    FOLLOWERS,
    FOLLOWING,
    VIDEO_OWNER,
    FOLLOW_EDGES,
    FOLLOWEE_EDGES,
    PROFILES_ERASED,
)

T = TypeVar("T")


@dataclasses.dataclass(frozen=True, slots=True)
class Profile:
    user_id: str
    handle: str | None  # None once erased
    display_name: str | None
    erased: bool
    bio: str | None
    avatar_url: str | None
    followers: int = 0
    following: int = 0
    public_videos: int = 0
    followers_videos: int = 0
    private_videos: int = 0
    public_likes: int = 0
    followers_likes: int = 0
    private_likes: int = 0
    unlisted_likes: int = 0

    @property
    def videos(self) -> int:
        """Every listed video, whatever its audience: what the owner is told."""
        return self.videos_in(VIDEO_COUNTS)

    @property
    def likes_received(self) -> int:
        """Every like on any of their videos: what the owner is told."""
        return self.likes_in(LIKE_COUNTS)

    def videos_in(self, audiences: Iterable[str]) -> int:
        """The listed videos of these audiences (``VIDEO_COUNTS``' keys): what a viewer is told."""
        return sum(getattr(self, VIDEO_COUNTS[a]) for a in set(audiences))

    def likes_in(self, audiences: Iterable[str]) -> int:
        """The likes on videos of these audiences (``LIKE_COUNTS``' keys): what a viewer is told."""
        return sum(getattr(self, LIKE_COUNTS[a]) for a in set(audiences))


@dataclasses.dataclass(frozen=True, slots=True)
class ListedVideo:
    video_id: str
    published_at: datetime
    visibility: str
    hashtags: list[str]


@dataclasses.dataclass(frozen=True, slots=True)
class Follow:
    user_id: str
    followed_at: datetime


@dataclasses.dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def handles_of(store: ReadStore, user_ids: Iterable[str]) -> dict[str, str]:
    """The handles of those of ``user_ids`` who have one and are not erased, in one round of reads."""
    wanted = list(dict.fromkeys(user_ids))
    rows = store.get_many(MODEL.table(store, PROFILES), [{"user_id": u} for u in wanted])
    return {
        u: row["handle"]
        for u, row in zip(wanted, rows, strict=True)
        if row is not None and not row["erased"] and row["handle"] is not None
    }


def profile(store: ReadStore, user_id: str) -> Profile | None:
    """The profile card with its totals (each the sum of its shards); ``None`` for a user never
    registered."""
    row = store.get(MODEL.table(store, PROFILES), {"user_id": user_id})
    if row is None:
        return None
    shards = store.page(MODEL.table(store, PROFILE_COUNTS), {"user_id": user_id}, limit=MAX_SHARDS).rows
    counts = {name: sum(shard[name] or 0 for shard in shards) for name in COUNTS}
    return Profile(
        user_id=user_id,
        handle=row["handle"],
        display_name=row["display_name"],
        erased=bool(row["erased"]),
        bio=row["bio"],
        avatar_url=row["avatar_url"],
        **counts,
    )


def follows(store: ReadStore, follower_id: str, followee_id: str) -> bool:
    """Whether one user follows another right now: one key in the follow edges."""
    key = {"follower_id": follower_id, "followee_id": followee_id}
    return store.get(MODEL.table(store, FOLLOW_EDGES), key) is not None


def videos_of(
    store: ReadStore, user_id: str, audiences: Sequence[str], limit: int, cursor: str | None = None
) -> Page[ListedVideo]:
    """The user's listed videos of these ``audiences`` (visibilities), newest first: the access policy
    says which a viewer may see (``services.access``), and only those partitions are read."""
    table = MODEL.table(store, USER_VIDEOS)
    after = parse_bucket_cursor(store.cursors, VIDEOS_CURSOR, cursor)[1] if cursor else None
    pages = [
        store.page(table, {"user_id": user_id, "visibility": audience}, end=after, limit=limit)
        for audience in dict.fromkeys(audiences)
    ]
    merged = list(heapq.merge(*(p.rows for p in pages), key=_newest_first, reverse=True))
    rows = merged[:limit]
    more = len(merged) > limit or any(p.cursor is not None for p in pages)
    # One list, not kept in time buckets: the cursor's bucket is always 0.
    next_cursor = bucket_cursor(store.cursors, VIDEOS_CURSOR, 0, rows[-1]) if more and rows else None
    return Page([_video(r) for r in rows], next_cursor)


def _newest_first(row: Row) -> tuple[datetime, str]:
    """As each partition clusters: publish time, then video id, both descending."""
    return row["published_at"], row["video_id"]


def followers_of(store: ReadStore, user_id: str, limit: int, cursor: str | None = None) -> Page[Follow]:
    """Who follows the user, most recent first."""
    page = store.page(MODEL.table(store, FOLLOWERS), {"user_id": user_id}, limit=limit, cursor=cursor)
    return Page([Follow(r["follower_id"], r["followed_at"]) for r in page.rows], page.cursor)


def following_of(store: ReadStore, user_id: str, limit: int, cursor: str | None = None) -> Page[Follow]:
    """Whom the user follows, most recent first."""
    page = store.page(MODEL.table(store, FOLLOWING), {"user_id": user_id}, limit=limit, cursor=cursor)
    return Page([Follow(r["followee_id"], r["followed_at"]) for r in page.rows], page.cursor)


def _video(row: Row) -> ListedVideo:
    return ListedVideo(
        video_id=row["video_id"],
        published_at=row["published_at"],
        visibility=row["visibility"],
        hashtags=list(row["hashtags"] or []),
    )
