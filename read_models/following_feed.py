"""The Following feed, as the ``following_feed`` projector keeps it, and its query.

Hybrid fan-out (DESIGN §5): a video of a creator with few followers is copied into each follower's
``following_feed`` when it is published; a creator with many followers ("large") is not fanned out,
and the query merges their ``feed_creator_videos`` in at read time, listed for each follower in
``feed_merged_creators``. Either way a row sits in a partition ``(user or creator, bucket)``, where
the bucket is the week the video was published, clustered newest first, so every partition stays
bounded. Rows expire ``HORIZON`` after publication; the query walks buckets from now back to the
horizon until the page is full.

The projector's own lookups, not for queries: ``feed_creators`` (follower count, large or not,
erased), ``feed_video_state`` (each video's listing state), ``feed_followers`` / ``feed_followees``
(the follow graph, to fan out and to clean up).
"""

from __future__ import annotations

import dataclasses
import functools
import heapq
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from read_models import sqlite_sql as sql
from read_models.erasure_marks import erasure_marks
from read_models.kept import FRESH, Kept
from read_models.listing import LISTING_STATE, bucket_cursor, parse_bucket_cursor
from read_models.live import ReadModel
from read_models.port import FirstRows, ReadStore
from read_models.sqlite import SQLiteReadStore
from read_models.tables import (
    BOOL,
    DESC,
    INT,
    TEXT,
    TEXT_LIST,
    TIMESTAMP,
    Clustering,
    ColumnType,
    Row,
    Table,
    columns_of,
)

#: Bumping it makes the projector fill fresh tables (``following_feed_v2``…) from the start of the log.
#: 2: an erasure drops the follows of the erased person too; 3: a follow that reached the log after
#: either person's erasure is not applied (``feed_erased``)
VERSION = 3
MODEL = ReadModel("following_feed", VERSION)
APPLIED = "applied_position"
#: Partitions hold one week of videos each.
BUCKET = timedelta(days=7)
#: How long a video stays in feeds after it was published.
HORIZON = timedelta(days=60)
#: Visibilities a follower's feed shows; private videos never appear.
SHOWN = ("public", "followers")

#: What a feed row says about its video (a creator's own list has the same shape).
_VIDEO = columns_of(
    bucket=INT, published_at=TIMESTAMP, video_id=TEXT, owner_id=TEXT, visibility=TEXT, hashtags=TEXT_LIST
)
_NEWEST_FIRST = (Clustering("published_at", DESC), Clustering("video_id", DESC))

FOLLOWING_FEED = Table(
    "following_feed",
    columns=(*columns_of(user_id=TEXT), *_VIDEO),
    partition_key=("user_id", "bucket"),
    clustering=_NEWEST_FIRST,
)
CREATOR_VIDEOS = Table(
    "feed_creator_videos",
    columns=_VIDEO,
    partition_key=("owner_id", "bucket"),
    clustering=_NEWEST_FIRST,
)
MERGED_CREATORS = Table(
    "feed_merged_creators",
    columns=columns_of(user_id=TEXT, creator_id=TEXT),
    partition_key=("user_id",),
    clustering=(Clustering("creator_id"),),
)
CREATORS = Table(
    "feed_creators",
    columns=columns_of(creator_id=TEXT, followers=INT, large=BOOL, erased=BOOL, **{APPLIED: INT}),
    partition_key=("creator_id",),
)
VIDEO_STATE = Table(
    "feed_video_state",
    columns=(*LISTING_STATE, *columns_of(**{APPLIED: INT})),
    partition_key=("video_id",),
)
FOLLOWERS = Table(
    "feed_followers",
    columns=columns_of(creator_id=TEXT, follower_id=TEXT),
    partition_key=("creator_id",),
    clustering=(Clustering("follower_id"),),
)
FOLLOWEES = Table(
    "feed_followees",
    columns=columns_of(user_id=TEXT, followee_id=TEXT),
    partition_key=("user_id",),
    clustering=(Clustering("followee_id"),),
)

ERASED = erasure_marks("feed_erased")

