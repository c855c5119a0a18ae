"""Given video events, then the fresh list's rows: a listed public video is there, newest first,
and leaves it the moment it stops being listed for everyone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.videos.events import (
    VideoDeleted,
    VideoEdited,
    VideoHidden,
    VideoPublished,
    VideoRestored,
    VideoUnpublished,
)
from projections.models.fresh_videos import PROJECTOR
from read_models import fresh_videos
from read_models.errors import InvalidQuery
from tests.unit.projections.world import World

ANN = "0190aaaa-bbbb-7ccc-8ddd-00000000000a"
V = [f"0190aaaa-bbbb-7ccc-8ddd-00000000000{i}" for i in range(1, 6)]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path)
    yield w
    w.close()


def publish(world: World, video_id: str, visibility: str = "public") -> None:
    world.given(VideoPublished(video_id, ANN, "clip", ["cats"], visibility, True), stream=f"video-{video_id}")


def listed(world: World, limit: int = 10) -> list[str]:
    return [v.video_id for v in fresh_videos.fresh_videos(world.store, limit).items]


def test_public_videos_are_listed_newest_first(world: World) -> None:
    for video_id in V[:3]:
        publish(world, video_id)
    publish(world, V[3], "followers")
    publish(world, V[4], "private")
    world.project(PROJECTOR)
    assert listed(world) == [V[2], V[1], V[0]]
    first = fresh_videos.fresh_videos(world.store, 10).items[0]
    assert (first.owner_id, first.hashtags) == (ANN, ["cats"])


@pytest.mark.parametrize(
    "leaving",
    [VideoUnpublished(V[0], ANN), VideoDeleted(V[0], ANN), VideoHidden(V[0], ANN, ANN, "spam")],
    ids=["unpublished", "deleted", "hidden"],
)
def test_a_video_no_longer_listed_for_everyone_leaves_the_list(world: World, leaving: object) -> None:
    publish(world, V[0])
    world.given(leaving, stream=f"video-{V[0]}")  # type: ignore[arg-type]
    world.project(PROJECTOR)
    assert listed(world) == []


def test_visibility_edits_and_restores_move_it_in_and_out(world: World) -> None:
    publish(world, V[0], "private")
    world.project(PROJECTOR)
    assert listed(world) == []
    world.given(VideoEdited(V[0], ANN, "now public", ["x"], "public", True), stream=f"video-{V[0]}")
    world.project(PROJECTOR)
    assert listed(world) == [V[0]]
    world.given(VideoHidden(V[0], ANN, ANN, "r"), VideoRestored(V[0], ANN, ANN, "r"), stream=f"video-{V[0]}")
    world.project(PROJECTOR)
    assert listed(world) == [V[0]]


def test_pages_follow_one_another_without_repeats_or_gaps(world: World) -> None:
    for video_id in V:
        publish(world, video_id)
    world.project(PROJECTOR)
    seen: list[str] = []
    cursor: str | None = None
    while True:
        page = fresh_videos.fresh_videos(world.store, 2, cursor)
        seen += [v.video_id for v in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == list(reversed(V))


def test_a_replay_from_the_start_writes_the_same_rows(world: World) -> None:
    publish(world, V[0])
    publish(world, V[1])
    world.given(VideoUnpublished(V[0], ANN), stream=f"video-{V[0]}")
    world.project(PROJECTOR)
    before = listed(world)
    world.forget_checkpoint(PROJECTOR)
    world.project(PROJECTOR)
    assert listed(world) == before == [V[1]]


def test_a_cursor_from_elsewhere_is_refused(world: World) -> None:
    with pytest.raises(InvalidQuery):
        fresh_videos.fresh_videos(world.store, 2, "not-a-cursor")
