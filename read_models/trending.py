"""Trending videos (overall and per hashtag), as the ``trending`` projector keeps them, and their query.

**The score.** A video's trend is its weighted engagement with exponential time decay: an event of
weight ``w`` at time ``t`` is worth ``w · 2^-((now - t) / HALF_LIFE)`` at ``now``. Rewriting every
video's score as time passes is out of the question, so the rows keep a time-independent form:

    score = log2( Σ w · 2^((t - EPOCH) / HALF_LIFE) )

Every term is multiplied by the same ``2^-((now - EPOCH) / HALF_LIFE)`` at read time, so comparing two
videos' ``score`` compares their decayed values at any instant, and ``decayed(score, now)`` derives the
value shown. The sum is kept as its log2 because ``2^((t - EPOCH) / 6 h)`` overflows a double within a
year; adding a term is a log-sum-exp. The sum never goes below zero: ``None`` means no engagement mass.

**The ranking rows.** Ranking tables cluster by ``rank`` descending, where ``rank`` is the score
quantised to ``1 / RANK_STEPS`` (steps of about 1.1 %). A clustering column cannot change in place, so a
new rank means deleting the old row and writing a new one: a tombstone. Quantising bounds that to about
``RANK_STEPS`` moves per half-life per video, however many likes a second a viral video takes; a like
that leaves the rank as it was writes no ranking row at all (the rows carry the rank, not the exact
score, so most views only touch the video's state). Ranks a video passes within one batch of the
projector never reach the store, so they leave no tombstone either (``projections.writer.Batch``): a
rebuild of 50,000 events left 6,300 tombstones where it left 62,000. The SQLite store drops tombstones
at or below the checkpoint now and then (``projections.runner.DROP_TOMBSTONES_EVERY_S``). Within a
step, the newer video (larger UUIDv7) comes first, so items of one page may be up to one step out of
score order, and the score a page shows is the rank's (within 1.1 %).

**Bounded partitions.** A video's rows live in the ``BUCKET`` (6 hours, UTC) of its latest positive
engagement: ``(bucket)`` overall, ``(hashtag, bucket)`` per hashtag, and move with it. A query merges the
``WINDOW`` newest buckets, so a video quiet for longer than 18 to 24 hours (decayed at least 8-fold) drops
out of trending. Old rows expire (``RANKED_TTL``), so nothing accumulates. One bucket holds every video
engaged within its 6 hours; should that grow too hot, the next step is sharding it by video.

Only listed public videos are ranked; ``trending_state`` is the projector's own state per video and
``trending_contributions`` remembers recent likes and comments so an unlike or a deleted comment takes
back exactly what it added; ``trending_likers`` lists, under a person's id, the videos whose
contributions name them, so that their erasure removes those (their likes keep counting in the
scores, as anonymous mass); ``trending_erased`` marks erasures (``read_models/erasure_marks.py``).
None of these is for queries.
"""

from __future__ import annotations

import dataclasses
import heapq
import json
import math
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from read_models.cursors import CursorSeal
from read_models.erasure_marks import erasure_marks
from read_models.errors import InvalidQuery
from read_models.listing import is_public
from read_models.live import ReadModel
from read_models.port import ReadStore
from read_models.tables import (
    BOOL,
    DESC,
    FLOAT,
    INT,
    TEXT,
    TEXT_LIST,
    TIMESTAMP,
    Clustering,
    Row,
    Table,
    columns_of,
)

#: Bumping it makes the projector fill fresh tables (``trending_videos_v2`` …) from the start of the log.
#: 2: ranking rows carry the rank alone, so an unchanged rank writes nothing; 3: an erasure takes the
#: person's likes out of ``trending_contributions`` (found through ``trending_likers``)
VERSION = 3
MODEL = ReadModel("trending", VERSION)
APPLIED = "applied_position"

