"""Given engagement events, then one counters row per video; replays never count twice."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.engagement.comments import CommentDeleted, CommentPosted
from domain.engagement.likes import VideoLiked, VideoUnliked
from domain.engagement.shares import VideoShared
from domain.events import DomainEvent
from domain.watching import VideoSkipped, ViewStarted, WatchProgressed
from projections.models.video_counters import PROJECTOR
from tests.unit.projections.world import World

V = "0190aaaa-bbbb-7ccc-8ddd-000000000001"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path)
    yield w
    w.close()


def counters(world: World, video_id: str = V) -> dict[str, int] | None:
    row = world.row(PROJECTOR, "video_counters", video_id=video_id)
    return (
        None if row is None else {k: v for k, v in row.items() if k not in ("video_id", "applied_position")}
    )


def test_engagement_events_add_up_per_video(world: World) -> None:
    # Given
    world.given(
        VideoLiked("u1", V),
        VideoLiked("u2", V),
        VideoUnliked("u1", V),
        CommentPosted("c1", V, "u2", "hi"),
        CommentPosted("c2", V, "u3", "yo"),
        CommentDeleted("c2", V, "u3", "author"),
        VideoShared("s1", "u2", V, "whatsapp"),
        ViewStarted("a", "u1", V),
        ViewStarted("b", "u2", V),
        WatchProgressed("c", "u1", V, 9000, 9000, True, False),
        WatchProgressed("d", "u2", V, 3000, 3000, False, False),
        VideoSkipped("e", "u3", V, 500),
        VideoLiked("u1", "0190aaaa-bbbb-7ccc-8ddd-000000000002"),
    )
    # When
    world.project(PROJECTOR)
    # Then
    assert counters(world) == {
        "likes": 1,
        "comments": 1,
        "shares": 1,
        "views": 2,
        "watch_ms": 12000,
        "watches": 2,
        "completions": 1,
        "skips": 1,
    }
    assert counters(world, "0190aaaa-bbbb-7ccc-8ddd-000000000002") == {
        "likes": 1,
        "comments": None,
        "shares": None,
        "views": None,
        "watch_ms": None,
        "watches": None,
        "completions": None,
        "skips": None,
    }


def test_a_lost_checkpoint_replays_without_counting_twice(world: World) -> None:
    world.given(VideoLiked("u1", V), ViewStarted("a", "u1", V))
    world.project(PROJECTOR)
    world.forget_checkpoint(PROJECTOR)
    world.given(VideoLiked("u2", V))
    world.project(PROJECTOR)
    assert counters(world) is not None
    assert counters(world)["likes"] == 2  # type: ignore[index]
    assert counters(world)["views"] == 1  # type: ignore[index]


videos = st.sampled_from([V, "0190aaaa-bbbb-7ccc-8ddd-000000000002"])
users = st.sampled_from(["u1", "u2", "u3"])
engagement = st.one_of(
    st.builds(VideoLiked, users, videos),
    st.builds(VideoUnliked, users, videos),
    st.builds(VideoShared, st.just("s"), users, videos, st.just("sms")),
    st.builds(ViewStarted, st.just("c"), users, videos),
    st.builds(
        WatchProgressed,
        st.just("c"),
        users,
        videos,
        st.integers(0, 60_000),
        st.integers(0, 9),
        st.booleans(),
        st.booleans(),
    ),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=st.lists(engagement, min_size=1, max_size=30), replay_from=st.integers(0, 30))
def test_replaying_any_suffix_gives_the_rows_of_one_clean_pass(
    tmp_path_factory: pytest.TempPathFactory, events: list[DomainEvent], replay_from: int
) -> None:
    # Given the same history projected once cleanly, and once with a prefix replayed
    clean = World(tmp_path_factory.mktemp("clean"))
    replayed = World(tmp_path_factory.mktemp("replayed"))
    positions = [0]
    for e in events:
        clean.given(e)
        positions.append(replayed.given(e))
    clean.project(PROJECTOR)
    replayed.project(PROJECTOR)
    # When the replayed one goes back to an earlier checkpoint (as after a crash) and runs again
    replayed.rewind(PROJECTOR, positions[min(replay_from, len(events))])
    replayed.project(PROJECTOR)
    # Then every row is the same
    for video_id in (V, "0190aaaa-bbbb-7ccc-8ddd-000000000002"):
        assert counters(clean, video_id) == counters(replayed, video_id)
    clean.close()
    replayed.close()
