"""Row writes stamped with the event's global position: the heart of exactly-once effects.

Delivery is at least once. Every write carries the position as its write timestamp, so a
replayed event rewrites the same values and an older event never overwrites a newer one.
Aggregates (counts, sums) cannot be rewritten blindly: ``add`` keeps an ``applied_position``
in the row and skips an event at or below it. Never counter columns: they double-count.

Writes are not sent one by one: a ``Batch`` holds the latest write of each row across many events
(a video liked 300 times in a batch is written once) and reads (``get``, ``rows``) see it, so the
projector folds as if every write had landed. ``Batch.flush`` sends them in waves (see
``Projector.last``) with the checkpoint: in one transaction on SQLite, checkpoint last on Cassandra.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from projections.partition import WHOLE, Partition
from read_models.checks import check_position, check_ttl
from read_models.port import MAX_LIMIT, CheckedWrite, FirstRows, ReadStore, TableWrite
from read_models.tables import Order, Row, Table, check_key, check_partition, check_row, check_value

APPLIED = "applied_position"
#: How many rows a runner keeps in memory between flushes, most recently used last.
REMEMBERED_ROWS = 100_000
RowId = tuple[str, tuple[Any, ...]]


class Batch:
    def __init__(
        self,
        store: ReadStore,
        tables: Mapping[str, Table],
        waves: Mapping[str, int],
        *,
        empty: bool = False,
        remembered: int = REMEMBERED_ROWS,
        partition: Partition = WHOLE,
    ) -> None:
        """``empty``: the tables hold nothing yet (a rebuild's fresh build), so until the memory of
        rows overflows, a row the batch does not know is a row that does not exist: no read."""
        self._store = store
        self._tables = tables
        self._waves = waves
        self.partition = partition
        self._pending: dict[RowId, CheckedWrite] = {}
        self._undo: list[tuple[RowId, CheckedWrite | None]] = []
        #: Ordered least recently used first. An ``OrderedDict``, whose oldest entry is found in
        #: constant time: a dict's first key, once many were deleted from its front, is found by
        #: walking past every deleted slot (a 1M-event rebuild spent a third of its time there).
        self._known: OrderedDict[RowId, Row | None] = OrderedDict()
        #: Rows pending or known, by partition, for ``rows`` (pruned lazily: a row may have left both).
        self._partitions: dict[RowId, set[RowId]] = {}
        #: Partitions read whole whose every row is known or pending since: ``rows`` of them needs no
        #: read. Only partitions this runner alone writes (see ``_sole_writer``). An ordered set, as
        #: bounded as the rows: forgetting one only costs a read.
        self._whole: OrderedDict[RowId, None] = OrderedDict()
        self._remembered = remembered
        self._complete = empty
        #: Pending rows the store did not hold when the batch began: deleting one writes nothing.
        self._new: set[RowId] = set()
        #: Rows written then deleted in this batch whose stored state is unknown: looked up at once
        #: before the flush, so a row that never reached the store leaves no tombstone.
        self._unsure: set[RowId] = set()
        #: Rows of the flush still on its way to the store (``flushed(landing=True)``), as they will
        #: be: the store may not show them yet, so they are never read back until ``landed``.
        self._landing: dict[RowId, Row | None] = {}

    def table(self, name: str) -> Table:
        return self._tables[name]

    def writer(self, position: int) -> Writer:
        """The writer for the next event; ``discard_latest`` takes back whatever it writes. The
        position, every write's timestamp, is checked here once rather than at each write."""
        self._undo.clear()
        return Writer(self, check_position(position))

    def discard_latest(self) -> None:
        """Forgets the last event's writes (it raised half-way), keeping the events before it."""
        for identity, previous in reversed(self._undo):
            if previous is None:
                self._pending.pop(identity, None)
                self._unknown(identity)
            else:
                self._pending[identity] = previous
        self._undo.clear()

    def put(self, table: str, write: CheckedWrite) -> None:
        identity = (table, tuple(write.values[name] for name in self._tables[table].key_names))
        previous = self._pending.pop(identity, None)
        self._undo.append((identity, previous))
        if previous is None:
            self._note_new(identity)
        elif write.deleted and not previous.deleted and identity not in self._new:
            self._unsure.add(identity)
        self._pending[identity] = write  # re-inserted last: the order rows were last written
        self._index(identity)

    def get(self, table: str, key: Mapping[str, Any]) -> Row | None:
        physical = self._tables[table]
        checked = check_key(physical, key)
        identity = (table, tuple(checked.values()))
        pending = self._pending.get(identity)
        if pending is not None:
            return None if pending.deleted else dict(pending.values)
        if identity in self._landing:
            landing = self._landing[identity]
            return None if landing is None else dict(landing)
        if identity in self._known:
            known = self._known[identity]
            return None if known is None else dict(known)
        if self._complete or self._where(identity) in self._whole:
            return None  # every row of its partition is known or pending, and it is none of them
        found = self._store.get(physical, checked)
        self._remember(identity, found)
        return None if found is None else dict(found)

    def holds_whole(self, table: str, partition: Mapping[str, Any]) -> bool:
        """Whether every row of the partition is known or pending, so that ``get`` of any of its keys
        answers from memory: a partition read whole (``rows``) and kept, or any while the tables are
        known empty."""
        physical = self._tables[table]
        where = (table, tuple(check_partition(physical, partition).values()))
        return self._sole_writer(physical) and (self._complete or where in self._whole)

    def rows(self, table: str, partition: Mapping[str, Any]) -> list[Row]:
        """The whole partition as the batch has it (stored rows with pending writes over them), in
        clustering order. For the projector's own lookups, whose partitions are small."""
        return self.rows_of_many(table, [partition])[0]

    def rows_of_many(self, table: str, partitions: Sequence[Mapping[str, Any]]) -> list[list[Row]]:
        """``rows`` of each partition, their stored rows read in one round (``ReadStore.first_rows``):
        a lookup that needs many partitions at once waits for the slowest of them on Cassandra,
        not for the sum of their round trips."""
        physical = self._tables[table]
        wheres = [(table, tuple(check_partition(physical, p).values())) for p in partitions]
        if self._complete and self._sole_writer(physical):
            self._known_whole(wheres)  # known whole now, so still once the tables are not
        unknown = [where for where in wheres if not (self._complete or where in self._whole)]
        stored: dict[RowId, list[Row]] = {}
        if unknown:
            read = _wholes(self._store, physical, [key for _, key in unknown])
            stored = dict(zip(unknown, read, strict=True))
            if self._sole_writer(physical):
                for where, rows in stored.items():
                    self._learn(physical, where, rows)
        return [self._merged(physical, where, stored.get(where, [])) for where in wheres]

    def _sole_writer(self, physical: Table) -> bool:
        """Whether no other runner writes the table's partitions: so in a whole run, or where each
        partition holds one shard (rows keyed by shard but partitioned otherwise, such as a person's
        settings, take a row from every partition)."""
        return self.partition == WHOLE or "shard" in physical.partition_key

    def _learn(self, physical: Table, where: RowId, rows: list[Row]) -> None:
        """Remembers a partition read whole, as far as the memory of rows allows."""
        if len(rows) > self._remembered // 10:
            return
        for row in rows:
            identity = (where[0], _key_of(physical, row))
            # One on its way is known as it will land; one pending, as the store holds it beneath
            # the write (should the event that wrote it be discarded, it is still known).
            self._remember(identity, self._landing.get(identity, row))
        self._known_whole([where])

    def _merged(self, physical: Table, where: RowId, stored: list[Row]) -> list[Row]:
        merged: dict[tuple[Any, ...], Row | None] = {_key_of(physical, row): row for row in stored}
        known = self._complete or where in self._whole
        for identity in list(self._partitions.get(where, ())):
            if identity in self._pending:
                write = self._pending[identity]
                merged[identity[1]] = None if write.deleted else write.values
            elif identity in self._landing:
                merged[identity[1]] = self._landing[identity]
            elif known and identity in self._known:
                merged[identity[1]] = self._known[identity]
            elif not known:
                self._partitions[where].discard(identity)
        return _clustered(physical, [dict(row) for row in merged.values() if row is not None])

    def flush(self, then: Sequence[TableWrite]) -> None:
        """Sends every pending write, wave by wave, then ``then`` (the checkpoint)."""
        self._store.write_all([w for w in self.waves() if w] + ([list(then)] if then else []))
        self.flushed()

    def waves(self) -> list[list[TableWrite]]:
        """Every pending write, by wave (see ``Projector.last``): for a flush that sends other
        projectors' batches with this one (``projections.stream``), wave by wave."""
        self._look_up_unsure()
        waves: list[list[TableWrite]] = [[] for _ in range(max(self._waves.values(), default=0) + 1)]
        for identity, write in self._pending.items():
            if write.deleted and identity in self._new:
                continue  # written and deleted within the batch: no row reached the store to hide
            table = identity[0]
            waves[self._waves.get(table, 0)].append((self._tables[table], write))
        return waves

    def flushed(self, *, landing: bool = False) -> None:
        """The pending writes landed (or, with ``landing``, were sent and will land before the next
        flush is sent: see ``landed``): they become rows the batch knows, and nothing is pending."""
        written, self._pending = self._pending, {}
        for identity, write in written.items():
            row = None if write.deleted else write.values
            if landing:
                self._landing[identity] = row
            self._remember(identity, row)
        self._new.clear()
        self._unsure.clear()
        self._undo.clear()

    def landed(self) -> None:
        """The flush sent with ``landing`` is in the store: reading its rows back is sound again."""
        landed, self._landing = self._landing, {}
        for identity in landed:
            self._unknown(identity)

    @property
    def pending(self) -> int:
        return len(self._pending)

    def _note_new(self, identity: RowId) -> None:
        """Whether the store lacks the row is known only from rows this runner read or wrote, or
        of tables known empty; otherwise its delete must reach the store (a tombstone)."""
        if identity in self._landing:
            absent = self._landing[identity] is None
        else:
            absent = self._known[identity] is None if identity in self._known else self._complete
        if absent:
            self._new.add(identity)
        else:
            self._new.discard(identity)

    def _look_up_unsure(self) -> None:
        """A ranking row that moved several times in one batch leaves a delete for each place it
        passed; the store is asked, a table at a time, which of those it never held."""
        by_table: dict[str, list[RowId]] = {}
        for identity in self._unsure:
            write = self._pending.get(identity)
            if write is None or not write.deleted:
                continue
            if identity in self._landing:  # the store will hold what the flush on its way wrote
                if self._landing[identity] is None:
                    self._new.add(identity)
                continue
            by_table.setdefault(identity[0], []).append(identity)
        self._unsure.clear()
        for table, identities in by_table.items():
            physical = self._tables[table]
            keys = [dict(zip(physical.key_names, key, strict=True)) for _, key in identities]
            for identity, found in zip(identities, self._store.get_many(physical, keys), strict=True):
                if found is None:
                    self._new.add(identity)

    def _remember(self, identity: RowId, row: Row | None) -> None:
        """Rows this runner wrote or read stay known, so a hot row is not read back after each flush.
        Sound because one runner owns each row (DESIGN.md §4: one owner per partition)."""
        self._known[identity] = row
        self._known.move_to_end(identity)
        self._index(identity)
        if len(self._known) > self._remembered:
            forgotten, _ = self._known.popitem(last=False)
            self._complete = False
            where = self._where(forgotten)
            self._whole.pop(where, None)
            if forgotten not in self._pending and forgotten not in self._landing:
                self._unindex(forgotten, where)

    def _unknown(self, identity: RowId) -> None:
        """A row that left the pending writes or the flush on its way: if the batch does not know
        it otherwise, it leaves the index, and its partition is no longer held whole."""
        if identity in self._known or identity in self._pending or identity in self._landing:
            return
        where = self._where(identity)
        self._unindex(identity, where)
        self._whole.pop(where, None)

    def _known_whole(self, wheres: Sequence[RowId]) -> None:
        for where in wheres:
            self._whole[where] = None
            self._whole.move_to_end(where)
        while len(self._whole) > self._remembered:
            self._whole.popitem(last=False)

    @property
    def memory_held(self) -> int:
        """Rows, partitions read whole and entries of the partition index held: what a runner's
        memory grows with, bounded by ``remembered`` rows (and as many partitions) however long it
        runs."""
        return len(self._known) + len(self._whole) + sum(len(rows) for rows in self._partitions.values())

    def _where(self, identity: RowId) -> RowId:
        table, key = identity
        return table, key[: len(self._tables[table].partition_key)]

    def _index(self, identity: RowId) -> None:
        self._partitions.setdefault(self._where(identity), set()).add(identity)

    def _unindex(self, identity: RowId, where: RowId) -> None:
        rows = self._partitions.get(where)
        if rows is not None:
            rows.discard(identity)
            if not rows:
                del self._partitions[where]


def _key_of(table: Table, row: Row) -> tuple[Any, ...]:
    return tuple(row[name] for name in table.key_names)


def _wholes(store: ReadStore, table: Table, partitions: list[tuple[Any, ...]]) -> list[list[Row]]:
    """Every row of each partition: the first pages in one round, a partition with more read on."""
    if len(partitions) == 1:
        return [list(_whole(store, table, partitions[0]))]
    keys = [dict(zip(table.partition_key, partition, strict=True)) for partition in partitions]
    (firsts,) = store.first_rows([FirstRows(table, keys, limit=MAX_LIMIT)])
    return [
        rows if len(rows) < MAX_LIMIT else list(_whole(store, table, partition))
        for rows, partition in zip(firsts, partitions, strict=True)
    ]


def _whole(store: ReadStore, table: Table, partition: tuple[Any, ...]) -> Iterator[Row]:
    key = dict(zip(table.partition_key, partition, strict=True))
    cursor: str | None = None
    while True:
        page = store.page(table, key, limit=MAX_LIMIT, cursor=cursor)
        yield from page.rows
        if page.cursor is None:
            return
        cursor = page.cursor


def _clustered(table: Table, rows: list[Row]) -> list[Row]:
    """Sorted as the store reads a partition: by each clustering column, in its order."""
    for column in reversed(table.clustering):
        rows.sort(key=lambda row: row[column.name], reverse=column.order is Order.DESC)
    return rows


class Writer:
    """What a projector writes through for one event: every write stamped with its position."""

    def __init__(self, batch: Batch, position: int) -> None:
        self._batch = batch
        self.position = position

    def owns(self, entity: str) -> bool:
        """Whether this partition applies the part of the event about ``entity`` (see
        ``projections.partition``): an event touching several entities is applied by each owner."""
        return self._batch.partition.owns(entity)

    @property
    def shard(self) -> str:
        """This partition's shard of an aggregate many entities feed (``i/n``): in the row's key, so
        each shard row has one writer; readers add the shards up."""
        return self._batch.partition.label

    def upsert(self, table: str, row: Mapping[str, Any], *, ttl: int | None = None) -> None:
        checked = check_row(self._table(table), row)
        self._batch.put(table, CheckedWrite(checked, False, self.position, check_ttl(ttl)))

    def delete(self, table: str, key: Mapping[str, Any]) -> None:
        self._batch.put(table, CheckedWrite(check_key(self._table(table), key), True, self.position, None))

    def get(self, table: str, key: Mapping[str, Any]) -> Row | None:
        return self._batch.get(table, key)

    def rows(self, table: str, partition: Mapping[str, Any]) -> list[Row]:
        """Every row of one partition, pending writes included, in clustering order."""
        return self._batch.rows(table, partition)

    def holds_whole(self, table: str, partition: Mapping[str, Any]) -> bool:
        """Whether ``get`` of any key of the partition answers from memory (``Batch.holds_whole``)."""
        return self._batch.holds_whole(table, partition)

    def rows_of_many(self, table: str, partitions: Sequence[Mapping[str, Any]]) -> list[list[Row]]:
        """``rows`` of each partition, read together: one round trip on Cassandra, not one each."""
        return self._batch.rows_of_many(table, partitions)

    def add(self, table: str, key: Mapping[str, Any], deltas: Mapping[str, int | float]) -> None:
        """Adds ``deltas`` to the row's numbers once per event, however often the event is replayed.

        The hottest write of every rebuild, so it changes the row it read (already checked) in place
        of checking the whole row again: only the key and the changed numbers are checked."""
        declared = self._table(table)
        checked_key = check_key(declared, key)
        current = self.get(table, checked_key) or {}
        if current.get(APPLIED, -1) >= self.position:
            return
        row: dict[str, Any] = {name: current.get(name) for name in declared.names}
        row.update(checked_key)
        for name, delta in deltas.items():
            row[name] = check_value(declared, name, (row.get(name) or 0) + delta)
        row[APPLIED] = check_value(declared, APPLIED, self.position)
        self._batch.put(table, CheckedWrite(row, False, self.position, None))

    def _table(self, table: str) -> Table:
        return self._batch.table(table)
