"""Checkpoints per build and partition, so a rebuild fills a new build beside the live one.

The old one-row-per-projector table goes: checkpoints are derived state, and every projector
replays onto its position-stamped rows without harm."""

from __future__ import annotations

from migrations.runner import CreateTable, DropTable, Migration
from migrations.versions.m0002_projection_state import PROJECTION_STATE_V1
from read_models.projection_state import PROJECTION_STATE

MIGRATION = Migration(
    3,
    "projection_checkpoints: one per build and partition; projection_state dropped",
    (CreateTable(PROJECTION_STATE), DropTable(PROJECTION_STATE_V1)),
)