TABLES = (
    FOLLOWING_FEED,
    CREATOR_VIDEOS,
    MERGED_CREATORS,
    CREATORS,
    VIDEO_STATE,
    FOLLOWERS,
    FOLLOWEES,
    ERASED,
)

#: Rows a partition read fetches at most (the store's own ceiling).
READ_LIMIT = 1000
#: Weeks of a feed read in one round: most first pages need two or three.
WINDOW = 3
#: Rows of a large creator's week kept for everyone's first pages: as many as a page may ask for.
KEPT_ROWS = 100
#: What the feed's cursors are sealed as (``read_models.cursors``).
CURSOR_KIND = "following feed"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def bucket_of(moment: datetime) -> int:
    return (moment - _EPOCH) // BUCKET


def buckets_back_from(now: datetime) -> range:
    """The buckets that may hold live rows, newest first."""
    return range(bucket_of(now), bucket_of(now - HORIZON) - 1, -1)


def ttl_for(published_at: datetime, now: datetime) -> int | None:
    """Seconds a row of a video published then has left to live; ``None`` once past the horizon."""
    left = int((published_at + HORIZON - now).total_seconds())
    return left if left > 0 else None


class FeedItem(NamedTuple):
    """A tuple rather than a frozen dataclass: a page makes one for each of its rows, and a frozen
    dataclass sets each field through ``object.__setattr__`` (1.0 µs an item against 0.4 µs)."""

    video_id: str
    owner_id: str
    published_at: datetime
    visibility: str
    hashtags: list[str]


@dataclasses.dataclass(frozen=True, slots=True)
class FeedPage:
    items: list[FeedItem]
    next_cursor: str | None


def following_feed(
    store: ReadStore,
    user_id: str,
    limit: int,
    cursor: str | None = None,
    now: datetime | None = None,
    kept: Kept = FRESH,
) -> FeedPage:
    """The user's feed, newest first: fanned-out rows and large followees' videos, merged.

    The cursor names the bucket and the last item's clustering key; the next page starts strictly
    after it. A full page always carries a cursor, so the page after it may be empty. On SQLite the
    page is one statement (``_in_one_statement``); elsewhere it is read bucket by bucket, and a large
    creator's rows, the same for each of their followers, may be ``kept`` for a moment."""
    now = now or datetime.now(UTC)
    buckets = buckets_back_from(now)
    bucket, after = parse_bucket_cursor(store.cursors, CURSOR_KIND, cursor) if cursor else (buckets[0], None)
    bucket = min(bucket, buckets[0])  # a bucket ahead of now holds nothing yet
    if isinstance(store, SQLiteReadStore):
        return _in_one_statement(store, user_id, limit, (bucket, buckets[-1]), after)
    return bucket_by_bucket(store, user_id, limit, (bucket, buckets[-1]), after, kept)


def bucket_by_bucket(
    store: ReadStore,
    user_id: str,
    limit: int,
    span: tuple[int, int],
    after: tuple[datetime, str] | None,
    kept: Kept = FRESH,
) -> FeedPage:
    """The page read partition by partition through the port: for each bucket from ``span[0]`` down
    to ``span[1]``, the user's rows and each merged creator's (those creators read beside the first
    buckets' own rows)."""
    bucket, last = span
    merged: list[str] | None = None
    items: list[Row] = []
    while bucket >= last:
        # The cursor's bucket alone (it starts after the cursor); then a few weeks at a time, which
        # most pages need: one round for them all instead of one each.
        oldest = bucket if after is not None else max(last, bucket - WINDOW + 1)
        window = list(range(bucket, oldest - 1, -1))
        read, merged = _buckets(store, kept, user_id, merged, window, after, limit - len(items))
        for week, rows in zip(window, read, strict=True):
            items += rows[: limit - len(items)]
            if len(items) == limit:
                return FeedPage(
                    [_item(r) for r in items], bucket_cursor(store.cursors, CURSOR_KIND, week, items[-1])
                )
        bucket, after = window[-1] - 1, None
    return FeedPage([_item(r) for r in items], None)


