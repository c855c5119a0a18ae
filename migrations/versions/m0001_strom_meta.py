"""A key-value table for facts about the read store itself, such as which version of a rebuilt
projection's tables is live (DESIGN.md §4, rebuild: "switch")."""

from __future__ import annotations

from migrations.runner import CreateTable, Migration
from read_models.tables import TEXT, Table, columns_of

STROM_META = Table("strom_meta", columns=columns_of(key=TEXT, value=TEXT), partition_key=("key",))

MIGRATION = Migration(1, "strom_meta: facts about the read store", (CreateTable(STROM_META),))