HALF_LIFE = timedelta(hours=6)
#: Any fixed instant: scores count half-lives from it. Changing it shifts every score alike.
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
BUCKET = timedelta(hours=6)
#: Buckets a query reads: the current one and the three before it.
WINDOW = 4
RANK_STEPS = 64
#: What the lists' cursors are sealed as (``read_models.cursors``).
CURSOR_KIND = "trending"
#: Longer than ``WINDOW`` buckets: a row outlives the time it can be read.
RANKED_TTL = int(timedelta(days=2).total_seconds())
#: An unlike or a comment deletion later than this after what it takes back changes nothing (the
#: term is then under 1/4096 of a fresh one). Deterministic, unlike the TTL, which only bounds storage.
RETRACT_WITHIN = timedelta(days=3)
CONTRIBUTION_TTL = int(timedelta(days=7).total_seconds())

RANKED = columns_of(rank=INT, video_id=TEXT, owner_id=TEXT, hashtags=TEXT_LIST)
BY_RANK = (Clustering("rank", DESC), Clustering("video_id", DESC))

TRENDING_VIDEOS = Table(
    "trending_videos",
    columns=(*columns_of(bucket=TIMESTAMP), *RANKED),
    partition_key=("bucket",),
    clustering=BY_RANK,
    default_ttl=RANKED_TTL,
)
TRENDING_HASHTAGS = Table(
    "trending_hashtags",
    columns=(*columns_of(hashtag=TEXT, bucket=TIMESTAMP), *RANKED),
    partition_key=("hashtag", "bucket"),
    clustering=BY_RANK,
    default_ttl=RANKED_TTL,
)
TRENDING_STATE = Table(
    "trending_state",
    columns=columns_of(
        video_id=TEXT,
        owner_id=TEXT,
        published=BOOL,
        visibility=TEXT,
        hashtags=TEXT_LIST,
        hidden=BOOL,
        deleted=BOOL,
        score=FLOAT,
        bucket=TIMESTAMP,
        **{APPLIED: INT},
    ),
    partition_key=("video_id",),
)
TRENDING_CONTRIBUTIONS = Table(
    "trending_contributions",
    columns=columns_of(video_id=TEXT, source=TEXT, amount=FLOAT, at=TIMESTAMP),
    partition_key=("video_id", "source"),
    default_ttl=CONTRIBUTION_TTL,
)

#: The videos a person liked lately, under their id, so their erasure finds their contributions.
TRENDING_LIKERS = Table(
    "trending_likers",
    columns=columns_of(user_id=TEXT, video_id=TEXT),
    partition_key=("user_id",),
    clustering=(Clustering("video_id"),),
    default_ttl=CONTRIBUTION_TTL,
)
TRENDING_ERASED = erasure_marks("trending_erased")

TABLES = (
    TRENDING_VIDEOS,
    TRENDING_HASHTAGS,
    TRENDING_STATE,
    TRENDING_CONTRIBUTIONS,
    TRENDING_LIKERS,
    TRENDING_ERASED,
)


@dataclasses.dataclass(frozen=True, slots=True)
class TrendingVideo:
    video_id: str
    owner_id: str
    #: Weighted engagement decayed to the time asked about (a like just now is worth 3).
    score: float
    hashtags: list[str]


@dataclasses.dataclass(frozen=True, slots=True)
class TrendingPage:
    items: list[TrendingVideo]
    next_cursor: str | None


# -- the arithmetic ---------------------------------------------------------------------------------


def half_lives(at: datetime) -> float:
    """Half-lives from ``EPOCH`` to ``at``: the exponent of an event's term."""
    return (at - EPOCH) / HALF_LIFE


def bucket_of(at: datetime) -> datetime:
    """The start of the ``BUCKET`` holding ``at`` (``EPOCH`` is a UTC midnight: buckets align with days)."""
    return EPOCH + (at - EPOCH) // BUCKET * BUCKET


def rank_of(score: float) -> int:
    return math.floor(score * RANK_STEPS)


def decayed(score: float, now: datetime) -> float:
    return float(2.0 ** (score - half_lives(now)))


def added(score: float | None, amount: float) -> float:
    """``log2(2^score + 2^amount)``: one term more, ``amount`` being the term's log2."""
    if score is None:
        return amount
    high, low = max(score, amount), min(score, amount)
    return high + math.log1p(2.0 ** (low - high)) / math.log(2)


