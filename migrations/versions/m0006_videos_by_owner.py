"""The videos each person has that are not deleted: what the erasure cascade deletes."""

from __future__ import annotations

from migrations.runner import CreateTable, Migration
from read_models.tables import TEXT, Clustering, Table, columns_of

# As of this migration (the declaration in read_models/videos_by_owner.py may grow later).
VIDEOS_BY_OWNER = Table(
    "videos_by_owner",
    columns=columns_of(owner_id=TEXT, video_id=TEXT),
    partition_key=("owner_id",),
    clustering=(Clustering("video_id"),),
)

MIGRATION = Migration(
    6, "videos_by_owner: the videos each person has that are not deleted", (CreateTable(VIDEOS_BY_OWNER),)
)
