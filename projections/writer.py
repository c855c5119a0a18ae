"""Row writes stamped with the event's global position: the heart of exactly-once effects.

Delivery is at least once. Every write carries the position as its write timestamp, so a
replayed event rewrites the same values and an older event never overwrites a newer one.
Aggregates (counts, sums) cannot be rewritten blindly: ``add`` keeps an ``applied_position``
in the row and skips an event at or below it. Never counter columns: they double-count.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from read_models.port import ReadStore
from read_models.tables import Row, Table

APPLIED = "applied_position"


class Writer:
    def __init__(self, store: ReadStore, tables: Mapping[str, Table], position: int) -> None:
        self._store = store
        self._tables = tables
        self.position = position

    def upsert(self, table: str, row: Mapping[str, Any], *, ttl: int | None = None) -> None:
        self._store.upsert(self._tables[table], row, timestamp=self.position, ttl=ttl)

    def delete(self, table: str, key: Mapping[str, Any]) -> None:
        self._store.delete(self._tables[table], key, timestamp=self.position)

    def get(self, table: str, key: Mapping[str, Any]) -> Row | None:
        return self._store.get(self._tables[table], key)

    def add(self, table: str, key: Mapping[str, Any], deltas: Mapping[str, int | float]) -> None:
        """Adds ``deltas`` to the row's numbers once per event, however often the event is replayed."""
        current = self.get(table, key) or {}
        if current.get(APPLIED, -1) >= self.position:
            return
        declared = self._tables[table].types
        row: dict[str, Any] = {name: current.get(name) for name in declared}
        row.update(key)
        for name, delta in deltas.items():
            row[name] = (row.get(name) or 0) + delta
        row[APPLIED] = self.position
        self.upsert(table, row)
