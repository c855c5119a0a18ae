"""The videos each person has media of: what erasure removes from media storage."""

from __future__ import annotations

from migrations.runner import CreateTable, Migration
from read_models.media_by_owner import MEDIA_BY_OWNER

MIGRATION = Migration(
    5, "media_by_owner: the videos each person has media of", (CreateTable(MEDIA_BY_OWNER),)
)
