"""The embedded event store: one SQLite file in WAL mode, safe for several processes.

Writers serialise on ``BEGIN IMMEDIATE``, so global positions commit in order and a
reader never sees a gap that fills later. Durable by default (``synchronous=FULL``).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson

from eventstore.envelope import (
    AppendResult,
    Checkpoint,
    EventFilter,
    Expected,
    Metadata,
    NewEvent,
    RecordedEvent,
    check_append,
    check_stream_name,
)
from eventstore.errors import (
    CorruptEvent,
    StoreUnavailable,
    StreamNotFound,
)
from eventstore.files import private_sqlite_file
from eventstore.group_commit import Pending, settle, writer_for
from eventstore.sqlite_writes import apply, apply_apart, apply_together
from eventstore.wakeup import Listener, Waker, channel_dir
from plumbing.thread_connections import ThreadConnections

APPLICATION_ID = 0x5354524D  # "STRM"
SCHEMA_VERSION = 1
PAGE = 2000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    stream TEXT NOT NULL,
    category TEXT NOT NULL,
    version INTEGER NOT NULL,
    event_id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    schema_version INTEGER NOT NULL,
    data BLOB NOT NULL,
    metadata BLOB NOT NULL,
    UNIQUE (stream, version)
);
CREATE INDEX IF NOT EXISTS events_by_type ON events (type, position);
CREATE TABLE IF NOT EXISTS streams (
    stream TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    last_hash TEXT NOT NULL,
    metadata BLOB
) WITHOUT ROWID;
"""

_COLUMNS = "position, stream, version, event_id, type, schema_version, data, metadata"
#: Read from the (stream, version) index alone: every signed-in request asks it twice (the session
#: gate), and every command once; reading its metadata too would cost a seek into the table.
STREAM_VERSION = "SELECT version FROM events WHERE stream = ? ORDER BY version DESC LIMIT 1"


