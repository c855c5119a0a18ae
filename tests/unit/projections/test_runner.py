"""The runner's promises: progress is recorded, a failing projector stops loudly and alone,
and partitions split the entities between owners without overlap."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from domain.accounts.events import ErasureRequested
from domain.engagement.likes import VideoLiked
from eventstore.codec import Decoded
from projections.models.video_counters import PROJECTOR as COUNTERS
from projections.projector import Projector
from projections.rebuild import live_or_first
from projections.runner import Partition, ProjectorFailed, Runner
from projections.supervisor import Supervisor
from projections.writer import Writer
from read_models import projection_state
from read_models.errors import RetryableWriteError
from read_models.port import ReadStore
from tests.unit.fixtures import NoteWritten, register_test_events
from tests.unit.projections.world import World

VIDEOS = [f"0190aaaa-bbbb-7ccc-8ddd-{i:012d}" for i in range(40)]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path)
    yield w
    w.close()


def explode_on_third(decoded: Decoded, writer: Writer) -> None:
    if writer.position == 3:
        raise RuntimeError("bug in the projector")


BROKEN = dataclasses.replace(COUNTERS, name="broken", project=explode_on_third)


def test_a_failing_projector_stops_at_the_event_and_records_why(world: World) -> None:
    # Given
    world.given(*(VideoLiked(f"u{i}", VIDEOS[0]) for i in range(5)))
    # When
    with pytest.raises(ProjectorFailed, match="position 3"):
        world.project(BROKEN)
    # Then its state names the event and the error, and its checkpoint is before it
    state = world.state(BROKEN)
    assert (state.status, state.error_position, state.position) == (projection_state.FAILED, 3, 2)
    assert "bug in the projector" in (state.error or "")


def test_one_failing_projector_leaves_the_others_running(world: World) -> None:
    world.given(*(VideoLiked(f"u{i}", VIDEOS[0]) for i in range(5)))
    supervisor = Supervisor([BROKEN, COUNTERS], events=world.events, codec=world.codec, store=world.store)
    supervisor.start()
    try:
        _wait(lambda: world.state(COUNTERS).position >= 5)
        _wait(lambda: world.state(BROKEN).status == projection_state.FAILED)
    finally:
        supervisor.stop()
    assert world.row(COUNTERS, "video_counters", video_id=VIDEOS[0])["likes"] == 5  # type: ignore[index]


def test_partitions_split_the_videos_between_owners_without_overlap(world: World) -> None:
    # Given likes on forty videos
    head = world.given(*(VideoLiked("u1", v) for v in VIDEOS))
    # When two runners each own half of the entities
    for index in (0, 1):
        runner = Runner(
            COUNTERS,
            events=world.events,
            codec=world.codec,
            store=world.store,
            build=live_or_first(world.store, COUNTERS),
            partition=Partition(index, 2),
        )
        runner.run(until=head)
    # Then every video was counted exactly once, and each half got some
    owners = {v: Partition(0, 2).owns(v) for v in VIDEOS}
    assert 0 < sum(owners.values()) < len(VIDEOS)
    assert all(world.row(COUNTERS, "video_counters", video_id=v)["likes"] == 1 for v in VIDEOS)  # type: ignore[index]
    assert world.state(COUNTERS, "0/2").position == head
    assert world.state(COUNTERS, "1/2").position == head


@pytest.mark.parametrize("text", ["2", "2/2", "-1/3", "a/b", "1/0"])
def test_a_malformed_partition_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="--partition"):
        Partition.parse(text)


def test_a_live_runner_applies_new_events_promptly(world: World) -> None:
    supervisor = Supervisor([COUNTERS], events=world.events, codec=world.codec, store=world.store)
    supervisor.start()
    try:
        position = world.given(VideoLiked("u1", VIDEOS[1]))
        _wait(lambda: world.state(COUNTERS).position >= position)
        assert world.row(COUNTERS, "video_counters", video_id=VIDEOS[1])["likes"] == 1  # type: ignore[index]
    finally:
        supervisor.stop()


class Flaky:
    """A read store whose first bulk writes fail as a busy store does."""

    def __init__(self, store: ReadStore, failures: int) -> None:
        self._store = store
        self.failures = failures

    def write_all(self, waves: Any) -> None:
        if self.failures:
            self.failures -= 1
            raise RetryableWriteError("busy for a moment")
        self._store.write_all(waves)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def test_a_store_that_fails_for_a_while_is_retried_not_taken_for_a_broken_projector(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("projections.supervisor.RETRY_FIRST_S", 0.01)
    world.given(*(VideoLiked(f"u{i}", VIDEOS[2]) for i in range(3)))
    flaky = Flaky(world.store, failures=3)
    supervisor = Supervisor([COUNTERS], events=world.events, codec=world.codec, store=flaky)
    supervisor.start()
    try:
        _wait(lambda: world.state(COUNTERS).position >= 3)
    finally:
        supervisor.stop()
    assert flaky.failures == 0
    assert world.state(COUNTERS).status != projection_state.FAILED
    assert world.row(COUNTERS, "video_counters", video_id=VIDEOS[2])["likes"] == 3  # type: ignore[index]


def _wait(condition: object, timeout: float = 5.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


class NotAtomic:
    """The world's SQLite store as a store whose rows do not commit with their checkpoint
    (Cassandra's case), counting the rows of the projector's table it is asked for."""

    engine = "cassandra"

    def __init__(self, store: ReadStore) -> None:
        self._store = store
        self.reads = 0

    def get(self, table: Any, key: Any) -> Any:
        self.reads += table.name.startswith("video_counters")
        return self._store.get(table, key)

    def get_many(self, table: Any, keys: Any) -> Any:
        self.reads += len(keys)
        return self._store.get_many(table, keys)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def test_a_projector_on_tables_it_just_created_reads_no_row_back(world: World) -> None:
    # Given likes of forty videos, and a store where rows may land before any checkpoint
    head = world.given(*(VideoLiked("u1", v) for v in VIDEOS))
    store = NotAtomic(world.store)
    # When a runner (not a rebuild) starts on tables it creates itself
    runner = Runner(
        COUNTERS, events=world.events, codec=world.codec, store=store, build=live_or_first(store, COUNTERS)
    )
    runner.run(until=head)
    # Then it asked the store for no row: tables it created hold only what it wrote
    assert store.reads == 0
    assert world.row(COUNTERS, "video_counters", video_id=VIDEOS[0])["likes"] == 1  # type: ignore[index]


def test_a_stream_forgets_a_persons_key_once_their_erasure_passes(world: World) -> None:
    """A stream looks each person's key up once a batch; an erasure in the batch drops what it found,
    so a note sealed just before the key went, logged after the erasure, is never read in clear."""
    register_test_events()
    world.given(NoteWritten("u1", "before"), ErasureRequested("u1", "u1"), NoteWritten("u1", "after"))
    texts: list[str | None] = []

    def read(decoded: Decoded, writer: Writer) -> None:
        if isinstance(decoded.event, ErasureRequested):
            world.keys.erase("u1")  # the key goes while the batch is being read
        else:
            texts.append(decoded.event.text)  # type: ignore[attr-defined]

    notes = Projector("notes", 1, (), ("TestNoteWritten", "ErasureRequested"), read, entity=lambda d: "u1")
    world.project(notes)
    assert texts == ["before", None]
