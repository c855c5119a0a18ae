"""The same projection, replayed after a lost checkpoint, gives the same rows on SQLite and on
a real Cassandra node: position-stamped writes make at-least-once delivery count once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.engagement.likes import VideoLiked, VideoUnliked
from domain.watching import WatchProgressed
from projections.models.video_counters import PROJECTOR
from read_models.port import ReadStore
from tests.contract.read_store_backends import OPENERS
from tests.unit.projections.world import World

V = "0190aaaa-bbbb-7ccc-8ddd-000000000001"


@pytest.fixture(params=sorted(OPENERS))
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    with OPENERS[request.param](tmp_path) as store:
        w = World(tmp_path, read_store=_migrated(store))
        yield w
        w.events.close()
        w.keys.close()


def _migrated(store: ReadStore) -> ReadStore:
    from migrations.runner import apply_pending

    apply_pending(store)
    return store


def test_replaying_after_a_lost_checkpoint_counts_each_event_once(world: World) -> None:
    # Given a history projected once
    world.given(VideoLiked("u1", V), VideoLiked("u2", V), VideoUnliked("u1", V))
    world.given(WatchProgressed("w", "u2", V, 5000, 5000, True, False))
    world.project(PROJECTOR)
    first = world.row(PROJECTOR, "video_counters", video_id=V)
    # When the checkpoint is lost and everything is delivered again, plus one new like
    world.forget_checkpoint(PROJECTOR)
    world.given(VideoLiked("u3", V))
    world.project(PROJECTOR)
    # Then the old events counted once and the new one once more
    again = world.row(PROJECTOR, "video_counters", video_id=V)
    assert first is not None
    assert again is not None
    assert (first["likes"], first["watch_ms"], first["completions"]) == (1, 5000, 1)
    assert (again["likes"], again["watch_ms"], again["completions"]) == (2, 5000, 1)
