"""Checkpoints and states of the projectors (DESIGN.md §4)."""

from __future__ import annotations

from migrations.runner import CreateTable, Migration
from read_models.projection_state import PROJECTION_STATE

MIGRATION = Migration(
    2, "projection_state: checkpoints and errors of projectors", (CreateTable(PROJECTION_STATE),)
)
