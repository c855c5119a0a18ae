"""The publish schedule: scheduled publications by the day they are due, and how far the scanner got."""

from __future__ import annotations

from migrations.runner import CreateTable, Migration
from read_models.tables import TEXT, TIMESTAMP, Clustering, Table, columns_of

# As of this migration (the declarations in read_models/publish_schedule.py may grow later).
PUBLISH_DUE = Table(
    "publish_due",
    columns=columns_of(day=TEXT, publish_at=TIMESTAMP, video_id=TEXT),
    partition_key=("day",),
    clustering=(Clustering("publish_at"), Clustering("video_id")),
)
PUBLISH_SCANS = Table(
    "publish_scans", columns=columns_of(scanner=TEXT, next_day=TEXT), partition_key=("scanner",)
)

MIGRATION = Migration(
    8,
    "publish_schedule: scheduled publications by the day they are due, and the scanner's progress",
    (CreateTable(PUBLISH_DUE), CreateTable(PUBLISH_SCANS)),
)
