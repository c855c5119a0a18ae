"""Fresh videos: every listed public video of the last ``HORIZON``, newest first, for everyone.

A new video has no engagement yet, so trending cannot find it; this list is how it first reaches
people (the non-personalised For You feed ends with it, and recommendations draw their exploration
pool from it).

Bounded partitions: rows live in ``(bucket, shard)``: a day of publications split over ``SHARDS``
partitions by video id, so a busy day is never one hot, huge partition. A query merges the shards
of a day newest first, then moves a day back. Rows expire ``HORIZON`` after publication.
"""

from __future__ import annotations

import dataclasses
import heapq
import itertools
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from read_models.listing import LISTING_STATE, bucket_cursor, parse_bucket_cursor
from read_models.live import ReadModel
from read_models.port import ReadStore
from read_models.tables import (
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

VERSION = 1
MODEL = ReadModel("fresh_videos", VERSION)
APPLIED = "applied_position"
BUCKET = timedelta(days=1)
HORIZON = timedelta(days=7)
SHARDS = 8
#: The fewest rows read from a shard at a time.
MIN_STEP = 8
#: What the list's cursors are sealed as (``read_models.cursors``).
CURSOR_KIND = "fresh videos"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

FRESH_VIDEOS = Table(
    "fresh_videos",
    columns=columns_of(
        bucket=INT, shard=INT, published_at=TIMESTAMP, video_id=TEXT, owner_id=TEXT, hashtags=TEXT_LIST
    ),
    partition_key=("bucket", "shard"),
    clustering=(Clustering("published_at", DESC), Clustering("video_id", DESC)),
)
#: The projector's own state per video (the guard of exactly-once); not for queries.
FRESH_STATE = Table(
    "fresh_video_state",
    columns=(*LISTING_STATE, *columns_of(**{APPLIED: INT})),
    partition_key=("video_id",),
)
TABLES = (FRESH_VIDEOS, FRESH_STATE)


@dataclasses.dataclass(frozen=True, slots=True)
class FreshVideo:
    video_id: str
    owner_id: str
    published_at: datetime
    hashtags: list[str]


@dataclasses.dataclass(frozen=True, slots=True)
class FreshPage:
    items: list[FreshVideo]
    next_cursor: str | None


def bucket_of(moment: datetime) -> int:
    return (moment - _EPOCH) // BUCKET


def shard_of(video_id: str) -> int:
    return zlib.crc32(video_id.encode()) % SHARDS


def ttl_for(published_at: datetime, now: datetime) -> int | None:
    """Seconds a row of a video published then has left; ``None`` once past the horizon."""
    left = int((published_at + HORIZON - now).total_seconds())
    return left if left > 0 else None


def fresh_videos(
    store: ReadStore, limit: int, cursor: str | None = None, now: datetime | None = None
) -> FreshPage:
    """Newest first across the horizon; a full page always carries a cursor (the next may be empty)."""
    now = now or datetime.now(UTC)
    newest, oldest = bucket_of(now), bucket_of(now - HORIZON)
    bucket, after = parse_bucket_cursor(store.cursors, CURSOR_KIND, cursor) if cursor else (newest, None)
    bucket = min(bucket, newest)
    rows: list[Row] = []
    while bucket >= oldest:
        rows += _day(store, bucket, after, limit - len(rows))
        if len(rows) == limit:
            return FreshPage(
                [_item(r) for r in rows], bucket_cursor(store.cursors, CURSOR_KIND, bucket, rows[-1])
            )
        bucket, after = bucket - 1, None
    return FreshPage([_item(r) for r in rows], None)


def _day(store: ReadStore, bucket: int, after: tuple[datetime, str] | None, n: int) -> list[Row]:
    """The day's newest ``n`` after ``after``, merged across its shards. Each shard is read in steps
    as the merge reaches into it, so a page reads about ``n`` rows and a step per shard, not ``n``
    from every shard."""
    table = MODEL.table(store, FRESH_VIDEOS)
    step = max(MIN_STEP, 2 * -(-n // SHARDS))
    shards = [
        _shard(store, table, {"bucket": bucket, "shard": shard}, after, step) for shard in range(SHARDS)
    ]
    merged = heapq.merge(*shards, key=lambda r: (r["published_at"], r["video_id"]), reverse=True)
    return list(itertools.islice(merged, n))


def _shard(
    store: ReadStore, table: Table, partition: dict[str, int], after: tuple[datetime, str] | None, step: int
) -> Iterator[Row]:
    cursor: str | None = None
    while True:
        page = store.page(table, partition, end=after, limit=step, cursor=cursor)
        yield from page.rows
        if page.cursor is None:
            return
        cursor = page.cursor


def _item(row: Row) -> FreshVideo:
    return FreshVideo(
        video_id=row["video_id"],
        owner_id=row["owner_id"],
        published_at=row["published_at"],
        hashtags=list(row["hashtags"] or []),
    )
