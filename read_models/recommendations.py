"""What the For You feed is assembled from, as the ``recommendations`` projector keeps it.

- ``rec_model``: the online ranking model's state, one small JSON record per (kind, key): a user's
  recent history and tastes, a video's creator and content. The model (``recommend.model``) reads
  and writes it through its state port; the API reads the records a page needs.
- ``rec_sums``: the model's records many people feed (``SUMMED_KINDS``: a video's co-engaged
  neighbours, its positives), in parts: each partition of the projector adds its own people's
  amounts into its own ``shard``, and ``model_records`` adds a key's parts up, entry by entry.
- ``rec_users``: whether a user consents to personalisation; without it nothing personal is kept.
- ``rec_videos``: every video the feed may show, with what the page rules need (creator, hashtags,
  whether it is listed for everyone).
- ``rec_seen``: what a user watched recently (kept for everyone signed in, consent or not: it trains
  nothing, and it is why a page never offers again what they saw within ``SEEN_FOR``), and what
  personalised pages served them, with the log position of the page, so the pages of one scroll
  never repeat each other while a new scroll may offer again what was served but never watched.
- ``rec_explore``: impressions, completions and likes of each video: the exploration posterior.
- ``rec_video_facts``: what the projector needs to know of a video where its viewers' records are
  kept (its creator, length, whether hidden or deleted): every partition keeps its own copy under
  its ``shard``, from the video's events, which every partition applies. Not for queries.
- ``rec_erased``: erasures, so a like or share that raced its giver's erasure marks nothing seen
  (``read_models/erasure_marks.py``).
"""

from __future__ import annotations

import dataclasses
import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from typing import Any

from read_models.erasure_marks import erasure_marks
from read_models.listing import LISTING_STATE, PUBLIC, is_listed
from read_models.live import ReadModel
from read_models.port import ReadStore
from read_models.tables import BOOL, FLOAT, INT, TEXT, Clustering, Row, Table, columns_of

#: 4: records many people feed kept in shards, and each partition's copy of video facts; 5: nothing
#: of an erased person's acts that reached the log after their erasure is kept (``rec_erased``)
VERSION = 5
MODEL = ReadModel("recommendations", VERSION)
APPLIED = "applied_position"
#: The model's kinds of record that are sums over people (``recommend.model.SUMMED`` names them).
SUMMED_KINDS = frozenset({"neighbours", "video"})
SEEN_FOR = timedelta(days=3)
#: A page reads at most this many seen rows: older ones matter less than the page's speed.
SEEN_READ_LIMIT = 1000

REC_MODEL = Table(
    "rec_model",
    columns=columns_of(kind=TEXT, key=TEXT, value=TEXT, **{APPLIED: INT}),
    partition_key=("kind", "key"),
)
REC_SUMS = Table(
    "rec_sums",
    columns=columns_of(kind=TEXT, key=TEXT, shard=TEXT, value=TEXT, **{APPLIED: INT}),
    partition_key=("kind", "key"),
    clustering=(Clustering("shard"),),
)
REC_USERS = Table(
    "rec_users",
    columns=columns_of(user_id=TEXT, consent=BOOL),
    partition_key=("user_id",),
)
REC_VIDEOS = Table(
    "rec_videos",
    columns=(*LISTING_STATE, *columns_of(duration_ms=INT)),
    partition_key=("video_id",),
)
REC_SEEN = Table(
    "rec_seen",
    columns=columns_of(user_id=TEXT, video_id=TEXT, at=FLOAT, watched=BOOL, served_at=INT),
    partition_key=("user_id",),
    clustering=(Clustering("video_id"),),
)
REC_EXPLORE = Table(
    "rec_explore",
    columns=columns_of(video_id=TEXT, impressions=INT, completions=INT, likes=INT, **{APPLIED: INT}),
    partition_key=("video_id",),
)
REC_VIDEO_FACTS = Table(
    "rec_video_facts",
    columns=columns_of(video_id=TEXT, shard=TEXT, owner_id=TEXT, duration_ms=INT, hidden=BOOL, deleted=BOOL),
    partition_key=("video_id",),
    clustering=(Clustering("shard"),),
)
REC_ERASED = erasure_marks("rec_erased")

TABLES = (REC_MODEL, REC_SUMS, REC_USERS, REC_VIDEOS, REC_SEEN, REC_EXPLORE, REC_VIDEO_FACTS, REC_ERASED)


@dataclasses.dataclass(frozen=True, slots=True)
class RecVideo:
    video_id: str
    owner_id: str
    hashtags: tuple[str, ...]
    published_at: float
    #: Published and neither hidden nor deleted.
    listed: bool
    #: ``public``, ``followers`` or ``private``.
    visibility: str


@dataclasses.dataclass(frozen=True, slots=True)
class Exploration:
    impressions: int
    completions: int
    likes: int


