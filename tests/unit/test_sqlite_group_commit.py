"""Appends that arrive together commit together, and each keeps its own outcome: the throughput of
one wait for the disk shared by many, without one append's refusal touching another's events."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from eventstore.chain import verify_chain
from eventstore.envelope import AppendResult, NewEvent, StreamState
from eventstore.errors import WrongExpectedVersion
from eventstore.sqlite import SQLiteEventStore

THREADS = 12


def _wait_for_queue(store: SQLiteEventStore, length: int) -> None:
    deadline = time.monotonic() + 10
    while len(store._writer.queue) < length:
        assert time.monotonic() < deadline, "the appends never queued"
        time.sleep(0.005)


def test_appends_queued_behind_a_commit_go_in_one_transaction_with_their_own_outcomes(
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
    outcomes: dict[int, AppendResult | Exception] = {}

    def append(i: int) -> None:
        try:
            if i % 4 == 0:  # a stale version: refused alone
                outcomes[i] = store.append("shared-1", [NewEvent("Late", {"i": i})], 5)
            else:
                outcomes[i] = store.append(f"own-{i}", [NewEvent("Made", {"i": i})], StreamState.NO_STREAM)
        except Exception as exc:
            outcomes[i] = exc

    # Given a commit in progress (the writer's lock held)
    with store._writer.lock:
        threads = [threading.Thread(target=append, args=(i,)) for i in range(THREADS)]
        for thread in threads:
            thread.start()
        # When every append queues behind it
        _wait_for_queue(store, THREADS)
    for thread in threads:
        thread.join(timeout=10)

    # Then one transaction took them all
    assert batches == [THREADS]
    # And each has its own outcome: the stale ones refused, the others stored once, in order
    for i, outcome in outcomes.items():
        if i % 4 == 0:
            assert isinstance(outcome, WrongExpectedVersion), outcome
        else:
            assert isinstance(outcome, AppendResult), outcome
            assert [e.data for e in store.read_stream(f"own-{i}")] == [{"i": i}]
    assert [e.type for e in store.read_stream("shared-1")] == ["Opened"]
    positions = [e.position for e in store.read_all()]
    assert positions == sorted(set(positions))
    assert len(positions) == 1 + THREADS - THREADS // 4
    assert verify_chain(list(store.read_all())) == []


def test_two_appends_of_one_stream_in_a_batch_chain_one_after_the_other(tmp_path: Path) -> None:
    store = SQLiteEventStore(tmp_path / "events.db")
    results: list[AppendResult] = []
    with store._writer.lock:
        threads = [
            threading.Thread(
                target=lambda: results.append(store.append("s-1", [NewEvent("E", {})], StreamState.ANY))
            )
            for _ in range(2)
        ]
        for thread in threads:
            thread.start()
        _wait_for_queue(store, 2)
    for thread in threads:
        thread.join(timeout=10)
    assert sorted(r.version for r in results) == [0, 1]
    assert verify_chain(list(store.read_all())) == []
