"""The videos of each person that are not deleted: what erasing the person must delete.

Only the erasure cascade (``projections/erasure_cascade.py``) writes it: a row when a video is
drafted, gone when the video is deleted. Every write is stamped with its event's global position, so
a replay from any checkpoint ends with the same rows, and a draft replayed after its deletion stays
deleted. It holds ids only.
"""

from __future__ import annotations

from collections.abc import Iterator

from read_models.port import MAX_LIMIT, ReadStore
from read_models.tables import TEXT, Clustering, Table, columns_of

VIDEOS_BY_OWNER = Table(
    "videos_by_owner",
    columns=columns_of(owner_id=TEXT, video_id=TEXT),
    partition_key=("owner_id",),
    clustering=(Clustering("video_id"),),
)


def drafted(store: ReadStore, owner_id: str, video_id: str, *, position: int) -> None:
    store.upsert(VIDEOS_BY_OWNER, {"owner_id": owner_id, "video_id": video_id}, timestamp=position)


def deleted(store: ReadStore, owner_id: str, video_id: str, *, position: int) -> None:
    store.delete(VIDEOS_BY_OWNER, {"owner_id": owner_id, "video_id": video_id}, timestamp=position)


def videos_of(store: ReadStore, owner_id: str) -> Iterator[str]:
    """Every video of the owner not deleted, page by page."""
    cursor: str | None = None
    while True:
        page = store.page(VIDEOS_BY_OWNER, {"owner_id": owner_id}, limit=MAX_LIMIT, cursor=cursor)
        yield from (row["video_id"] for row in page.rows)
        if page.cursor is None:
            return
        cursor = page.cursor
