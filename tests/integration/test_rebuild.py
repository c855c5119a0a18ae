"""Rebuilding a projection: the engineer's command and the bumped version both fill fresh tables beside
the live ones, check parity, switch, and drop the old; queries keep answering, and live runners follow.
"""

from __future__ import annotations

import dataclasses
import random
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from domain.accounts.events import UserRegistered
from domain.engagement.likes import VideoLiked
from domain.social import UserFollowed
from domain.videos.events import VideoDraftCreated, VideoPublished
from projections import parity
from projections.models.profiles import PROJECTOR as PROFILES
from projections.models.video_counters import PROJECTOR as COUNTERS
from projections.models.video_details import PROJECTOR as VIDEO_DETAILS
from projections.projector import Projector
from projections.rebuild import rebuild
from projections.runner import Partition
from projections.supervisor import Supervisor
from read_models import live, projection_state
from read_models.errors import MissingTable
from read_models.live import Build
from read_models.port import ReadStore
from read_models.sqlite import SQLiteReadStore
from read_models.tables import Table
from read_models.video_counters import VIDEO_COUNTERS
from strom.cli import app
from tests.integration.api.harness import System
from tests.integration.log_builder import snapshot
from tests.unit.projections.world import World

VIDEOS = [f"0190aaaa-bbbb-7ccc-8ddd-{i:012d}" for i in range(30)]
NEW_VIDEO = "0190cccc-bbbb-7ccc-8ddd-000000000001"
USERS = [f"0190bbbb-bbbb-7ccc-8ddd-{i:012d}" for i in range(40)]
V1, V1R1 = Build(COUNTERS.version), Build(COUNTERS.version, 1)


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """Stores on files that `strom` opens through its settings; builds switch in a fraction of a second."""
    monkeypatch.setattr(live, "CACHE_S", 0.1)
    monkeypatch.setattr(live, "GRACE_S", 0.3)
    for name, file in (("EVENTSTORE", "events.db"), ("READSTORE", "read.db"), ("KEYSTORE", "keys.db")):
        monkeypatch.setenv(f"STROM_{name}_URL", f"sqlite:///{tmp_path / file}")
    monkeypatch.setenv("STROM_DATA_DIR", str(tmp_path))
    w = World(tmp_path)
    yield w
    w.close()


def likes(count: int, offset: int = 0) -> list[VideoLiked]:
    """``count`` likes spread over the videos, each by another user."""
    return [VideoLiked(f"user-{offset + i}", VIDEOS[i % len(VIDEOS)]) for i in range(count)]


