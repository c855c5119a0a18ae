"""Transcode jobs asked for and not settled yet, per owner: what the per-user job cap counts.

Only the transcode process manager (``projections/transcode_requests.py``) writes it: a row when it
asks for a job, gone once the video's stream says that upload is processed, failed, replaced or
deleted. Every write is stamped with its event's global position, so a replay from any checkpoint
ends with the same rows. A partition stays small: the cap refuses new uploads while it is full.
"""

from __future__ import annotations

from read_models.port import MAX_LIMIT, ReadStore
from read_models.tables import TEXT, Clustering, Table, columns_of

TRANSCODE_JOBS = Table(
    "transcode_jobs",
    columns=columns_of(owner_id=TEXT, video_id=TEXT, upload_id=TEXT),
    partition_key=("owner_id",),
    clustering=(Clustering("video_id"),),
)


def asked(store: ReadStore, owner_id: str, video_id: str, upload_id: str, *, position: int) -> None:
    row = {"owner_id": owner_id, "video_id": video_id, "upload_id": upload_id}
    store.upsert(TRANSCODE_JOBS, row, timestamp=position)


def settled(store: ReadStore, owner_id: str, video_id: str, *, position: int) -> None:
    store.delete(TRANSCODE_JOBS, {"owner_id": owner_id, "video_id": video_id}, timestamp=position)


def pending(store: ReadStore, owner_id: str, *, at_most: int) -> int:
    """How many of the owner's jobs are queued or running, counted up to ``at_most``."""
    page = store.page(TRANSCODE_JOBS, {"owner_id": owner_id}, limit=max(1, min(at_most, MAX_LIMIT)))
    return len(page.rows)
