"""Checkpoints and states of the projectors (DESIGN.md §4), one row per projector.

Superseded by migration 3 (one row per build and partition); kept as it ran."""

from __future__ import annotations

from migrations.runner import CreateTable, Migration
from read_models.tables import INT, TEXT, TIMESTAMP, Table, columns_of

PROJECTION_STATE_V1 = Table(
    "projection_state",
    columns=columns_of(
        name=TEXT,
        version=INT,
        position=INT,
        status=TEXT,
        error=TEXT,
        error_position=INT,
        updated_at=TIMESTAMP,
    ),
    partition_key=("name",),
)

MIGRATION = Migration(
    2, "projection_state: checkpoints and errors of projectors", (CreateTable(PROJECTION_STATE_V1),)
)