def removed(score: float | None, amount: float) -> float | None:
    """``log2(2^score - 2^amount)``, or ``None`` once nothing (or less) is left."""
    if score is None or amount >= score:
        return None
    rest = -math.expm1((amount - score) * math.log(2))  # 1 - 2^(amount - score)
    return score + math.log2(rest) if rest > 1e-9 else None


# -- the query --------------------------------------------------------------------------------------


def top(
    store: ReadStore,
    limit: int = 20,
    *,
    hashtag: str | None = None,
    cursor: str | None = None,
    now: datetime | None = None,
) -> TrendingPage:
    """The most trending listed public videos at ``now`` (default: the clock), overall or under one
    hashtag; ``next_cursor`` continues below the last item, over the same buckets.

    For You can take candidates from here: ``top(store, 100, hashtag=tag)``."""
    scope = hashtag or ""
    if cursor is None:
        newest, after = bucket_of(now or datetime.now(UTC)), None
    else:
        newest, after = _decode(store.cursors, cursor, scope)
    buckets = [newest - BUCKET * i for i in range(WINDOW)]
    rows, more = _merged(store, buckets, hashtag, limit, after)
    items = [_item(row, now or datetime.now(UTC)) for row in rows]
    last = rows[-1] if rows else None
    next_cursor = _encode(store.cursors, scope, newest, last) if more and last else None
    return TrendingPage(items, next_cursor)


def _merged(
    store: ReadStore, buckets: list[datetime], hashtag: str | None, limit: int, after: tuple[int, str] | None
) -> tuple[list[Row], bool]:
    """The first ``limit`` rows of the buckets together, by rank; and whether any are left over."""
    table = MODEL.table(store, TRENDING_VIDEOS if hashtag is None else TRENDING_HASHTAGS)
    parts: list[list[Row]] = []
    more = False
    for bucket in buckets:
        partition = {"bucket": bucket} if hashtag is None else {"hashtag": hashtag, "bucket": bucket}
        page = store.page(table, partition, limit=limit, end=after)
        parts.append(page.rows)
        more = more or page.cursor is not None
    everything = list(heapq.merge(*parts, key=_order, reverse=True))
    return everything[:limit], more or len(everything) > limit


def _order(row: Row) -> tuple[int, str]:
    """As the tables cluster: rank, then video id (both descending)."""
    return row["rank"], row["video_id"]


def _item(row: Row, now: datetime) -> TrendingVideo:
    return TrendingVideo(
        video_id=row["video_id"],
        owner_id=row["owner_id"],
        score=decayed(row["rank"] / RANK_STEPS, now),
        hashtags=list(row["hashtags"] or []),
    )


def _encode(cursors: CursorSeal, scope: str, newest: datetime, last: Row) -> str:
    payload = [scope, int(newest.timestamp() * 1000), last["rank"], last["video_id"]]
    return cursors.seal(CURSOR_KIND, json.dumps(payload).encode())


def _decode(cursors: CursorSeal, cursor: str, scope: str) -> tuple[datetime, tuple[int, str]]:
    raw = cursors.open(CURSOR_KIND, cursor)
    try:
        given, millis, rank, video_id = json.loads(raw)
        newest = datetime.fromtimestamp(millis / 1000, UTC)
        if not (isinstance(rank, int) and isinstance(video_id, str) and video_id):
            raise ValueError("wrong shape")
    except (ValueError, TypeError, OverflowError) as exc:
        raise InvalidQuery(f"malformed cursor: {exc}") from None
    if given != scope:
        raise InvalidQuery("this cursor belongs to another list")
    return newest, (rank, video_id)


def listed_rows(state: Row) -> Iterable[tuple[str, Row]]:
    """The ranking rows a video's state calls for: ``(table, row)``; none unless it is listed and
    public and has engagement mass."""
    if not is_public(state) or state.get("score") is None or state.get("bucket") is None:
        return
    score: float = state["score"]
    row = {
        "bucket": state["bucket"],
        "rank": rank_of(score),
        "video_id": state["video_id"],
        "owner_id": state["owner_id"],
        "hashtags": state.get("hashtags"),
    }
    yield TRENDING_VIDEOS.name, row
    for tag in state.get("hashtags") or ():
        yield TRENDING_HASHTAGS.name, {**row, "hashtag": tag}
