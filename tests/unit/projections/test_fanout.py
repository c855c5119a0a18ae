"""The supervisor's one subscription: the log read once and each event decoded once for all its
projectors, a failing projector stopped alone, and a projector far behind catching up on its own
before it joins the others."""

from __future__ import annotations

import contextlib
import dataclasses
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from domain.engagement.likes import VideoLiked
from domain.videos.events import VideoDraftCreated, VideoPublished
from eventstore.codec import Decoded, EventCodec
from eventstore.envelope import RecordedEvent
from eventstore.sealing import Sealer
from projections import runner
from projections import supervisor as supervising
from projections.models.trending import PROJECTOR as TRENDING
from projections.models.video_counters import PROJECTOR as COUNTERS
from projections.projector import Projector
from projections.supervisor import Supervisor
from projections.writer import Writer
from read_models import projection_state
from tests.unit.projections.world import World

VIDEO = "0190aaaa-bbbb-7ccc-8ddd-000000000001"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path)
    yield w
    w.close()


class Counting:
    """The event store and codec as the supervisor sees them, counting subscriptions and decodes."""

    def __init__(self, world: World) -> None:
        self.subscriptions = 0
        #: Subscriptions being read now.
        self.open = 0
        self.decoded = 0
        self._events = world.events
        outer = self

        class Events:
            def subscribe(self, **kwargs: Any) -> Any:
                outer.subscriptions += 1
                return Open(outer._events.subscribe(**kwargs))

            def __getattr__(self, name: str) -> Any:
                return getattr(outer._events, name)

        class Codec(EventCodec):
            """The world's codec (its key store), counting what it decodes."""

            def decode(self, record: RecordedEvent) -> Decoded:
                outer.decoded += 1
                return super().decode(record)

        class Open:
            def __init__(self, subscription: Any) -> None:
                self._subscription = subscription

            def __iter__(self) -> Iterator[Any]:
                outer.open += 1
                try:
                    yield from self._subscription
                finally:
                    outer.open -= 1

            def stop(self) -> None:
                self._subscription.stop()

        self.events: Any = Events()
        self.codec = Codec(Sealer(world.keys))

    def supervisor(self, world: World, projectors: list[Projector]) -> Supervisor:
        return Supervisor(projectors, events=self.events, codec=self.codec, store=world.store)


def likes(count: int, first: int = 0) -> list[VideoLiked]:
    return [VideoLiked(f"fan-{i}", VIDEO) for i in range(first, first + count)]


def test_one_subscription_reads_the_log_once_for_every_projector(world: World) -> None:
    # Given likes, which both projectors handle
    head = world.given(*likes(30))
    counting = Counting(world)
    supervisor = counting.supervisor(world, [COUNTERS, TRENDING])
    # When the supervisor runs both, and a like comes in live
    supervisor.start()
    try:
        _wait(lambda: _position(world, COUNTERS) == _position(world, TRENDING) == head)
        late = world.given(*likes(1, 30))
        _wait(lambda: _position(world, COUNTERS) == _position(world, TRENDING) == late)
    finally:
        supervisor.stop()
    # Then one subscription served both, and each event was decoded once
    assert (counting.subscriptions, counting.open) == (1, 0)
    assert counting.decoded == 31
    assert world.row(COUNTERS, "video_counters", video_id=VIDEO)["likes"] == 31  # type: ignore[index]


def explode_on_fifth(decoded: Decoded, writer: Writer) -> None:
    if writer.position == 5:
        raise RuntimeError("bug in the projector")


BROKEN = dataclasses.replace(TRENDING, project=explode_on_fifth)


def test_a_failing_projector_stops_alone_and_the_others_keep_following_the_log(world: World) -> None:
    # Given a projector that fails on the fifth event, beside one that works, on one subscription
    world.given(*likes(8))
    counting = Counting(world)
    supervisor = counting.supervisor(world, [BROKEN, COUNTERS])
    supervisor.start()
    try:
        _wait(lambda: world.state(BROKEN).status == projection_state.FAILED)
        # When more events come after the failure
        late = world.given(*likes(4, 8))
        # Then the other one applies them, and the failed one stays where it stopped, saying why
        _wait(lambda: _position(world, COUNTERS) == late)
    finally:
        supervisor.stop()
    failed = world.state(BROKEN)
    assert (failed.status, failed.position, failed.error_position) == (projection_state.FAILED, 4, 5)
    assert "bug in the projector" in (failed.error or "")
    assert world.row(COUNTERS, "video_counters", video_id=VIDEO)["likes"] == 12  # type: ignore[index]
    assert counting.subscriptions == 1


def test_a_projector_far_behind_catches_up_on_its_own_then_joins_the_stream(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given one projector at the head of a log and a new one at its start, further behind than a join
    monkeypatch.setattr(supervising, "JOIN_GAP", 5)
    head = world.given(*likes(40))
    world.project(COUNTERS)
    counting = Counting(world)
    supervisor = counting.supervisor(world, [COUNTERS, TRENDING])
    # When the supervisor starts both
    supervisor.start()
    try:
        # Then the new one catches up alone, on a subscription of its own beside the stream's
        _wait(lambda: _position(world, TRENDING) == head)
        assert counting.subscriptions >= 2
        # and joins the stream: from then on one subscription serves both
        _wait(lambda: supervisor.stream is not None and len(supervisor.stream.lanes) == 2)
        _wait(lambda: counting.open == 1)
        late = world.given(*likes(3, 40))
        _wait(lambda: _position(world, COUNTERS) == _position(world, TRENDING) == late)
        assert counting.open == 1
    finally:
        supervisor.stop()
    assert world.row(COUNTERS, "video_counters", video_id=VIDEO)["likes"] == 43  # type: ignore[index]
    assert world.state(TRENDING).status != projection_state.FAILED


def test_tombstones_are_dropped_now_and_then_without_an_erasure(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a supervisor that drops tombstones at every chance, following a published video
    monkeypatch.setattr(runner, "DROP_TOMBSTONES_EVERY_S", 0.0)
    world.given(VideoDraftCreated(VIDEO, "ann"), VideoPublished(VIDEO, "ann", "c", ["cats"], "public", True))
    supervisor = Supervisor([TRENDING], events=world.events, codec=world.codec, store=world.store)
    supervisor.start()
    try:
        # When likes come one at a time, each moving the video up a rank (a tombstone where it was)
        for fan in likes(6):
            position = world.given(fan)
            _wait(lambda: _position(world, TRENDING) == position)  # noqa: B023 - waited on at once
        world.given(*likes(1, 6))
        _wait(lambda: _tombstones(world) == 0)
    finally:
        supervisor.stop()
    # Then the tombstones left behind by the moves are gone, with the video still ranked
    assert world.row(TRENDING, "trending_state", video_id=VIDEO) is not None


def _tombstones(world: World) -> int:
    names = [world.table(TRENDING, t).name for t in ("trending_videos", "trending_hashtags")]
    with contextlib.closing(sqlite3.connect(world.store.path)) as conn:  # type: ignore[attr-defined]
        return sum(
            conn.execute(f'SELECT count(*) FROM "{n}" WHERE "_deleted" = 1').fetchone()[0] for n in names
        )


def _position(world: World, projector: Projector) -> int:
    return world.state(projector).position


def _wait(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)
