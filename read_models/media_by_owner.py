"""The videos a person has media of, per owner: what erasing the person must remove from storage.

Only the media cleanup process manager (``projections/media_cleanup.py``) writes it: a row when a
video is drafted (its bytes can arrive from then on), gone once its media is removed. Every write is
stamped with its event's global position, so a replay from any checkpoint ends with the same rows,
and a draft replayed after its deletion stays deleted.
"""

from __future__ import annotations

from collections.abc import Iterator

from read_models.port import MAX_LIMIT, ReadStore
from read_models.tables import TEXT, Clustering, Table, columns_of

MEDIA_BY_OWNER = Table(
    "media_by_owner",
    columns=columns_of(owner_id=TEXT, video_id=TEXT),
    partition_key=("owner_id",),
    clustering=(Clustering("video_id"),),
)


def drafted(store: ReadStore, owner_id: str, video_id: str, *, position: int) -> None:
    store.upsert(MEDIA_BY_OWNER, {"owner_id": owner_id, "video_id": video_id}, timestamp=position)


def removed(store: ReadStore, owner_id: str, video_id: str, *, position: int) -> None:
    store.delete(MEDIA_BY_OWNER, {"owner_id": owner_id, "video_id": video_id}, timestamp=position)


def videos_of(store: ReadStore, owner_id: str) -> Iterator[str]:
    """Every video of the owner still listed, page by page."""
    cursor: str | None = None
    while True:
        page = store.page(MEDIA_BY_OWNER, {"owner_id": owner_id}, limit=MAX_LIMIT, cursor=cursor)
        yield from (row["video_id"] for row in page.rows)
        if page.cursor is None:
            return
        cursor = page.cursor
