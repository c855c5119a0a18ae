"""The embedded read store: one SQLite file in WAL mode that behaves like Cassandra.

Last write wins by write timestamp, deletes leave tombstones, TTLs expire rows on read, upserts
replace whole rows, and pages are keyset cursors over the clustering key. So a projection replayed on
SQLite ends in the same state as on Cassandra. The store can be rebuilt from the log, so it syncs
``NORMAL`` by default (WAL keeps it consistent; a power cut may lose the last commits, not corrupt).
"""

from __future__ import annotations

import itertools
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from plumbing.thread_connections import ThreadConnections
from read_models import sqlite_sql as sql
from read_models.checks import (
    CheckedPage,
    check_batch,
    check_expected,
    check_page,
    check_replace,
    check_write,
    decode_cursor,
    encode_cursor,
)
from read_models.cursors import CursorSeal, process_seal
from read_models.errors import (
    InvalidQuery,
    MissingTable,
    ReadStoreError,
    ReadStoreUnavailable,
    RetryableReadError,
    RetryableWriteError,
)
from read_models.port import CheckedWrite, Delete, FirstRows, Page, TableWrite, Upsert, Write
from read_models.tables import Column, ColumnType, Row, Table, check_key

APPLICATION_ID = 0x53545252  # "STRR": a Strom read store, so an event store is never mistaken for one
#: How long ``purge`` waits for readers to let go of the WAL before it gives up for now.
PURGE_TIMEOUT_S = 30.0


#: Keys one statement of ``get_many`` matches (a statement of a few hundred keys stays short).
GET_MANY_CHUNK = 250


