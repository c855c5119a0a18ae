"""Data exports: who was erased, so the exporter lists nothing of them after their erasure."""

from __future__ import annotations

from migrations.runner import CreateTable, Migration
from read_models.tables import INT, TEXT, Table, columns_of

# As of this migration (the declaration in read_models/data_exports.py may grow later).
EXPORT_ERASED = Table(
    "export_erased", columns=columns_of(person_id=TEXT, position=INT), partition_key=("person_id",)
)

MIGRATION = Migration(9, "data_exports: who was erased, and where in the log", (CreateTable(EXPORT_ERASED),))
