"""A build changes hands between partitionings: a rebuild fills it as one runner (``0/1``), then the
deployment's partitions (``--partition i/n``) carry it on from where the rebuild stopped, adding to
their own shards of the totals, so every event counts once; a rebuild of a build partitions made
passes its parity check, shards and all."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.accounts.events import UserRegistered
from domain.engagement.likes import VideoLiked
from domain.events import DomainEvent
from domain.social import UserFollowed
from domain.videos.events import VideoDraftCreated, VideoPublished
from projections.models.profiles import PROJECTOR as PROFILES
from projections.rebuild import live_or_first, rebuild
from projections.runner import Partition, ProjectorFailed, Runner
from read_models import profiles as model
from read_models import projection_state
from tests.unit.projections.world import World

CREATOR = "0190aaaa-bbbb-7ccc-8ddd-0000000000c0"
FANS = [f"0190aaaa-bbbb-7ccc-8ddd-{n:012d}" for n in range(1, 13)]
VIDEOS = [f"0190bbbb-bbbb-7ccc-8ddd-{n:012d}" for n in range(1, 7)]
PARTS = 3


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path)
    yield w
    w.close()


def creator_and_videos() -> list[DomainEvent]:
    events: list[DomainEvent] = [UserRegistered(CREATOR, "maker", "m@example.com", "hash", "Maker")]
    for video in VIDEOS:
        events += [
            VideoDraftCreated(video, CREATOR),
            VideoPublished(video, CREATOR, "clip", [], "public", True),
        ]
    return events


def fans(first: int, last: int) -> list[DomainEvent]:
    """Fans ``first`` to ``last - 1`` follow the creator and like every video."""
    return [
        event
        for fan in FANS[first:last]
        for event in (UserFollowed(fan, CREATOR), *(VideoLiked(fan, video) for video in VIDEOS))
    ]


def run_partitions(world: World, head: int) -> None:
    for index in range(PARTS):
        Runner(
            PROFILES,
            events=world.events,
            codec=world.codec,
            store=world.store,
            build=live_or_first(world.store, PROFILES),
            partition=Partition(index, PARTS),
        ).run(until=head)


def test_partitions_carry_on_a_rebuilt_build_and_count_every_event_once(world: World) -> None:
    # Given a build filled by a rebuild (one runner) up to some point of the log
    world.given(*creator_and_videos(), *fans(0, 6))
    built = rebuild(PROFILES, events=world.events, codec=world.codec, store=world.store).new
    # When more happens and three partitions carry the build on
    head = world.given(*fans(6, 12))
    run_partitions(world, head)
    # Then each event counted once: the rebuild's shard holds the first half, the partitions' the rest
    card = model.profile(world.store, CREATOR)
    assert card is not None
    assert (card.followers, card.videos, card.likes_received) == (12, 6, 12 * 6)
    assert projection_state.checkpoint_of(world.store, PROFILES.name, built.label) == head


def test_partitions_refuse_a_build_whose_other_partitions_stopped_apart(world: World) -> None:
    # Given a build two partitions made, one of them further on than the other
    world.given(*creator_and_videos(), *fans(0, 3))
    build = live_or_first(world.store, PROFILES)
    for index, until in ((0, 10), (1, 20)):
        Runner(
            PROFILES,
            events=world.events,
            codec=world.codec,
            store=world.store,
            build=build,
            partition=Partition(index, 2),
        ).run(until=until)
    # When three partitions are started on it
    runner = Runner(
        PROFILES,
        events=world.events,
        codec=world.codec,
        store=world.store,
        build=build,
        partition=Partition(0, PARTS),
    )
    # Then the first stops loudly, saying why, rather than counting some events twice or never
    with pytest.raises(ProjectorFailed):
        runner.run(until=world.events.head_position())
    state = world.state(PROFILES, part=f"0/{PARTS}")
    assert state.status == projection_state.FAILED
    assert state.error is not None
    assert "stopped at different positions" in state.error


def test_a_build_partitions_made_is_rebuilt_and_passes_parity(world: World) -> None:
    # Given the live build made by three partitions
    head = world.given(*creator_and_videos(), *fans(0, 12))
    run_partitions(world, head)
    # When it is rebuilt by one runner (shards "0/1" beside the old build's "i/3")
    rebuilt = rebuild(PROFILES, events=world.events, codec=world.codec, store=world.store)
    # Then parity passed: the sample left the sharded tables out (the totals, the erasure marks), and
    # rows were counted by key
    report = rebuilt.report
    assert report.ok(), report.lines()
    assert report.counts_comparable
    assert report.unsampled == ("profile_counts", "profiles_erased")
    counts = {c.table: (c.old, c.new) for c in report.counts}
    assert counts["profile_counts"] == (1 + 12, 1 + 12)
    card = model.profile(world.store, CREATOR)
    assert card is not None
    assert card.likes_received == 12 * 6
