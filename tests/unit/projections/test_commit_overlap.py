"""On Cassandra a stream sends each commit while it applies the next events. Until that commit lands,
the store may still show the rows it replaces: the batch reads them from memory, never back from the
store, and a commit that fails ends the run so that the next replays it from the checkpoints."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from domain.engagement.likes import VideoLiked
from projections.lane import Lane
from projections.models.video_counters import PROJECTOR as COUNTERS
from projections.rebuild import live_or_first
from projections.runner import CommitLost, Stream
from projections.writer import Batch
from read_models.checks import check_write
from read_models.errors import MissingTable
from read_models.port import Delete, ReadStore, Upsert
from read_models.sqlite import SQLiteReadStore
from read_models.tables import INT, TEXT, Clustering, Table, columns_of
from tests.unit.projections.world import World

VIDEO = "0190aaaa-bbbb-7ccc-8ddd-000000000001"
ITEMS = Table("items", columns_of(k=TEXT, n=INT, v=TEXT), ("k",), (Clustering("n"),))
ROW = {"k": "a", "n": 1, "v": "x"}
KEY = {"k": "a", "n": 1}
PARTITION = {"k": "a"}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteReadStore]:
    s = SQLiteReadStore(tmp_path / "read.db")
    s.create_table(ITEMS)
    yield s
    s.close()


def batch_on(store: ReadStore) -> Batch:
    return Batch(store, {ITEMS.name: ITEMS}, {ITEMS.name: 0})


def test_a_row_on_its_way_reads_as_written_though_the_store_still_shows_it_deleted(
    store: SQLiteReadStore,
) -> None:
    # Given a batch whose flush deleting a stored row is on its way (the store still holds the row)
    store.upsert(ITEMS, ROW, timestamp=1)
    batch = batch_on(store)
    batch.put(ITEMS.name, check_write(ITEMS, Delete(KEY, 2)))
    batch.waves()
    batch.flushed(landing=True)
    # When the next events read the row and its partition
    # Then they see it deleted, as it will be
    assert batch.get(ITEMS.name, KEY) is None
    assert batch.rows(ITEMS.name, PARTITION) == []


def test_a_row_on_its_way_written_then_deleted_again_is_deleted_in_the_store(
    store: SQLiteReadStore,
) -> None:
    # Given a flush writing a row, on its way (the store does not hold it yet)
    batch = batch_on(store)
    batch.put(ITEMS.name, check_write(ITEMS, Upsert(ROW, 1)))
    batch.waves()
    batch.flushed(landing=True)
    # When the next batch writes it and deletes it again
    batch.put(ITEMS.name, check_write(ITEMS, Upsert(ROW, 2)))
    batch.put(ITEMS.name, check_write(ITEMS, Delete(KEY, 3)))
    # Then the delete is sent, to hide the row the first flush will have written
    (wave,) = batch.waves()
    assert [(table.name, write.deleted) for table, write in wave] == [(ITEMS.name, True)]


class Held:
    """A read store whose commits wait for ``release``, or fail as told, counting them."""

    def __init__(self, store: ReadStore) -> None:
        self._store = store
        self.release = threading.Event()
        self.release.set()
        self.sent = 0
        self.fail_next: Exception | None = None

    def write_all(self, waves: Any) -> None:
        self.sent += 1
        failure, self.fail_next = self.fail_next, None
        if failure is not None:
            raise failure
        assert self.release.wait(10)
        self._store.write_all(waves)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path)
    yield w
    w.close()


def stream(world: World, store: Held) -> Stream:
    build = live_or_first(world.store, COUNTERS)
    lane = Lane(COUNTERS, store=store, build=build)
    return Stream([lane], events=world.events, codec=world.codec, store=store, overlap=True)


def likes(world: World) -> int:
    row = world.row(COUNTERS, "video_counters", video_id=VIDEO)
    return 0 if row is None else int(row["likes"])


def test_the_run_returns_once_its_last_commit_landed(world: World) -> None:
    head = world.given(*(VideoLiked(f"u{i}", VIDEO) for i in range(5)))
    held = Held(world.store)
    stream(world, held).run(until=head)
    assert likes(world) == 5
    assert world.state(COUNTERS).position == head


def test_a_commit_that_fails_on_its_way_is_replayed_from_the_checkpoint(world: World) -> None:
    # Given a run that committed three likes
    first = world.given(*(VideoLiked(f"u{i}", VIDEO) for i in range(3)))
    held = Held(world.store)
    running = stream(world, held)
    running.run(until=first)
    # When the commit of the next likes fails after it was sent
    head = world.given(*(VideoLiked(f"v{i}", VIDEO) for i in range(4)))
    held.fail_next = MissingTable("video_counters_v1")
    with pytest.raises(MissingTable):  # every lane is live: the table is missing indeed
        running.run(until=head)
    assert (likes(world), world.state(COUNTERS).position) == (3, first)
    # Then the next run replays them from the checkpoint, and nothing is lost
    running.run(until=head)
    assert (likes(world), world.state(COUNTERS).position) == (7, head)


def test_a_commit_lost_to_a_rebuild_ends_the_run_to_be_retried(world: World) -> None:
    head = world.given(VideoLiked("u1", VIDEO))
    held = Held(world.store)
    running = stream(world, held)
    (lane,) = running.lanes
    held.fail_next = MissingTable("video_counters_v1")
    lane.is_live = lambda: False  # type: ignore[method-assign]  # a rebuild replaced the build
    with pytest.raises(CommitLost):
        running.run(until=head)


def test_the_next_events_are_applied_while_a_commit_is_on_its_way(world: World) -> None:
    # Given a live stream that caught up
    held = Held(world.store)
    running = stream(world, held)
    (lane,) = running.lanes
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    try:
        caught_up = world.given(VideoLiked("u0", VIDEO))
        _wait(lambda: world.state(COUNTERS).position == caught_up)
        # When a commit is held on its way and more likes come
        held.release.clear()
        sent = held.sent
        world.given(VideoLiked("u1", VIDEO))
        _wait(lambda: held.sent > sent)
        head = world.given(VideoLiked("u2", VIDEO), VideoLiked("u3", VIDEO))
        # Then they are applied meanwhile, and land once the commit before them has
        _wait(lambda: lane.position == head)
        assert likes(world) == 1
        held.release.set()
        _wait(lambda: world.state(COUNTERS).position == head)
    finally:
        held.release.set()
        running.stop()
        thread.join(10)
    assert likes(world) == 4


def _wait(condition: Callable[[], bool], timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)