class SQLiteReadStore:
    engine = "sqlite"

    def __init__(
        self,
        path: Path | str,
        *,
        sync: str = "normal",
        busy_timeout_s: float = 5.0,
        purge_timeout_s: float = PURGE_TIMEOUT_S,
        cursors: CursorSeal | None = None,
    ) -> None:
        if sync not in ("full", "normal"):
            raise ValueError("sync must be 'full' or 'normal'")
        self.path = Path(path)
        self.cursors = cursors or process_seal()
        self._sync = sync
        self._timeout = busy_timeout_s
        self._purge_timeout_s = purge_timeout_s
        self._conns = ThreadConnections(self._connect)
        self._lock = threading.Lock()
        self._last_ts = 0
        try:
            self._initialise()
        except BaseException:
            self.close()
            raise

    # -- connections ------------------------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        """This thread's connection: closed when the thread ends (see ``ThreadConnections``)."""
        return self._conns.get()

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=self._timeout
            )
            conn.execute(f"PRAGMA synchronous={self._sync.upper()}")
            conn.execute("PRAGMA secure_delete=ON")  # see ``purge``
        except sqlite3.Error as exc:
            raise ReadStoreUnavailable([str(self.path)], str(exc)) from exc
        return conn

    def _initialise(self) -> None:
        try:
            _private_file(self.path)
        except OSError as exc:
            raise ReadStoreUnavailable([str(self.path)], str(exc)) from exc
        with self._errors("", write=True):
            conn = self._conn()
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if app_id != APPLICATION_ID and (app_id != 0 or tables):
                raise ReadStoreUnavailable([str(self.path)], "not a Strom read store")
            if app_id == 0:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute(f"PRAGMA application_id={APPLICATION_ID}")

    @contextmanager
    def _errors(self, table: str, *, write: bool) -> Iterator[None]:
        """Driver errors become ours: missing tables, busy locks (retryable), unusable files."""
        try:
            yield
        except sqlite3.Error as exc:
            text = str(exc)
            if "no such table" in text:
                raise MissingTable(table, text) from exc
            if "locked" in text or "busy" in text:
                retry = RetryableWriteError if write else RetryableReadError
                raise retry(f"{self.path}: locked by another process for {self._timeout}s") from exc
            if "unable to open" in text or "not a database" in text or "disk I/O" in text:
                raise ReadStoreUnavailable([str(self.path)], text) from exc
            raise ReadStoreError(f"{self.path}: table {table!r}: {text}") from exc

    @contextmanager
    def _transaction(self, conn: sqlite3.Connection) -> Iterator[None]:
        """Writers of this process queue on the file's lock, in order: in SQLite's busy handler a
        long transaction (a rebuild's batch) would starve the others past their timeout."""
        with _writer_lock(self.path):
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def ensure_keyspace(self) -> None:
        """One file is one keyspace."""

    def purge(self) -> None:
        """Erased values leave the file. Every connection runs with ``secure_delete``, so SQLite zeroes
        what a write replaced or deleted in the pages it writes; but the WAL keeps the earlier images of
        those pages, plaintext and all, until SQLite happens to write over them. A TRUNCATE checkpoint
        copies the newest images into the main file and empties the WAL. It waits until no connection
        of any process (an API reads this file while projectors write it) uses the WAL; past the
        deadline it fails as a retryable write, and the runner purges again when it restarts."""
        conn = self._conn()
        deadline = time.monotonic() + self._purge_timeout_s
        with self._errors("", write=True), _writer_lock(self.path):
            while conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]:
                if time.monotonic() >= deadline:
                    raise RetryableWriteError(
                        f"{self.path}: readers kept the WAL busy for {self._purge_timeout_s:.0f}s; "
                        "erased values may remain in it until the next purge"
                    )
                time.sleep(0.05)

    def drop_tombstones(self, tables: Sequence[Table], *, up_to: int) -> int:
        """Cassandra drops a tombstone at compaction once ``gc_grace`` has passed; without this SQLite
        would keep every one for ever, and with it its key: a hashtag an erased person wrote stays in
        the key of ``trending_hashtags``. A tombstone (or expired row) exists only to hide writes
        older than it, so it can go once no such write can arrive: when every write still to come is
        stamped above ``up_to``. A projector stamps its writes with event positions and commits its
        checkpoint with them, so past its checkpoint only later events, stamped higher, are written
        (a replay from the start into the same table writes the deletes again, after the writes they
        hide). Rows stamped with the clock (microseconds, far above any position) are never dropped.
        Returns how many rows went; ``purge`` then removes them from the WAL."""
        dropped = 0
        if not tables:
            return dropped
        conn = self._conn()
        with self._errors(tables[0].name, write=True), self._transaction(conn):
            for table in tables:
                dropped += conn.execute(sql.drop_dead(table), [_now_ms(), up_to]).rowcount
        return dropped

    def ping(self) -> None:
        with self._errors("", write=False):
            self._conn().execute("SELECT 1").fetchone()

    def close(self) -> None:
        self._conns.close()

    # -- schema -----------------------------------------------------------------------------

    def create_table(self, table: Table) -> bool:
        with self._errors(table.name, write=True):
            conn = self._conn()
            existed = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table.name,)
            ).fetchone()
            conn.execute(sql.create_table(table))
            return existed is None

    def add_column(self, table: Table, column: Column) -> None:
        with self._errors(table.name, write=True):
            conn = self._conn()
            existing = {r[1] for r in conn.execute(f"PRAGMA table_info({sql.q(table.name)})")}
            if not existing:
                raise MissingTable(table.name)
            if column.name not in existing:
                conn.execute(sql.add_column(table, column))

    def drop_table(self, table: Table) -> None:
        with self._errors(table.name, write=True):
            self._conn().execute(f"DROP TABLE IF EXISTS {sql.q(table.name)}")

    # -- writes -----------------------------------------------------------------------------

    def upsert(
        self, table: Table, row: Mapping[str, Any], *, timestamp: int | None = None, ttl: int | None = None
    ) -> None:
        self._write(table, [check_write(table, Upsert(row, timestamp, ttl))])

    def delete(self, table: Table, key: Mapping[str, Any], *, timestamp: int | None = None) -> None:
        self._write(table, [check_write(table, Delete(key, timestamp))])

    def batch(self, table: Table, writes: Sequence[Write]) -> None:
        checked = check_batch(table, writes)
        if checked:
            self._write(table, checked)

    def write_all(self, waves: Sequence[Sequence[TableWrite]]) -> None:
        """One transaction: the waves' order matters only where writes can be seen half-done."""
        writes = [write for wave in waves for write in wave]
        if not writes:
            return
        runs = itertools.groupby(writes, key=lambda w: (w[0], w[1].deleted))  # same statement in a row
        conn = self._conn()
        with self._errors(writes[0][0].name, write=True), self._transaction(conn):
            for (table, deleted), run in runs:
                statement = sql.delete(table) if deleted else sql.upsert(table)
                conn.executemany(statement, [self._params(table, write) for _, write in run])

    def insert_if_absent(self, table: Table, row: Mapping[str, Any], *, ttl: int | None = None) -> bool:
        return self._conditional(table, check_write(table, Upsert(row, None, ttl)), when_live=False)

    def replace_if(
        self, table: Table, row: Mapping[str, Any], expected: Mapping[str, Any], *, ttl: int | None = None
    ) -> bool:
        write, names, values = check_replace(table, row, expected, ttl)
        return self._conditional(table, write, when_live=True, expected=(names, values))

    def delete_if_present(
        self, table: Table, key: Mapping[str, Any], expected: Mapping[str, Any] | None = None
    ) -> bool:
        write = check_write(table, Delete(key, None))
        return self._conditional(table, write, when_live=True, expected=check_expected(table, expected or {}))

    def _conditional(
        self,
        table: Table,
        write: CheckedWrite,
        *,
        when_live: bool,
        expected: tuple[tuple[str, ...], tuple[Any, ...]] = ((), ()),
    ) -> bool:
        """Applies ``write`` only if a live row has its key (``when_live``), holding the
        ``expected`` values, or none has; in one transaction. Says whether it did: a write that a
        newer one in the row outranks (the clock stepped back) is not applied, and says so."""
        conn = self._conn()
        with self._errors(table.name, write=True), self._transaction(conn):
            key = [sql.to_sql(table.types[c], write.values[c]) for c in table.key_names]
            found = conn.execute(sql.get(table), [*key, _now_ms()]).fetchone()
            if (found is not None) != when_live:
                return False
            if found is not None and expected[0]:
                row = _row(table, found)
                if any(row[n] != v for n, v in zip(*expected, strict=True)):
                    return False
            statement = sql.delete(table) if write.deleted else sql.upsert(table)
            written: int = conn.execute(statement, self._params(table, write)).rowcount
        return written > 0

    def _write(self, table: Table, writes: list[CheckedWrite]) -> None:
        statements = [
            (sql.delete(table) if w.deleted else sql.upsert(table), self._params(table, w)) for w in writes
        ]
        conn = self._conn()
        with self._errors(table.name, write=True), self._transaction(conn):
            for statement, params in statements:
                conn.execute(statement, params)

    def _params(self, table: Table, write: CheckedWrite) -> list[Any]:
        cols = table.key_names if write.deleted else table.names
        params = [sql.to_sql(table.types[c], write.values[c]) for c in cols]
        params.append(self._now_us() if write.timestamp is None else write.timestamp)
        if not write.deleted:
            ttl = table.default_ttl if write.ttl is None else write.ttl
            params.append(_now_ms() + ttl * 1000 if ttl else None)
        return params

    def _now_us(self) -> int:
        """Like the Cassandra driver's client timestamps: microseconds, never repeating."""
        with self._lock:
            self._last_ts = max(self._last_ts + 1, time.time_ns() // 1000)
            return self._last_ts

    # -- reads ------------------------------------------------------------------------------

    def get(self, table: Table, key: Mapping[str, Any]) -> Row | None:
        checked = check_key(table, key)
        params = [sql.to_sql(table.types[c], checked[c]) for c in table.key_names]
        with self._errors(table.name, write=False):
            found = self._conn().execute(sql.get(table), [*params, _now_ms()]).fetchone()
        return None if found is None else _row(table, found)

    def get_many(self, table: Table, keys: Sequence[Mapping[str, Any]]) -> list[Row | None]:
        stored = [
            tuple(sql.to_sql(table.types[c], checked[c]) for c in table.key_names)
            for checked in (check_key(table, key) for key in keys)
        ]
        found: dict[tuple[Any, ...], Row] = {}
        at = [table.names.index(c) for c in table.key_names]
        unique = list(dict.fromkeys(stored))
        for start in range(0, len(unique), GET_MANY_CHUNK):
            chunk = unique[start : start + GET_MANY_CHUNK]
            params = [value for key in chunk for value in key]
            with self._errors(table.name, write=False):
                rows = self._conn().execute(sql.get_many(table, len(chunk)), [*params, _now_ms()]).fetchall()
            found.update({tuple(r[i] for i in at): _row(table, r) for r in rows})
        return [found.get(key) for key in stored]

    def first_rows(self, reads: Sequence[FirstRows]) -> list[list[list[Row]]]:
        """One partition after another: each read is a local index seek, no round trip to share."""
        return [[self.page(r.table, p, end=r.end, limit=r.limit).rows for p in r.partitions] for r in reads]

    def scan(self, table: Table) -> Iterator[Row]:
        with self._errors(table.name, write=False):
            cursor = self._conn().execute(sql.scan(table), [_now_ms()])
            while found := cursor.fetchmany(1000):
                yield from (_row(table, r) for r in found)

    def select(self, statement: str, params: Mapping[str, Any], *, table: str) -> list[tuple[Any, ...]]:
        """Rows of a query module's own statement over this store's tables (``table`` names one for
        errors): for a hot page that the port's one-partition reads would answer in many statements.
        The statement must read only live rows, as every read of the port does."""
        with self._errors(table, write=False):
            return self._conn().execute(statement, params).fetchall()

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
        query = check_page(table, partition, start, end, descending, limit)
        after = None if cursor is None else _cursor_key(table, decode_cursor(self.cursors, query, cursor))
        statement, params = sql.page(table, query, after, _now_ms())
        with self._errors(table.name, write=False):
            found = self._conn().execute(statement, [*params, limit + 1]).fetchall()
        rows = found[:limit]
        more = len(found) > limit
        next_cursor = _next_cursor(self.cursors, table, query, rows[-1]) if more else None
        return Page([_row(table, r) for r in rows], next_cursor)


def _private_file(path: Path) -> None:
    """The file (and any folder made for it) owner-only, before SQLite opens it: SQLite gives its
    ``-wal`` and ``-shm`` the main file's mode. Files an older version left readable are narrowed."""
    missing: list[Path] = []
    folder = path.parent
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for made in reversed(missing):
        made.mkdir(mode=0o700, exist_ok=True)
    os.close(os.open(path, os.O_RDONLY | os.O_CREAT, 0o600))
    for file in (path, *(path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal"))):
        with suppress(FileNotFoundError):
            if file.stat().st_mode & 0o077:
                os.chmod(file, 0o600)


_WRITERS: dict[Path, threading.Lock] = {}
_WRITERS_GUARD = threading.Lock()


def _writer_lock(path: Path) -> threading.Lock:
    """One lock per read-store file and process."""
    with _WRITERS_GUARD:
        return _WRITERS.setdefault(path.resolve(), threading.Lock())


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _row(table: Table, found: Sequence[Any]) -> Row:
    kept = _READERS.get(table.name)
    if kept is None or kept[0] is not table:
        kept = _READERS[table.name] = (table, sql.readers(table))
    return {
        name: value if read is None else read(value)
        for name, read, value in zip(table.names, kept[1], found, strict=True)
    }


#: Each table's column readers (``sqlite_sql.readers``), by name; a table declared anew replaces them.
_READERS: dict[str, tuple[Table, tuple[Callable[[Any], Any] | None, ...]]] = {}


def _next_cursor(cursors: CursorSeal, table: Table, query: CheckedPage, last: Sequence[Any]) -> str:
    """The last row's clustering key, as stored; the next page starts strictly after it."""
    first = len(table.partition_key)
    stored = last[first : first + len(table.clustering)]
    payload = [v.hex() if isinstance(v, bytes) else v for v in stored]
    return encode_cursor(cursors, query, json.dumps(payload, ensure_ascii=False).encode())


def _cursor_key(table: Table, raw: bytes) -> tuple[Any, ...]:
    try:
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(table.clustering) or not values:
            raise ValueError("wrong shape")
        binary = (ColumnType.UUID, ColumnType.BLOB)
        return tuple(
            bytes.fromhex(v) if table.types[c] in binary else v
            for c, v in zip(table.clustering_names, values, strict=True)
        )
    except (ValueError, TypeError) as exc:
        raise InvalidQuery(f"malformed cursor: {exc}") from None
