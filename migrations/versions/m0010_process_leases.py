"""Leases: one copy of the process managers at a time, whatever runs."""

from __future__ import annotations

from migrations.runner import CreateTable, Migration
from read_models.tables import TEXT, Table, columns_of

# As of this migration (the declaration in read_models/leases.py may grow later).
PROCESS_LEASES = Table("process_leases", columns=columns_of(name=TEXT, holder=TEXT), partition_key=("name",))

MIGRATION = Migration(10, "process_leases: who runs the process managers now", (CreateTable(PROCESS_LEASES),))
