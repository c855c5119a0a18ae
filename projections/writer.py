"""Row writes stamped with the event's global position: the heart of exactly-once effects.

Delivery is at least once. Every write carries the position as its write timestamp, so a
replayed event rewrites the same values and an older event never overwrites a newer one.
Aggregates (counts, sums) cannot be rewritten blindly: ``add`` keeps an ``applied_position``
in the row and skips an event at or below it. Never counter columns: they double-count.

Writes are not sent one by one: a ``Batch`` holds the latest write of each row across many events
(a video liked 300 times in a batch is written once) and reads see it, so the projector folds as
if every write had landed. ``Batch.flush`` sends them in waves (see ``Projector.last``) together
with the checkpoint: in one transaction on SQLite, checkpoint last on Cassandra.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from read_models.port import Delete, Page, ReadStore, TableWrite, Upsert, Write
from read_models.tables import Row, Table, check_key, check_row

APPLIED = "applied_position"


class Batch:
    def __init__(self, store: ReadStore, tables: Mapping[str, Table], waves: Mapping[str, int]) -> None:
        self._store = store
        self._tables = tables
        self._waves = waves
        self._pending: dict[tuple[str, tuple[Any, ...]], Write] = {}
        self._undo: list[tuple[tuple[str, tuple[Any, ...]], Write | None]] = []

    def __len__(self) -> int:
        return len(self._pending)

    def table(self, name: str) -> Table:
        return self._tables[name]

    def writer(self, position: int) -> Writer:
        """The writer for the next event; ``discard_latest`` takes back whatever it writes."""
        self._undo.clear()
        return Writer(self, position)

    def discard_latest(self) -> None:
        """Forgets the last event's writes (it raised half-way), keeping the events before it."""
        for identity, previous in reversed(self._undo):
            if previous is None:
                self._pending.pop(identity, None)
            else:
                self._pending[identity] = previous
        self._undo.clear()

    def put(self, table: str, key: Row, write: Write) -> None:
        identity = (table, tuple(key.values()))
        self._undo.append((identity, self._pending.pop(identity, None)))
        self._pending[identity] = write  # re-inserted last: the order rows were last written

    def get(self, table: str, key: Mapping[str, Any]) -> Row | None:
        physical = self._tables[table]
        checked = check_key(physical, key)
        pending = self._pending.get((table, tuple(checked.values())))
        if pending is None:
            return self._store.get(physical, checked)
        return dict(pending.row) if isinstance(pending, Upsert) else None

    def page(self, table: str, partition: Mapping[str, Any], **options: Any) -> Page:
        """Reads a partition as the batch has it: what is pending is written out first (rows only, not
        the checkpoint, so a crash replays the batch onto rows that already hold part of it: harmless)."""
        self.flush(())
        return self._store.page(self._tables[table], partition, **options)

    def flush(self, then: Sequence[TableWrite]) -> None:
        """Sends every pending write, wave by wave, then ``then`` (the checkpoint)."""
        waves: list[list[TableWrite]] = [[] for _ in range(max(self._waves.values(), default=0) + 1)]
        for (table, _), write in self._pending.items():
            waves[self._waves.get(table, 0)].append((self._tables[table], write))
        self._store.write_all([w for w in waves if w] + ([list(then)] if then else []))
        self._pending.clear()
        self._undo.clear()


class Writer:
    """What a projector writes through for one event: every write stamped with its position."""

    def __init__(self, batch: Batch, position: int) -> None:
        self._batch = batch
        self.position = position

    def upsert(self, table: str, row: Mapping[str, Any], *, ttl: int | None = None) -> None:
        checked = check_row(self._table(table), row)
        key = {name: checked[name] for name in self._table(table).key_names}
        self._batch.put(table, key, Upsert(checked, self.position, ttl))

    def delete(self, table: str, key: Mapping[str, Any]) -> None:
        checked = check_key(self._table(table), key)
        self._batch.put(table, checked, Delete(checked, self.position))

    def get(self, table: str, key: Mapping[str, Any]) -> Row | None:
        return self._batch.get(table, key)

    def page(self, table: str, partition: Mapping[str, Any], **options: Any) -> Page:
        return self._batch.page(table, partition, **options)

    def add(self, table: str, key: Mapping[str, Any], deltas: Mapping[str, int | float]) -> None:
        """Adds ``deltas`` to the row's numbers once per event, however often the event is replayed."""
        current = self.get(table, key) or {}
        if current.get(APPLIED, -1) >= self.position:
            return
        declared = self._table(table).types
        row: dict[str, Any] = {name: current.get(name) for name in declared}
        row.update(key)
        for name, delta in deltas.items():
            row[name] = (row.get(name) or 0) + delta
        row[APPLIED] = self.position
        self.upsert(table, row)

    def _table(self, table: str) -> Table:
        return self._batch.table(table)
