"""Appends awaited on an event loop: the loop goes on serving while the disk syncs, they join the
group commit like any other, each keeps its own outcome, and none returns before it is durable."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from eventstore.chain import verify_chain
from eventstore.envelope import AppendResult, NewEvent, StreamState
from eventstore.errors import StoreUnavailable, WrongExpectedVersion
from eventstore.sqlite import SQLiteEventStore
from tests import loops

APPENDS = 12


def test_an_awaited_append_stores_its_events_and_answers_as_a_thread_would(tmp_path: Path) -> None:
    store = SQLiteEventStore(tmp_path / "events.db")
    first = store.append("thread-1", [NewEvent("Made", {"n": 0})], StreamState.NO_STREAM)

    awaited = loops.run(store.append_async("loop-1", [NewEvent("Made", {"n": 1})], StreamState.NO_STREAM))

    assert awaited == AppendResult(version=0, position=first.position + 1)
    assert [e.data for e in store.read_stream("loop-1")] == [{"n": 1}]
    assert verify_chain(list(store.read_all())) == []


def test_awaited_appends_queued_behind_a_commit_go_together_each_with_its_own_outcome(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SQLiteEventStore(tmp_path / "events.db")
    store.append("shared-1", [NewEvent("Opened", {})], StreamState.NO_STREAM)
    batches: list[int] = []
    commit = SQLiteEventStore._commit

    def counted(self: SQLiteEventStore, conn: Any, batch: list[Any]) -> None:
        batches.append(len(batch))
        commit(self, conn, batch)

    monkeypatch.setattr(SQLiteEventStore, "_commit", counted)

    async def append(i: int) -> AppendResult | Exception:
        try:
            if i % 4 == 0:  # a stale version: refused alone
                return await store.append_async("shared-1", [NewEvent("Late", {"i": i})], 5)
            return await store.append_async(f"own-{i}", [NewEvent("Made", {"i": i})], StreamState.NO_STREAM)
        except Exception as exc:
            return exc

    def commit_in_progress(held: threading.Event) -> None:
        """Holds the writer's lock until every append queued behind it (or ten seconds passed)."""
        with store._writer.lock:
            held.set()
            deadline = time.monotonic() + 10
            while len(store._writer.queue) < APPENDS and time.monotonic() < deadline:
                time.sleep(0.001)

    async def main() -> list[AppendResult | Exception]:
        # Given a commit in progress
        held = threading.Event()
        committing = threading.Thread(target=commit_in_progress, args=(held,))
        committing.start()
        held.wait()
        # When every append queues behind it
        outcomes = await asyncio.gather(*(append(i) for i in range(APPENDS)))
        committing.join()
        return outcomes

    outcomes = loops.run(main())

    # Then one transaction took them all
    assert batches == [APPENDS]
    # And each has its own outcome: the stale ones refused, the others stored once, in order
    for i, outcome in enumerate(outcomes):
        if i % 4 == 0:
            assert isinstance(outcome, WrongExpectedVersion), outcome
        else:
            assert isinstance(outcome, AppendResult), outcome
            assert [e.data for e in store.read_stream(f"own-{i}")] == [{"i": i}]
    assert [e.type for e in store.read_stream("shared-1")] == ["Opened"]
    positions = [e.position for e in store.read_all()]
    assert positions == sorted(set(positions)) == list(range(1, 2 + APPENDS - APPENDS // 4))
    assert verify_chain(list(store.read_all())) == []


def test_the_loop_serves_others_while_an_append_waits_for_its_commit(tmp_path: Path) -> None:
    store = SQLiteEventStore(tmp_path / "events.db")
    held, ticks = threading.Event(), 0

    def slow_commit() -> None:
        """Another commit in progress: the writer's lock held for a while."""
        with store._writer.lock:
            held.set()
            time.sleep(0.2)

    async def ticking() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.001)

    async def main() -> int:
        # Given a commit that takes a while
        committing = threading.Thread(target=slow_commit)
        committing.start()
        held.wait()
        ticker = asyncio.create_task(ticking())
        # When an append is awaited behind it
        await store.append_async("slow-1", [NewEvent("Made", {})], StreamState.NO_STREAM)
        ticker.cancel()
        committing.join()
        return ticks

    # Then the loop went on serving while it waited
    assert loops.run(main()) >= 20
    assert store.stream_version("slow-1") == 0


def test_threads_and_coroutines_appending_to_one_stream_chain_one_after_the_other(tmp_path: Path) -> None:
    store = SQLiteEventStore(tmp_path / "events.db")
    errors: list[BaseException] = []

    def from_threads() -> None:
        try:
            for n in range(20):
                store.append("mixed-1", [NewEvent("FromThread", {"n": n})], StreamState.ANY)
        except BaseException as exc:
            errors.append(exc)

    async def from_loop() -> None:
        for n in range(20):
            await store.append_async("mixed-1", [NewEvent("FromLoop", {"n": n})], StreamState.ANY)

    threads = [threading.Thread(target=from_threads) for _ in range(3)]
    for thread in threads:
        thread.start()
    loops.run(from_loop())
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    events = store.read_stream("mixed-1")
    assert [e.version for e in events] == list(range(80))
    assert verify_chain(events) == []


def test_a_commit_that_fails_fails_its_awaited_appends_and_the_next_ones_still_commit(tmp_path: Path) -> None:
    # Given another process holding the write lock
    path = tmp_path / "events.db"
    SQLiteEventStore(path).close()
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    store = SQLiteEventStore(path, busy_timeout_s=0.1)

    # When an append is awaited, it is told the store cannot answer, and stores nothing
    with pytest.raises(StoreUnavailable, match="locked"):
        loops.run(store.append_async("s-1", [NewEvent("A", {})], StreamState.ANY))
    blocker.execute("ROLLBACK")
    assert store.stream_version("s-1") is None

    # Then, once the lock is free, the next one commits
    result = loops.run(store.append_async("s-1", [NewEvent("A", {})], StreamState.ANY))
    assert result.version == 0


def queued_together(store: SQLiteEventStore, appends: list[Any]) -> list[AppendResult | Exception]:
    """Runs ``appends`` (store.append_async's arguments) behind one commit, so they form one batch."""

    def commit_in_progress(held: threading.Event) -> None:
        with store._writer.lock:
            held.set()
            deadline = time.monotonic() + 10
            while len(store._writer.queue) < len(appends) and time.monotonic() < deadline:
                time.sleep(0.001)

    async def one(arguments: Any) -> AppendResult | Exception:
        try:
            return await store.append_async(*arguments)
        except Exception as exc:
            return exc

    async def main() -> list[AppendResult | Exception]:
        held = threading.Event()
        committing = threading.Thread(target=commit_in_progress, args=(held,))
        committing.start()
        held.wait()
        outcomes = await asyncio.gather(*(one(arguments) for arguments in appends))
        committing.join()
        return outcomes

    return loops.run(main())


def test_a_batch_written_together_gives_each_append_its_versions_and_positions(tmp_path: Path) -> None:
    # Given a stream with history, and a batch that appends to it twice and to new streams
    store = SQLiteEventStore(tmp_path / "events.db")
    store.append("old-1", [NewEvent("Made", {"n": 0})], StreamState.NO_STREAM)
    appends = [
        ("old-1", [NewEvent("Made", {"n": 1}), NewEvent("Made", {"n": 2})], 0),
        ("new-1", [NewEvent("Made", {"n": 3})], StreamState.NO_STREAM),
        ("old-1", [NewEvent("Made", {"n": 4})], StreamState.ANY),
        ("new-2", [NewEvent("Made", {"n": 5})], StreamState.NO_STREAM),
    ]

    # When they commit in one transaction
    outcomes = queued_together(store, appends)

    # Then each append got the version and position of its own last event, and every chain holds
    assert outcomes == [
        AppendResult(version=2, position=3),
        AppendResult(version=0, position=4),
        AppendResult(version=3, position=5),
        AppendResult(version=0, position=6),
    ]
    assert [e.data["n"] for e in store.read_stream("old-1")] == [0, 1, 2, 4]
    assert [e.data["n"] for e in store.read_all()] == [0, 1, 2, 3, 4, 5]
    assert verify_chain(list(store.read_all())) == []


def test_a_retry_in_a_batch_is_recognised_and_the_others_still_land(tmp_path: Path) -> None:
    # Given an append that landed, and a batch holding its retry (the same event ids) among others
    store = SQLiteEventStore(tmp_path / "events.db")
    first = NewEvent("Made", {"n": 0}, event_id="0190f5a0-0000-7000-8000-000000000001")
    landed = store.append("kept-1", [first], StreamState.NO_STREAM)
    appends = [
        ("other-1", [NewEvent("Made", {"n": 1})], StreamState.NO_STREAM),
        ("kept-1", [first], StreamState.ANY),
        ("other-2", [NewEvent("Made", {"n": 2})], StreamState.NO_STREAM),
    ]

    # When the batch commits
    outcomes = queued_together(store, appends)

    # Then the retry is answered as the first time and stores nothing; the others are stored
    assert outcomes[1] == landed
    assert [e.data["n"] for e in store.read_all()] == [0, 1, 2]
    assert all(isinstance(outcome, AppendResult) for outcome in outcomes)
    assert verify_chain(list(store.read_all())) == []
