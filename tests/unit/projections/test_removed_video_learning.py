"""Given a video moderation removed, then the For You model learns nothing more from it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.accounts.events import PersonalisationConsentGiven
from domain.engagement.likes import VideoLiked
from domain.videos.events import VideoHidden, VideoPublished, VideoRestored
from projections.models.recommendations import PROJECTOR
from tests.unit.projections.world import World

V = "0190aaaa-bbbb-7ccc-8ddd-000000000001"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path)
    yield w
    w.close()


def likes(world: World) -> int:
    row = world.row(PROJECTOR, "rec_explore", video_id=V)
    return 0 if row is None else int(row["likes"] or 0)


def test_interactions_with_a_removed_video_teach_nothing_until_it_is_restored(world: World) -> None:
    # Given a published video liked once
    world.given(PersonalisationConsentGiven("u1"), VideoPublished(V, "bob", "hi", ["cats"], "public", True))
    world.given(VideoLiked("u1", V))
    world.project(PROJECTOR)
    assert likes(world) == 1
    # When moderation removes it and people go on liking it
    world.given(VideoHidden(V, "bob", "mod", "nudity"), VideoLiked("u2", V), VideoLiked("u3", V))
    world.project(PROJECTOR)
    # Then nothing more is learnt from it
    assert likes(world) == 1
    # And once restored, it learns again
    world.given(VideoRestored(V, "bob", "mod2", "appeal"), VideoLiked("u4", V))
    world.project(PROJECTOR)
    assert likes(world) == 2
