"""Transcode jobs not settled yet, per owner: the count behind the per-user job cap on uploads."""

from __future__ import annotations

from migrations.runner import CreateTable, Migration
from read_models.transcode_jobs import TRANSCODE_JOBS

MIGRATION = Migration(
    4, "transcode_jobs: jobs asked for and not settled, per owner", (CreateTable(TRANSCODE_JOBS),)
)
