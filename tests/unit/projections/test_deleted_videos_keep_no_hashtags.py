"""Given a published video that is then deleted (by its owner, or by an erasure), then every
projector's kept state for it holds no hashtags: the row stays as a deletion marker, the words its
owner wrote do not."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.videos.events import DeletionReason, VideoDeleted, VideoDraftCreated, VideoPublished
from projections.models import (
    following_feed,
    fresh_videos,
    profiles,
    recommendations,
    trending,
    video_details,
)
from projections.projector import Projector
from tests.unit.projections.world import World

ANN = "0190aaaa-bbbb-7ccc-8ddd-00000000000a"
V1 = "0190aaaa-bbbb-7ccc-8ddd-000000000001"
TAG = "annssecrettag"

#: Each projector that keeps a video's state after its deletion, and the table it keeps it in.
KEPT: list[tuple[Projector, str]] = [
    (fresh_videos.PROJECTOR, "fresh_video_state"),
    (following_feed.PROJECTOR, "feed_video_state"),
    (recommendations.PROJECTOR, "rec_videos"),
    (trending.PROJECTOR, trending.STATE),
    (profiles.PROJECTOR, "video_owner"),
    (video_details.PROJECTOR, "video_details"),
]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path)
    yield w
    w.close()


@pytest.mark.parametrize(("projector", "table"), KEPT, ids=[p.name for p, _ in KEPT])
@pytest.mark.parametrize("reason", [DeletionReason.OWNER, DeletionReason.ERASURE], ids=["owner", "erasure"])
def test_a_deleted_videos_kept_state_holds_no_hashtags(
    world: World, projector: Projector, table: str, reason: DeletionReason
) -> None:
    # Given
    world.given(
        VideoDraftCreated(V1, ANN),
        VideoPublished(V1, ANN, f"a clip #{TAG}", [TAG], "public", True),
        stream=f"video-{V1}",
    )
    world.project(projector)
    published = world.row(projector, table, video_id=V1)
    assert published is not None
    assert published["hashtags"] == [TAG]  # so the check below means something
    # When
    world.given(VideoDeleted(V1, ANN, reason=reason.value), stream=f"video-{V1}")
    world.project(projector)
    # Then
    deleted = world.row(projector, table, video_id=V1)
    assert deleted is not None
    assert deleted["deleted"]
    assert not deleted["hashtags"]


@pytest.mark.parametrize(("projector", "table"), KEPT, ids=[p.name for p, _ in KEPT])
def test_a_replay_after_the_deletion_brings_no_hashtags_back(
    world: World, projector: Projector, table: str
) -> None:
    # Given a deleted video, projected once
    world.given(
        VideoDraftCreated(V1, ANN),
        VideoPublished(V1, ANN, f"a clip #{TAG}", [TAG], "public", True),
        VideoDeleted(V1, ANN),
        stream=f"video-{V1}",
    )
    world.project(projector)
    # When the log replays from the start
    world.forget_checkpoint(projector)
    world.project(projector)
    # Then
    row = world.row(projector, table, video_id=V1)
    assert row is not None
    assert not row["hashtags"]