class SQLiteEventStore:
    def __init__(self, path: Path | str, *, sync: str = "full", busy_timeout_s: float = 5.0) -> None:
        if sync not in ("full", "normal"):
            raise ValueError("sync must be 'full' or 'normal'")
        self.path = Path(path)
        self._sync = sync
        self._timeout = busy_timeout_s
        self._conns = ThreadConnections(self._connect)
        self._wake_dir = channel_dir(self.path)
        self._waker = Waker(self._wake_dir)
        self._writer = writer_for(self.path)
        self._initialise()

    # -- connections -------------------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        """This thread's connection: closed when the thread ends (see ``ThreadConnections``)."""
        return self._conns.get()

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=self._timeout
            )
            conn.execute(f"PRAGMA synchronous={self._sync.upper()}")
        except sqlite3.Error as exc:
            raise self._unavailable(exc) from exc
        return conn

    def _unavailable(self, exc: sqlite3.Error) -> StoreUnavailable:
        text = str(exc)
        if "locked" in text or "busy" in text:
            return StoreUnavailable(f"{self.path}: the database stayed locked for {self._timeout}s")
        if "not a database" in text:
            return StoreUnavailable(f"{self.path}: not a SQLite database")
        return StoreUnavailable(f"{self.path}: {text}")

    def _initialise(self) -> None:
        try:
            private_sqlite_file(self.path)
        except OSError as exc:
            raise StoreUnavailable(f"{self.path}: {exc}") from exc
        conn = self._conn()
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if app_id != APPLICATION_ID and (app_id != 0 or tables):
                raise StoreUnavailable(f"{self.path}: not a Strom event store")
            if app_id == 0:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.executescript(_SCHEMA)
                conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
                conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except sqlite3.Error as exc:
            raise self._unavailable(exc) from exc

    def close(self) -> None:
        self._conns.close()
        self._waker.close()

    # -- writing -----------------------------------------------------------------------

    def append(self, stream: str, events: Sequence[NewEvent], expected: Expected) -> AppendResult:
        """Appends that arrive while another commits wait and go together in the next transaction:
        one commit, one wait for the disk, for all of them (group commit). Each keeps its own
        outcome: one refused (a stale version) stores nothing and fails alone. None returns before
        its events are durable."""
        check_append(stream, events)
        pending = Pending(stream, events, expected)
        writer = self._writer
        writer.enqueue(pending)
        with writer.lock:
            while not pending.done:
                self._commit_next()
        self._waker.wake()
        return _outcome(pending)

    async def append_async(self, stream: str, events: Sequence[NewEvent], expected: Expected) -> AppendResult:
        """``append`` for a caller on an event loop: the same queue and transactions, but the loop is
        not held while the disk syncs. The file's commit thread commits the batch, and the caller
        resumes once its events are durable (``eventstore.group_commit``)."""
        check_append(stream, events)
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[AppendResult] = loop.create_future()
        if self._writer.enqueue(Pending(stream, events, expected, waiter=waiter)):
            loop.call_soon(self._start_draining)  # once the loop ran what it had ready
        return await waiter

    def _start_draining(self) -> None:
        if self._writer.start_draining():
            self._writer.commits.submit(self._drain)

    def _drain(self) -> None:
        """The commit thread's turn: batch after batch until nothing is queued. Never raises, or
        the coroutines queued after would wait for ever: a failure is each pending append's own."""
        writer = self._writer
        while not writer.done_draining():
            with writer.lock, contextlib.suppress(Exception):  # each append of the batch holds it
                self._commit_next()
            self._waker.wake()

    def _commit_next(self) -> None:
        """Commits the next batch on this thread's connection and settles the coroutines in it; the
        caller holds the writer's lock."""
        batch = self._writer.take()
        if not batch:  # a thread took it all while the commit thread waited for the lock
            return
        try:
            self._commit(self._conn(), batch)
        except BaseException as exc:
            for pending in batch:
                if not pending.done:  # no connection: the batch never reached ``_commit``
                    pending.fail(exc)
                    pending.done = True
            raise
        finally:
            settle(batch)

    def _commit(self, conn: sqlite3.Connection, batch: list[Pending]) -> None:
        """One transaction for the batch: its appends written together where they can be, else one
        by one; a lone append needs no savepoint of its own."""
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                if len(batch) == 1:
                    apply(conn, batch[0])
                elif not apply_together(conn, batch):
                    for pending in batch:
                        apply_apart(conn, pending)
                if len(batch) == 1 and batch[0].error is not None:
                    conn.execute("ROLLBACK")
                else:
                    conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        except sqlite3.OperationalError as exc:
            for pending in batch:
                pending.fail(self._unavailable(exc))
        except BaseException as exc:
            for pending in batch:
                pending.fail(exc)
            raise
        finally:
            for pending in batch:
                pending.done = True

    def set_stream_metadata(self, stream: str, metadata: dict[str, Any]) -> None:
        check_stream_name(stream)
        self._conn().execute(
            "INSERT INTO streams (stream, version, last_hash, metadata) VALUES (?, -1, '', ?) "
            "ON CONFLICT (stream) DO UPDATE SET metadata = excluded.metadata",
            (stream, orjson.dumps(metadata)),
        )

    # -- reading -----------------------------------------------------------------------

    def get_stream_metadata(self, stream: str) -> dict[str, Any]:
        row = self._query_one("SELECT metadata FROM streams WHERE stream = ?", (stream,))
        if row is None or row[0] is None:
            return {}
        value: dict[str, Any] = orjson.loads(row[0])
        return value

    def stream_version(self, stream: str) -> int | None:
        row = self._query_one(STREAM_VERSION, (stream,))
        return None if row is None else int(row[0])

    def head_position(self) -> int:
        row = self._query_one("SELECT max(position) FROM events", ())
        return int(row[0] or 0) if row else 0

    def read_stream(
        self,
        stream: str,
        *,
        from_version: int | None = None,
        backwards: bool = False,
        limit: int | None = None,
    ) -> list[RecordedEvent]:
        if backwards:
            start = (1 << 62) if from_version is None else from_version
            sql = f"SELECT {_COLUMNS} FROM events WHERE stream = ? AND version <= ? ORDER BY version DESC"
        else:
            start = from_version or 0
            sql = f"SELECT {_COLUMNS} FROM events WHERE stream = ? AND version >= ? ORDER BY version"
        with self._snapshot():
            rows = self._query(f"{sql} LIMIT ?", (stream, start, -1 if limit is None else limit))
            # Same snapshot: a stream created between two reads must not look empty-but-existing.
            if not rows and self.stream_version(stream) is None:
                raise StreamNotFound(stream)
        return [_decode(r) for r in rows]

    @contextlib.contextmanager
    def _snapshot(self) -> Iterator[None]:
        """Statements inside see one consistent state of the log (a WAL read transaction)."""
        conn = self._conn()
        if conn.in_transaction:
            yield
            return
        conn.execute("BEGIN")
        try:
            yield
        finally:
            conn.execute("COMMIT")

    def read_all(
        self,
        *,
        after: int | None = None,
        filter: EventFilter | None = None,
        limit: int | None = None,
    ) -> Iterator[RecordedEvent]:
        where, params = _filter_sql(filter)
        position = after or 0
        remaining = limit if limit is not None else -1
        while remaining != 0:
            page = PAGE if remaining < 0 else min(PAGE, remaining)
            rows = self._query(
                f"SELECT {_COLUMNS} FROM events WHERE position > ?{where} ORDER BY position LIMIT ?",
                (position, *params, page),
            )
            for row in rows:
                yield _decode(row)
            if len(rows) < page:
                return
            position = rows[-1][0]
            remaining = remaining - len(rows) if remaining > 0 else remaining

    def subscribe(
        self, *, after: int | None = None, filter: EventFilter | None = None, checkpoints: bool = False
    ) -> SQLiteSubscription:
        return SQLiteSubscription(self, after or 0, filter, checkpoints=checkpoints)

    def _query(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        try:
            return self._conn().execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise self._unavailable(exc) from exc

    def _query_one(self, sql: str, params: tuple[Any, ...]) -> Any:
        rows = self._query(sql, params)
        return rows[0] if rows else None


class SQLiteSubscription:
    """Catches up from the log, then sleeps on a wake-up socket until an append nudges it. With
    ``checkpoints``, each catch-up is marked, and the mark repeated after every quiet wait (the
    port's promise; ``eventstore.quiet_marks`` keeps it for KurrentDB)."""

    def __init__(
        self,
        store: SQLiteEventStore,
        after: int,
        filter: EventFilter | None,
        *,
        checkpoints: bool = False,
        fallback_s: float = 1.0,
    ) -> None:
        self._store = store
        self._checkpoints = checkpoints
        self._position = after
        self._filter = filter
        self._fallback_s = fallback_s
        self._stopped = threading.Event()
        # Listen before the first read, so an append between the read and the wait still wakes us.
        self._listener = Listener(store._wake_dir)

    def __iter__(self) -> Iterator[RecordedEvent | Checkpoint]:
        marked = -1  # the first catch-up is always marked, even with nothing new
        try:
            while not self._stopped.is_set():
                head = self._store.head_position()
                got = 0
                for event in self._store.read_all(after=self._position, filter=self._filter, limit=PAGE):
                    self._position = event.position
                    got += 1
                    yield event
                    if self._stopped.is_set():
                        return
                if got < PAGE:
                    quiet = got == 0 and head <= self._position
                    self._position = max(self._position, head)
                    if self._checkpoints and (self._position > marked or quiet):
                        marked = self._position
                        yield Checkpoint(marked)
                    self._listener.wait(self._fallback_s)
        finally:
            self._listener.close()

    def stop(self) -> None:
        self._stopped.set()
        self._listener.nudge()


def _outcome(pending: Pending) -> AppendResult:
    if pending.error is not None:
        raise pending.error
    assert pending.result is not None
    return pending.result


def _filter_sql(filter: EventFilter | None) -> tuple[str, tuple[str, ...]]:
    if filter is None or (not filter.types and not filter.categories):
        return "", ()
    clauses = []
    if filter.types:
        clauses.append(f"type IN ({', '.join('?' * len(filter.types))})")
    if filter.categories:
        clauses.append(f"category IN ({', '.join('?' * len(filter.categories))})")
    return f" AND ({' OR '.join(clauses)})", (*filter.types, *filter.categories)


def _decode(row: tuple[Any, ...]) -> RecordedEvent:
    position, stream, version, event_id, type_, schema_version, data, metadata = row
    try:
        decoded_data = orjson.loads(data)
        decoded_meta = Metadata.from_dict(orjson.loads(metadata))
    except (orjson.JSONDecodeError, TypeError) as exc:
        raise CorruptEvent(stream, position, f"unreadable event body: {exc}") from exc
    if not isinstance(decoded_data, dict):
        raise CorruptEvent(stream, position, "event data is not a JSON object")
    return RecordedEvent(
        stream=stream,
        version=version,
        position=position,
        event_id=event_id,
        type=type_,
        schema_version=schema_version,
        data=decoded_data,
        metadata=decoded_meta,
    )