def strom(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def test_the_rebuild_command_fills_a_fresh_build_switches_to_it_and_drops_the_old(world: World) -> None:
    # Given video counters projected into their first build
    world.given(*likes(300))
    world.project(COUNTERS)
    before = snapshot(world.store, COUNTERS, V1)
    # When
    result = strom("projections", "rebuild", "video_counters")
    # Then the new build is live with the same rows, and the old one is gone with its checkpoints
    assert result.exit_code == 0, result.output
    assert live.live_build(world.store, COUNTERS.name) == V1R1
    assert snapshot(world.store, COUNTERS, V1R1) == before
    with pytest.raises(MissingTable):
        list(world.store.scan(V1.table(VIDEO_COUNTERS)))
    assert projection_state.states_of(world.store, COUNTERS.name, V1.label) == []
    # and the engineer saw the progress, the parity report and the outcome
    assert "events/s" in result.stderr
    assert "300/300 events" in result.stderr
    assert ["video_counters", "30", "30"] in [line.split() for line in result.stdout.splitlines()]
    assert "rows recomputed from events, 0 differ" in result.stdout
    assert "video_counters: build v1r1 is live (was v1); 300 events" in result.stdout


def test_queries_keep_answering_with_the_same_totals_while_a_rebuild_switches(tmp_path: Path) -> None:
    # Given a video with many likes, counted by the live build, and a client asking for its stats
    system = System.with_read_side(tmp_path)
    world = World(tmp_path, read_store=system.read_store)
    try:
        owner = "0190aaaa-bbbb-7ccc-8ddd-ffffffffffff"
        video = f"video-{VIDEOS[0]}"
        world.given(
            VideoDraftCreated(VIDEOS[0], owner),
            VideoPublished(VIDEOS[0], owner, "c", [], "public", True),
            stream=video,
        )
        world.given(*(VideoLiked(f"user-{i}", VIDEOS[0]) for i in range(3000)))
        for projector in (COUNTERS, VIDEO_DETAILS, PROFILES):  # the stats route asks the access policy
            world.project(projector)
        answers = Hammer(lambda: system.client.get(f"/v1/videos/{VIDEOS[0]}/stats"))
        # When the projection is rebuilt, switched and its old tables dropped (real grace period)
        with answers:
            rebuilt = rebuild(COUNTERS, events=world.events, codec=world.codec, store=world.store)
            time.sleep(0.3)
        # Then every answer, before, during and after, was complete and right
        assert rebuilt.new == V1R1
        assert len(answers.seen) > 20
        assert {(status, body.get("likes")) for status, body in answers.seen} == {(200, 3000)}
    finally:
        world.events.close()
        world.keys.close()
        system.close()


def test_a_bumped_version_is_rebuilt_by_the_supervisor_and_then_followed_live(world: World) -> None:
    # Given counters live in their first build
    world.given(*likes(200))
    world.project(COUNTERS)
    before = snapshot(world.store, COUNTERS, V1)
    # When the projector's version is bumped and the supervisor starts
    bumped = dataclasses.replace(COUNTERS, version=COUNTERS.version + 1)
    supervisor = Supervisor([bumped], events=world.events, codec=world.codec, store=world.store)
    supervisor.start()
    try:
        _wait(lambda: live.live_build(world.store, COUNTERS.name) == Build(bumped.version))
        # Then the new version holds the same rows, and the old tables are dropped
        assert snapshot(world.store, COUNTERS, Build(bumped.version)) == before
        _wait(lambda: _dropped(world.store, V1.table(VIDEO_COUNTERS)))
        # and new events go to the new version's tables
        world.given(VideoLiked("late-fan", VIDEOS[0]))
        _wait(lambda: _likes(world.store, Build(bumped.version), VIDEOS[0]) == 8)
    finally:
        supervisor.stop()


def test_a_parity_failure_leaves_the_live_build_alone_and_exits_1_with_the_report(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given profiles projected into their first build
    world.given(
        *(UserRegistered(u, f"h{i}", f"h{i}@example.com", "hash", f"H{i}") for i, u in enumerate(USERS))
    )
    world.given(*(UserFollowed(USERS[i], USERS[i + 1]) for i in range(len(USERS) - 1)))
    world.project(PROFILES)
    before = snapshot(world.store, PROFILES, Build(PROFILES.version))
    # and a rebuild whose rows are tampered with before its parity check, which samples the slice
    # of the entities holding the first user
    monkeypatch.setattr(parity, "check", _tampering(parity.check))
    slice_of_first = next(
        i for i in range(PROFILES.sample_slices) if Partition(i, PROFILES.sample_slices).owns(USERS[0])
    )
    monkeypatch.setattr(random, "randrange", lambda _: slice_of_first)
    sampled = [u for u in USERS if Partition(slice_of_first, PROFILES.sample_slices).owns(u)]
    # When
    result = strom("projections", "rebuild", "profiles")
    # Then it stops with the report, naming the rows that differ from the events: the slice's cards
    assert result.exit_code == 1
    assert "parity check failed; the live build is unchanged" in result.stderr
    assert f"rows recomputed from events, {len(sampled)} differ" in result.stderr
    assert "'display_name': 'tampered'" in result.stderr
    # and the first build is still live and whole, the rebuilt tables dropped
    assert live.live_build(world.store, PROFILES.name) == Build(PROFILES.version)
    assert snapshot(world.store, PROFILES, Build(PROFILES.version)) == before
    assert _dropped(world.store, PROFILES.tables_of(Build(PROFILES.version, 1))["profiles"])
    assert projection_state.states_of(world.store, PROFILES.name, Build(PROFILES.version, 1).label) == []


def test_a_live_runner_moves_to_the_new_build_and_no_event_is_lost_or_counted_twice(world: World) -> None:
    # Given a supervisor following the live build while likes keep coming
    world.given(*likes(600))
    supervisor = Supervisor([COUNTERS], events=world.events, codec=world.codec, store=world.store)
    supervisor.start()
    stop = threading.Event()
    writer = threading.Thread(target=_keep_liking, args=(world, stop))
    writer.start()
    try:
        _wait(lambda: projection_state.checkpoint_of(world.store, COUNTERS.name, V1.label) > 600)
        # When a rebuild switches to a new build under it
        rebuilt = rebuild(COUNTERS, events=world.events, codec=world.codec, store=world.store)
        time.sleep(0.5)
        stop.set()
        writer.join()
        head = world.events.head_position()
        # Then the runner follows the new build to the head, every like counted exactly once
        assert rebuilt.new == V1R1
        _wait(lambda: projection_state.checkpoint_of(world.store, COUNTERS.name, V1R1.label) == head)
        total = sum(_likes(world.store, V1R1, v) for v in VIDEOS)
        assert total == head
        # and the retired build left neither tables nor a checkpoint behind
        assert _dropped(world.store, V1.table(VIDEO_COUNTERS))
        assert projection_state.states_of(world.store, COUNTERS.name, V1.label) == []
    finally:
        stop.set()
        supervisor.stop()


def test_an_idle_live_runner_moves_to_the_new_build_when_the_next_event_comes(world: World) -> None:
    # Given a supervisor that has caught up and waits for events
    head = world.given(*likes(60))
    supervisor = Supervisor([COUNTERS], events=world.events, codec=world.codec, store=world.store)
    supervisor.start()
    try:
        _wait(lambda: projection_state.checkpoint_of(world.store, COUNTERS.name, V1.label) == head)
        # When a rebuild switches and drops the old tables before any new event arrives
        rebuild(COUNTERS, events=world.events, codec=world.codec, store=world.store)
        late = world.given(VideoLiked("late-fan", NEW_VIDEO), VideoLiked("late-fan", VIDEOS[0]))
        # Then the next events are applied to the new build, and the old build stays gone
        _wait(lambda: projection_state.checkpoint_of(world.store, COUNTERS.name, V1R1.label) == late)
        assert (_likes(world.store, V1R1, VIDEOS[0]), _likes(world.store, V1R1, NEW_VIDEO)) == (3, 1)
        assert projection_state.states_of(world.store, COUNTERS.name, V1.label) == []
    finally:
        supervisor.stop()


def test_status_shows_each_build_its_checkpoint_lag_and_which_is_live(world: World) -> None:
    # Given counters rebuilt once, then more events than they have seen
    world.given(*likes(50))
    world.project(COUNTERS)
    assert strom("projections", "rebuild", "video_counters").exit_code == 0
    world.given(*likes(7, offset=50))
    # When
    result = strom("projections", "status")
    # Then
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["projector", "build", "checkpoint", "lag", "lag", "s", "state"]
    counters = [line.split() for line in lines if line.startswith("video_counters ")]
    assert len(counters) == 1
    assert counters[0][:4] == ["video_counters", "v1r1", "50", "7"]
    assert counters[0][-1] == "(live)"
    never = [line.split() for line in lines if line.startswith(f"{PROFILES.name} ")]
    assert never == [[PROFILES.name, "-", "0", "57", "-", "never", "run"]]


def test_status_reports_a_store_not_migrated_and_leaves_it_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given settings that point at stores nothing has created yet
    for name, file in (("EVENTSTORE", "events.db"), ("READSTORE", "read.db"), ("KEYSTORE", "keys.db")):
        monkeypatch.setenv(f"STROM_{name}_URL", f"sqlite:///{tmp_path / file}")
    # When
    result = strom("projections", "status")
    # Then it says what to do, and the read store holds no tables
    assert result.exit_code == 1
    assert "strom migrate" in result.output
    store = SQLiteReadStore(tmp_path / "read.db")
    try:
        with pytest.raises(MissingTable):
            list(store.scan(projection_state.PROJECTION_STATE))
    finally:
        store.close()


# -- helpers ---------------------------------------------------------------------------------------------


class Hammer:
    """Calls ``ask`` over and over in a thread while the ``with`` block runs; ``seen`` are the answers."""

    def __init__(self, ask: Callable[[], Any]) -> None:
        self.seen: list[tuple[int, dict[str, Any]]] = []
        self._ask = ask
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        while not self._stop.is_set():
            response = self._ask()
            self.seen.append((response.status_code, response.json()))

    def __enter__(self) -> Hammer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def _tampering(check: Callable[..., parity.Report]) -> Callable[..., parity.Report]:
    """``parity.check`` after every rebuilt profile card has been overwritten."""

    def tampered(projector: Projector, *, store: ReadStore, new: Build, **rest: Any) -> parity.Report:
        cards = projector.tables_of(new)["profiles"]
        for row in list(store.scan(cards)):
            store.upsert(cards, {**row, "display_name": "tampered"}, timestamp=10**12)
        return check(projector, store=store, new=new, **rest)

    return tampered


def _keep_liking(world: World, stop: threading.Event) -> None:
    fan = 0
    while not stop.is_set():
        world.given(*likes(5, offset=10_000 + fan))
        fan += 5
        time.sleep(0.005)


def _likes(store: ReadStore, build: Build, video_id: str) -> int:
    row = store.get(build.table(VIDEO_COUNTERS), {"video_id": video_id})
    return 0 if row is None else int(row["likes"] or 0)


def _dropped(store: ReadStore, table: Table) -> bool:
    try:
        list(store.scan(table))
    except MissingTable:
        return True
    return False


def _wait(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)
