"""SQLite stores open a connection per thread; a thread that ends must take its connections with it.

The API serves requests on a pool of worker threads that come and go: a connection left open by
each thread that ever ran (three file descriptors apiece in WAL mode: the database, its WAL and
its shared memory) ran a long-lived process out of descriptors after a dozen bursts of requests.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from eventstore.envelope import NewEvent, StreamState
from eventstore.keystore import SQLiteKeyStore
from eventstore.sqlite import SQLiteEventStore
from read_models.sqlite import SQLiteReadStore
from read_models.tables import INT, TEXT, Clustering, Table, columns_of

THREADS = 50
#: Descriptors a run may keep beyond the start: a few for connections that are still in use.
SLACK = 12
ITEMS = Table("items", columns_of(k=TEXT, n=INT, v=TEXT), ("k",), (Clustering("n"),))


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.fixture
def events(tmp_path: Path) -> Iterator[SQLiteEventStore]:
    store = SQLiteEventStore(tmp_path / "events.db", sync="normal")
    yield store
    store.close()


@pytest.fixture
def keys(tmp_path: Path) -> Iterator[SQLiteKeyStore]:
    store = SQLiteKeyStore(tmp_path / "keys.db")
    yield store
    store.close()


@pytest.fixture
def rows(tmp_path: Path) -> Iterator[SQLiteReadStore]:
    store = SQLiteReadStore(tmp_path / "read.db")
    store.create_table(ITEMS)
    yield store
    store.close()


def in_short_lived_threads(work: Callable[[int], None]) -> None:
    """Each call on a thread of its own that ends before the next starts, as idle pool threads do."""
    failures: list[BaseException] = []

    def run(i: int) -> None:
        try:
            work(i)
        except BaseException as exc:  # surfaced below, in the test's own thread
            failures.append(exc)

    for i in range(THREADS):
        thread = threading.Thread(target=run, args=(i,))
        thread.start()
        thread.join()
    assert failures == []


def test_event_store_connections_end_with_their_threads(events: SQLiteEventStore) -> None:
    # Given a store already in use
    stream = f"likes-{uuid.uuid4().hex}"
    events.append(stream, [NewEvent(type="Happened", data={"n": -1})], StreamState.NO_STREAM)
    before = open_fds()

    # When many threads in turn append and read, then end
    def work(i: int) -> None:
        events.append(stream, [NewEvent(type="Happened", data={"n": i})], StreamState.ANY)
        assert events.read_stream(stream, from_version=i)[-1].data == {"n": i}
        assert events.head_position() == i + 2

    in_short_lived_threads(work)

    # Then the process holds about as many descriptors as before, and the store still works
    assert open_fds() - before <= SLACK
    assert events.stream_version(stream) == THREADS


def test_read_store_connections_end_with_their_threads(rows: SQLiteReadStore) -> None:
    before = open_fds()

    def work(i: int) -> None:
        rows.upsert(ITEMS, {"k": "p", "n": i, "v": f"v{i}"})
        assert rows.get(ITEMS, {"k": "p", "n": i}) is not None

    in_short_lived_threads(work)

    assert open_fds() - before <= SLACK
    assert len(rows.page(ITEMS, {"k": "p"}, limit=100).rows) == THREADS


def test_key_store_connections_stay_bounded_across_threads(keys: SQLiteKeyStore) -> None:
    before = open_fds()

    def work(i: int) -> None:
        assert keys.key_for(f"user-{i}") == keys.find(f"user-{i}")

    in_short_lived_threads(work)

    assert open_fds() - before <= SLACK


def test_closing_a_store_closes_the_connections_of_threads_still_alive(tmp_path: Path) -> None:
    # Given threads that opened connections and are still alive
    before = open_fds()
    store = SQLiteEventStore(tmp_path / "events.db", sync="normal")
    started, finish = threading.Barrier(5), threading.Event()

    def hold() -> None:
        store.head_position()
        started.wait()
        finish.wait()

    threads = [threading.Thread(target=hold) for _ in range(4)]
    for thread in threads:
        thread.start()
    started.wait()

    # When the store is closed before they end
    store.close()

    # Then none of its files stays open
    assert open_fds() - before <= 1  # the wake-up channel's socket may linger until collected
    finish.set()
    for thread in threads:
        thread.join()
