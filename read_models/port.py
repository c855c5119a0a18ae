"""The read-store port: what projections write and queries read, on SQLite or Cassandra alike.

The semantics are Cassandra's, and the SQLite adapter mirrors them, so a projection tested on the
embedded store behaves the same in production:

- An upsert writes the whole row: columns it leaves out become null. (Every cell of a row then
  carries the same write timestamp, so last-write-wins per row on SQLite equals per cell on Cassandra.)
- Last write wins by write timestamp (microseconds, or any growing number such as a global position):
  a write older than what a row holds is ignored; a delete leaves a tombstone that also hides older
  upserts replayed after it; at equal timestamps a delete wins. Without a timestamp, "now" is used.
  Use one scheme per table: a "now" in microseconds dwarfs any position.
- TTLs are in seconds; ``None`` takes the table's default, ``0`` means "never expires".
- Reads see neither deleted nor expired rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from read_models.cursors import CursorSeal
from read_models.tables import Column, Row, Table

MAX_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class Upsert:
    row: Mapping[str, Any]
    timestamp: int | None = None
    ttl: int | None = None


@dataclass(frozen=True, slots=True)
class Delete:
    key: Mapping[str, Any]
    timestamp: int | None = None


Write = Upsert | Delete


@dataclass(frozen=True, slots=True)
class CheckedWrite:
    """A write as ``read_models.checks.check_write`` returns it: values normalised (the whole row for
    an upsert, the key for a delete). Bulk writes take these, so a row is checked once, where it is made."""

    values: Row
    deleted: bool
    timestamp: int | None
    ttl: int | None


TableWrite = tuple[Table, CheckedWrite]


@dataclass(frozen=True, slots=True)
class Page:
    """Rows in reading order; ``cursor`` fetches the next page, ``None`` once the range is exhausted
    (Cassandra may also hand out a cursor whose next page turns out empty)."""

    rows: list[Row]
    cursor: str | None


@dataclass(frozen=True, slots=True)
class FirstRows:
    """A read of ``ReadStore.first_rows``: up to ``limit`` rows of each partition, before ``end``."""

    table: Table
    partitions: Sequence[Mapping[str, Any]]
    end: Sequence[Any] | None = None
    limit: int = 100


class ReadStore(Protocol):
    #: Seals the cursors of this store's pages, and those of the lists read from it.
    cursors: CursorSeal

    def ensure_keyspace(self) -> None:
        """Creates the keyspace (Cassandra) with the configured replication; a no-op on SQLite."""

    def create_table(self, table: Table) -> bool:
        """Creates the table if it is missing. An existing table is left as it is, even if different.
        True when this call created it: then it holds no row, and a projector starting on it need
        not ask the store for rows it has not written (see ``projections.lane``)."""

    def add_column(self, table: Table, column: Column) -> None:
        """Adds a column to an existing table unless it is already there (so a migration re-runs)."""

    def drop_table(self, table: Table) -> None:
        """Drops the table if it exists, with all its rows."""

    def upsert(
        self, table: Table, row: Mapping[str, Any], *, timestamp: int | None = None, ttl: int | None = None
    ) -> None:
        """Writes the whole row, unless the row holds a newer write. Raises ``InvalidRow`` first."""

    def delete(self, table: Table, key: Mapping[str, Any], *, timestamp: int | None = None) -> None:
        """Deletes one row by its full primary key, leaving a tombstone at ``timestamp``."""

    def get(self, table: Table, key: Mapping[str, Any]) -> Row | None:
        """One live row by its full primary key."""

    def get_many(self, table: Table, keys: Sequence[Mapping[str, Any]]) -> list[Row | None]:
        """Live rows by full primary key, in the order of ``keys`` (``None`` where none): in one
        round rather than one per key (SQLite: a statement per chunk of keys; Cassandra: the reads
        in flight together). A page that needs many rows asks for them here."""

    def page(
        self,
        table: Table,
        partition: Mapping[str, Any],
        *,
        start: Sequence[Any] | None = None,
        end: Sequence[Any] | None = None,
        descending: bool = False,
        limit: int = 100,
        cursor: str | None = None,
    ) -> Page:
        """Up to ``limit`` (≤ 1000) rows of one partition in clustering order, or its reverse.

        ``start`` (inclusive) and ``end`` (exclusive) bound the rows by value, whatever the clustering
        order: each is a tuple of the first n clustering columns' values. ``cursor`` comes from the
        previous page of the same query; it is opaque and refused by any other query."""

    def first_rows(self, reads: Sequence[FirstRows]) -> list[list[list[Row]]]:
        """For each read, the rows of each of its partitions' first page, as ``page`` reads them
        (in clustering order), without cursors; all reads in one round, whatever their
        tables. For a query that never goes past those rows, which Cassandra then answers in one
        statement for many partitions of a table (``IN`` and ``PER PARTITION LIMIT``) instead of
        one request each, and for reads of several tables that would otherwise wait in turn: the
        round trips and their hand-offs are what a hot page on Cassandra spends its time on."""

    def batch(self, table: Table, writes: Sequence[Write]) -> None:
        """Applies all writes or none. All must fall in one partition (``InvalidQuery`` otherwise), and
        every row is checked before anything is sent."""

    def write_all(self, waves: Sequence[Sequence[TableWrite]]) -> None:
        """Applies checked writes across tables and partitions, wave after wave: a wave starts only
        once the one before it has wholly succeeded. SQLite applies all waves in one transaction;
        Cassandra sends a wave's writes concurrently, each on its own (so each must be idempotent)."""

    def scan(self, table: Table) -> Iterator[Row]:
        """Every live row of the table, in no promised order. For engineers' tools (parity checks,
        comparing builds), never for queries: on Cassandra it reads every partition."""

    def insert_if_absent(self, table: Table, row: Mapping[str, Any], *, ttl: int | None = None) -> bool:
        """Writes the row only if no live row has its key; says whether it did. For the rare uniqueness
        case: on Cassandra it is a lightweight transaction (Paxos), slow and not for hot paths. Write
        such a table only through this method, ``replace_if`` and ``delete_if_present``."""

    def replace_if(
        self, table: Table, row: Mapping[str, Any], expected: Mapping[str, Any], *, ttl: int | None = None
    ) -> bool:
        """Writes the row only if a live row has its key and, in each column of ``expected`` (value
        columns), that value; says whether it did. The change of a row of an ``insert_if_absent``
        table, ordered with its other writes (on Cassandra a lightweight transaction): a lease
        renewed only by its holder. The row lives ``ttl`` seconds from now while a value column
        holds a value (Cassandra times each cell written, not the row's first insert)."""

    def delete_if_present(
        self, table: Table, key: Mapping[str, Any], expected: Mapping[str, Any] | None = None
    ) -> bool:
        """Deletes the row if a live row has the key (and, in each column of ``expected``, that
        value); says whether it did. The delete of a table written through ``insert_if_absent``,
        ordered with it: on Cassandra a lightweight transaction too. A plain delete carries the
        client's clock, to the microsecond, and a lightweight transaction's write the coordinator's,
        to the millisecond, so an insert in the millisecond of a plain delete before it could land
        under that delete's tombstone, said to be written."""

    def purge(self) -> None:
        """Once it returns, values that writes replaced or deleted (erased personal data) are gone
        from the store's files, as far as the store can see to it: called after writes that erase."""

    def drop_tombstones(self, tables: Sequence[Table], *, up_to: int) -> int:
        """Removes the tables' tombstones and expired rows stamped at or below ``up_to``, which the
        caller knows no write can still come under (a projector's checkpoint); returns how many went.
        Their keys may hold erased text. Cassandra does this itself, in compaction after
        ``gc_grace_seconds``: its adapter removes nothing."""

    def ping(self) -> None:
        """Raises ``ReadStoreUnavailable`` unless the store answers: for readiness checks."""

    def close(self) -> None: ...