def model_record(store: ReadStore, kind: str, key: str) -> Any | None:
    """One of the model's records, decoded; ``None`` when it has none."""
    return model_records(store, kind, [key])[0]


def model_records(store: ReadStore, kind: str, keys: Iterable[str]) -> list[Any | None]:
    """The model's records of one kind, in the order of ``keys``, decoded; ``None`` where none. A
    record kept in shards is its shards added up (read in the same one round)."""
    if kind in SUMMED_KINDS:
        return _summed(store, kind, list(keys))
    table = MODEL.table(store, REC_MODEL)
    rows = store.get_many(table, [{"kind": kind, "key": key} for key in keys])
    return [None if row is None or row["value"] is None else json.loads(row["value"]) for row in rows]


def _summed(store: ReadStore, kind: str, keys: list[str]) -> list[Any | None]:
    shards = MODEL.shards(store)
    wanted = [{"kind": kind, "key": key, "shard": shard} for key in keys for shard in shards]
    rows = iter(store.get_many(MODEL.table(store, REC_SUMS), wanted))
    parts = [
        [json.loads(r["value"]) for r in itertools.islice(rows, len(shards)) if r and r["value"]]
        for _ in keys
    ]
    return [add_up(found) if found else None for found in parts]


def add_up(parts: list[list[list[Any]]]) -> list[list[Any]]:
    """A record's shards (lists of ``[name, amount]`` pairs) as one: the amounts of each name added
    up. One shard is the record as it is (the same entries in the same order)."""
    if len(parts) == 1:
        return parts[0]
    total: dict[str, float] = {}
    for part in parts:
        for name, amount in part:
            total[name] = total.get(name, 0.0) + amount
    return [[name, amount] for name, amount in total.items() if amount]


def combined_sums(rows: Sequence[Row]) -> Row:
    """The ``rec_sums`` rows of one key's shards as one row, as readers add them up, its entries in
    name order: to compare builds made by different numbers of partitions."""
    parts = [json.loads(row["value"]) for row in rows if row["value"]]
    entries = sorted((name, amount) for name, amount in add_up(parts) if amount) if parts else []
    value = json.dumps([[name, amount] for name, amount in entries]) if entries else None
    return {"kind": rows[0]["kind"], "key": rows[0]["key"], "value": value}


def consents(store: ReadStore, user_id: str) -> bool:
    """Consent starts withdrawn (the account's rule): no row, no personalisation."""
    row = store.get(MODEL.table(store, REC_USERS), {"user_id": user_id})
    return bool(row and row["consent"])


def videos(store: ReadStore, video_ids: Iterable[str]) -> dict[str, RecVideo]:
    table = MODEL.table(store, REC_VIDEOS)
    wanted = list(dict.fromkeys(video_ids))
    rows = store.get_many(table, [{"video_id": v} for v in wanted])
    return {
        v: _video(row) for v, row in zip(wanted, rows, strict=True) if row and row["owner_id"] is not None
    }


def seen(store: ReadStore, user_id: str, *, now: float, scroll_from: int | None = None) -> set[str]:
    """What the person watched within ``SEEN_FOR`` of ``now`` (seconds since the epoch), and, when a
    page continues a scroll, what the scroll's pages served: those its first page (at log position
    ``scroll_from``) and every page after it. What a page served but nobody watched may come again in
    a new scroll."""
    page = store.page(MODEL.table(store, REC_SEEN), {"user_id": user_id}, limit=SEEN_READ_LIMIT)
    since = now - SEEN_FOR.total_seconds()
    return {row["video_id"] for row in page.rows if _counts(row, since, scroll_from)}


def _counts(row: Mapping[str, Any], since: float, scroll_from: int | None) -> bool:
    if row["watched"]:
        return float(row["at"] or 0.0) > since
    served = row["served_at"]
    return scroll_from is not None and served is not None and served >= scroll_from


def exploration(store: ReadStore, video_ids: Iterable[str]) -> dict[str, Exploration]:
    table = MODEL.table(store, REC_EXPLORE)
    wanted = list(dict.fromkeys(video_ids))
    rows = store.get_many(table, [{"video_id": v} for v in wanted])
    return {v: _exploration(row) for v, row in zip(wanted, rows, strict=True)}


def _video(row: Mapping[str, Any]) -> RecVideo:
    return RecVideo(
        video_id=row["video_id"],
        owner_id=row["owner_id"],
        hashtags=tuple(row["hashtags"] or ()),
        published_at=row["published_at"].timestamp() if row["published_at"] else 0.0,
        listed=is_listed(row),
        visibility=row["visibility"] or PUBLIC,
    )


def _exploration(row: Mapping[str, Any] | None) -> Exploration:
    if row is None:
        return Exploration(0, 0, 0)
    return Exploration(int(row["impressions"] or 0), int(row["completions"] or 0), int(row["likes"] or 0))
