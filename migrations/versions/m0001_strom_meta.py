"""A key-value table for facts about the read store itself, such as which version of a rebuilt
projection's tables is live (DESIGN.md §4, rebuild: "switch")."""

from __future__ import annotations

from migrations.runner import CreateTable, Migration
from read_models.live import STROM_META

MIGRATION = Migration(1, "strom_meta: facts about the read store", (CreateTable(STROM_META),))
