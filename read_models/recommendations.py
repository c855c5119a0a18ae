"""What the For You feed is assembled from, as the ``recommendations`` projector keeps it.

- ``rec_model``: the online ranking model's state, one small JSON record per (kind, key): a user's
  recent history and tastes, a video's neighbours and totals. The model (``recommend.model``) reads
  and writes it through its state port; the API reads the records a page needs.
- ``rec_users``: whether a user consents to personalisation; without it nothing personal is kept.
- ``rec_videos``: every video the feed may show, with what the page rules need (creator, hashtags,
  whether it is listed for everyone).
- ``rec_seen``: what a user watched recently (kept for everyone signed in, consent or not: it trains
  nothing, and it is why a page never offers again what they saw within ``SEEN_FOR``), and what
  personalised pages served them, with the log position of the page, so the pages of one scroll
  never repeat each other while a new scroll may offer again what was served but never watched.
- ``rec_explore``: impressions, completions and likes of each video: the exploration posterior.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from read_models.listing import LISTING_STATE, PUBLIC, is_listed
from read_models.live import ReadModel
from read_models.port import ReadStore
from read_models.tables import BOOL, FLOAT, INT, TEXT, Clustering, Table, columns_of

VERSION = 3  # 3: seen rows tell watched from served, and seen rows are kept without consent too
MODEL = ReadModel("recommendations", VERSION)
APPLIED = "applied_position"
SEEN_FOR = timedelta(days=3)
#: A page reads at most this many seen rows: older ones matter less than the page's speed.
SEEN_READ_LIMIT = 1000

REC_MODEL = Table(
    "rec_model",
    columns=columns_of(kind=TEXT, key=TEXT, value=TEXT, **{APPLIED: INT}),
    partition_key=("kind", "key"),
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
TABLES = (REC_MODEL, REC_USERS, REC_VIDEOS, REC_SEEN, REC_EXPLORE)


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
    """The model's records of one kind, in the order of ``keys``, decoded; ``None`` where none."""
    table = MODEL.table(store, REC_MODEL)
    rows = store.get_many(table, [{"kind": kind, "key": key} for key in keys])
    return [None if row is None or row["value"] is None else json.loads(row["value"]) for row in rows]


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