def _in_one_statement(
    store: SQLiteReadStore,
    user_id: str,
    limit: int,
    span: tuple[int, int],
    after: tuple[datetime, str] | None,
) -> FeedPage:
    """The same page as ``bucket_by_bucket`` in one statement: each source's first ``limit`` rows
    over the whole span in the walk's order (bucket, then clustering key, newest first; the user's
    own row before a merged creator's at a tie), then the walk's rule for a video found in both
    (within a bucket, a row repeating the video just kept is skipped). Each source gives at most
    ``limit`` rows, so the first ``limit`` kept are the walk's.

    The statement hands back only the first ``limit`` rows of the merge: SQLite builds no row the
    page will not use. Where the rule skipped one of them (a video in both sources: a creator whose
    videos were fanned out before they grew large), the page is read again with every row the
    sources give."""
    build = MODEL.build(store)
    tables = [build.table(t).name for t in (FOLLOWING_FEED, CREATOR_VIDEOS, MERGED_CREATORS)]
    params: dict[str, Any] = {"user": user_id, "first": span[0], "last": span[1], "n": limit}
    params["now"], params["take"] = time.time_ns() // 1_000_000, limit
    if after is not None:
        params["at"], params["vid"] = sql.to_sql(ColumnType.TIMESTAMP, after[0]), after[1]
    statement = _page_statement(*tables, after=after is not None)
    rows = store.select(statement, params, table=tables[0])
    page = _kept(store, rows, limit, whole=len(rows) < limit)
    if page is None:
        params["take"] = 2 * limit  # every row the sources give
        page = _kept(store, store.select(statement, params, table=tables[0]), limit, whole=True)
    assert page is not None
    return page


_TIMESTAMP = sql.reader(ColumnType.TIMESTAMP)
_TEXT_LIST = sql.reader(ColumnType.TEXT_LIST)


def _kept(store: SQLiteReadStore, rows: list[tuple[Any, ...]], limit: int, *, whole: bool) -> FeedPage | None:
    """The page the walk's rule keeps of ``rows``; ``None`` when it falls short of ``limit`` and
    ``rows`` are not all there is (``whole``)."""
    items: list[FeedItem] = []
    kept: tuple[int, str] | None = None
    for bucket, at, video_id, owner_id, visibility, hashtags in rows:
        if kept == (bucket, video_id):
            continue
        kept = (bucket, video_id)
        items.append(FeedItem(video_id, owner_id, _TIMESTAMP(at), visibility, _TEXT_LIST(hashtags)))
        if len(items) == limit:
            last = {"published_at": items[-1].published_at, "video_id": video_id}
            return FeedPage(items, bucket_cursor(store.cursors, CURSOR_KIND, bucket, last))
    return FeedPage(items, None) if whole else None


_LIVE = '"_deleted" = 0 AND ("_expires_at" IS NULL OR "_expires_at" > :now)'
_ORDER = '"bucket" DESC, "published_at" DESC, "video_id" DESC'


@functools.cache
def _page_statement(feed: str, videos: str, merged: str, *, after: bool) -> str:
    """Built once per live build: each source's rows in the span, at most ``:n``, merged in reading
    order, the first ``:take`` of them."""
    columns = '"bucket", "published_at", "video_id", "owner_id", "visibility", "hashtags"'
    start = ' AND ("bucket" < :first OR ("published_at", "video_id") < (:at, :vid))' if after else ""
    span = f'"bucket" BETWEEN :last AND :first{start} AND {_LIVE} ORDER BY {_ORDER} LIMIT :n'
    own = f'SELECT {columns}, 0 AS "_source" FROM "{feed}" WHERE "user_id" = :user AND {span}'
    creators = f'SELECT "creator_id" FROM "{merged}" WHERE "user_id" = :user AND {_LIVE}'
    theirs = f'SELECT {columns}, 1 AS "_source" FROM "{videos}" WHERE "owner_id" IN ({creators}) AND {span}'
    return (
        f"SELECT {columns} FROM (SELECT * FROM ({own}) UNION ALL SELECT * FROM ({theirs})) "
        f'ORDER BY {_ORDER}, "_source", "owner_id" LIMIT :take'
    )


