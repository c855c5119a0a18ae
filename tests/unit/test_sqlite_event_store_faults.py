"""The SQLite log refuses what is not ours and reports damage loudly, never skipping it."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from eventstore.chain import verify_chain
from eventstore.envelope import NewEvent, StreamState
from eventstore.errors import CorruptEvent, DuplicateEventId, StoreUnavailable
from eventstore.sqlite import SQLiteEventStore


def test_a_database_that_is_not_ours_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE customers (id INTEGER)")
    with pytest.raises(StoreUnavailable, match="not a Strom event store"):
        SQLiteEventStore(path)


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello, this is text and not a database " * 100)
    with pytest.raises(StoreUnavailable, match="not a SQLite database"):
        SQLiteEventStore(path)


def test_a_locked_database_is_a_clear_error_and_stores_nothing(tmp_path: Path) -> None:
    # Given another process holding the write lock
    path = tmp_path / "events.db"
    SQLiteEventStore(path).close()
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    store = SQLiteEventStore(path, busy_timeout_s=0.1)
    # When / Then
    with pytest.raises(StoreUnavailable, match="locked"):
        store.append("s-1", [NewEvent("A", {})], StreamState.ANY)
    blocker.execute("ROLLBACK")
    assert store.stream_version("s-1") is None


def test_a_corrupt_row_names_its_stream_and_position(tmp_path: Path) -> None:
    store = SQLiteEventStore(tmp_path / "events.db")
    result = store.append("s-1", [NewEvent("A", {"x": 1})], StreamState.ANY)
    with sqlite3.connect(tmp_path / "events.db") as db:
        db.execute("UPDATE events SET data = x'00ff' WHERE position = ?", (result.position,))
    with pytest.raises(CorruptEvent) as caught:
        store.read_stream("s-1")
    assert (caught.value.stream, caught.value.position) == ("s-1", result.position)
    with pytest.raises(CorruptEvent):
        list(store.read_all())


def test_an_event_id_stored_in_another_stream_fails_the_whole_append(tmp_path: Path) -> None:
    store = SQLiteEventStore(tmp_path / "events.db")
    taken = NewEvent("A", {})
    store.append("s-1", [taken], StreamState.ANY)
    with pytest.raises(DuplicateEventId):
        store.append("s-2", [NewEvent("B", {}), taken], StreamState.ANY)
    with pytest.raises(DuplicateEventId):
        store.append("s-2", [taken], StreamState.ANY)
    assert store.stream_version("s-2") is None


def _append_many(path: str, worker: int, n: int) -> None:
    store = SQLiteEventStore(path)
    for i in range(n):
        store.append("shared-1", [NewEvent("A", {"w": worker, "i": i})], StreamState.ANY)
    store.close()


def test_processes_appending_at_once_leave_one_gapless_verified_chain(tmp_path: Path) -> None:
    # Given four processes appending to the same stream with no concurrency check
    path = str(tmp_path / "events.db")
    SQLiteEventStore(path).close()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_append_many, args=(path, w, 50)) for w in range(4)]
    # When
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=60)
    # Then
    assert all(p.exitcode == 0 for p in procs)
    events = SQLiteEventStore(path).read_stream("shared-1")
    assert [e.version for e in events] == list(range(200))
    positions = [e.position for e in events]
    assert positions == sorted(positions)
    assert verify_chain(events) == []