def _buckets(
    store: ReadStore,
    kept: Kept,
    user_id: str,
    merged: list[str] | None,
    buckets: list[int],
    after: tuple[datetime, str] | None,
    n: int,
) -> tuple[list[list[Row]], list[str]]:
    """Up to ``n`` rows of each bucket after ``after``, from the user's partitions and each merged
    creator's, and who those creators are (read here when not yet known): two rounds at most, however
    many buckets and creators, and one when every creator's rows are kept."""
    feed = MODEL.table(store, FOLLOWING_FEED)
    own = FirstRows(feed, [{"user_id": user_id, "bucket": b} for b in buckets], after, n)
    if merged is None:
        creators = FirstRows(MODEL.table(store, MERGED_CREATORS), [{"user_id": user_id}], limit=READ_LIMIT)
        (own_rows, (listed,)) = store.first_rows([own, creators])
        merged = [row["creator_id"] for row in listed]
        if len(listed) == READ_LIMIT:  # more than one read holds
            merged = [row["creator_id"] for row in _all(store, creators.table, user_id)]
    else:
        (own_rows,) = store.first_rows([own])
    pages = _creator_rows(store, kept, [(c, b) for b in buckets for c in merged], after, n)
    width = len(merged)
    read = [_merge([own_rows[i], *pages[i * width : (i + 1) * width]], n) for i in range(len(buckets))]
    return read, merged


def _creator_rows(
    store: ReadStore,
    kept: Kept,
    partitions: list[tuple[str, int]],
    after: tuple[datetime, str] | None,
    n: int,
) -> list[list[Row]]:
    """Up to ``n`` rows after ``after`` of each (creator, bucket). A large creator's newest rows are
    the same for each of their followers, whose first pages ask for them in the same moment, so
    those go through ``kept``: ``KEPT_ROWS`` of each partition under one key (its build's table,
    creator and bucket), each page taking the ``n`` it needs. A read from a cursor (``after``) is
    one reader's own, and goes to the store."""
    if not partitions:
        return []
    videos = MODEL.table(store, CREATOR_VIDEOS)

    def read(asked: list[tuple[str, int]], limit: int) -> list[list[Row]]:
        keys = [{"owner_id": c, "bucket": b} for c, b in asked]
        return store.first_rows([FirstRows(videos, keys, after, limit)])[0]

    if after is not None or n > KEPT_ROWS:
        return read(partitions, n)
    keys = {f"{videos.name}/{c}/{b}": (c, b) for c, b in partitions}
    found = kept.many(
        "feed creator rows", list(keys), lambda missing: read([keys[k] for k in missing], KEPT_ROWS)
    )
    return [rows[:n] for rows in found]


def _merge(sources: list[Sequence[Row]], n: int) -> list[Row]:
    """Up to ``n`` rows of one bucket's sources, in the feed's order, each video once."""
    out: list[Row] = []
    for row in heapq.merge(*sources, key=_clustering, reverse=True):
        if len(out) == n:
            break
        if not out or out[-1]["video_id"] != row["video_id"]:
            out.append(row)
    return out


def _clustering(row: Row) -> tuple[datetime, str]:
    """Every source is read in descending order of this key, so merging keeps the feed's order."""
    return row["published_at"], row["video_id"]


def _all(store: ReadStore, table: Table, user_id: str) -> Iterable[Row]:
    cursor: str | None = None
    while True:
        page = store.page(table, {"user_id": user_id}, limit=READ_LIMIT, cursor=cursor)
        yield from page.rows
        if page.cursor is None:
            return
        cursor = page.cursor


def _item(row: Row) -> FeedItem:
    return FeedItem(
        video_id=row["video_id"],
        owner_id=row["owner_id"],
        published_at=row["published_at"],
        visibility=row["visibility"],
        hashtags=list(row["hashtags"] or []),
    )
