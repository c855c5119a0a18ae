"""Given follow, block, video and erasure events, then the Following feed's rows and pages."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from domain.accounts.events import ErasureRequested
from domain.events import DomainEvent
from domain.social import UserBlocked, UserFollowed, UserUnfollowed
from domain.videos.events import (
    VideoDeleted,
    VideoEdited,
    VideoHidden,
    VideoPublished,
    VideoRestored,
    VideoUnpublished,
)
from eventstore.envelope import Metadata, StreamState
from projections.models.following_feed import PROJECTOR, make_projector
from projections.projector import Projector
from read_models import following_feed as model
from read_models.port import TableWrite
from read_models.sqlite import SQLiteReadStore
from tests.unit.projections.world import World

ANN = "0190aaaa-bbbb-7ccc-8ddd-00000000000a"
BOB = "0190aaaa-bbbb-7ccc-8ddd-00000000000b"
CAT = "0190aaaa-bbbb-7ccc-8ddd-00000000000c"
DAN = "0190aaaa-bbbb-7ccc-8ddd-00000000000d"
V1 = "0190aaaa-bbbb-7ccc-8ddd-000000000001"
V2 = "0190aaaa-bbbb-7ccc-8ddd-000000000002"
V3 = "0190aaaa-bbbb-7ccc-8ddd-000000000003"
V4 = "0190aaaa-bbbb-7ccc-8ddd-000000000004"
NOW = datetime.now(UTC)
#: A threshold of two: a third follower makes a creator large; down to one, they are small again.
LOW_THRESHOLD = make_projector(threshold=2)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path)
    yield w
    w.close()


def published(
    video_id: str, owner: str, visibility: str = "public", tags: Sequence[str] = ("t",)
) -> VideoPublished:
    return VideoPublished(video_id, owner, "caption", list(tags), visibility, True)


def publish(
    world: World, video_id: str, owner: str, *, days_ago: float = 0, visibility: str = "public"
) -> int:
    """Publishes as of ``days_ago``: the feed files a video under the time it was published."""
    return at(world, NOW - timedelta(days=days_ago), published(video_id, owner, visibility))


def at(world: World, moment: datetime, *events: DomainEvent) -> int:
    encoded = [world.codec.encode(e, Metadata(occurred_at=moment.isoformat())) for e in events]
    return world.events.append("test-1", encoded, StreamState.ANY).position


def feed(world: World, user: str) -> list[str]:
    return [item.video_id for item in model.following_feed(world.store, user, 100).items]


def fanned_out(world: World, user: str, projector: Projector = PROJECTOR) -> list[str]:
    """The videos copied into the user's own partitions (not merged at read time)."""
    rows = world.store.scan(world.table(projector, "following_feed"))
    return sorted(r["video_id"] for r in rows if r["user_id"] == user)


def merged(world: World, user: str, projector: Projector = PROJECTOR) -> list[str]:
    rows = world.store.scan(world.table(projector, "feed_merged_creators"))
    return sorted(r["creator_id"] for r in rows if r["user_id"] == user)


def creator(world: World, user: str, projector: Projector = PROJECTOR) -> dict[str, Any]:
    row = world.row(projector, "feed_creators", creator_id=user)
    assert row is not None
    return row


def snapshot(world: World, projector: Projector) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order."""
    return {
        table.name: sorted(
            tuple(map(repr, r.values())) for r in world.store.scan(world.table(projector, table.name))
        )
        for table in projector.tables
    }


def test_a_publish_reaches_each_follower_newest_first(world: World) -> None:
    # Given two followers of Ann, and Dan who follows no one
    world.given(UserFollowed(BOB, ANN), UserFollowed(CAT, ANN))
    # When Ann publishes twice
    publish(world, V1, ANN, days_ago=3)
    publish(world, V2, ANN)
    world.project(PROJECTOR)
    # Then both followers see both videos, newest first, copied into their own feeds
    assert feed(world, BOB) == [V2, V1]
    assert feed(world, CAT) == [V2, V1]
    assert fanned_out(world, BOB) == [V1, V2]
    assert feed(world, DAN) == []
    assert feed(world, ANN) == []


def test_a_feed_item_carries_what_the_page_shows(world: World) -> None:
    world.given(UserFollowed(BOB, ANN))
    at(world, NOW, published(V1, ANN, "followers", ["cats", "dogs"]))
    world.project(PROJECTOR)
    [item] = model.following_feed(world.store, BOB, 10).items
    assert (item.video_id, item.owner_id, item.visibility, item.hashtags) == (
        V1,
        ANN,
        "followers",
        ["cats", "dogs"],
    )
    assert abs(item.published_at - NOW) < timedelta(milliseconds=1)


def test_a_follow_brings_recent_videos_and_an_unfollow_takes_them_away(world: World) -> None:
    # Given Ann's videos from today, ten days ago, and beyond the horizon
    publish(world, V1, ANN, days_ago=10)
    publish(world, V2, ANN)
    publish(world, V3, ANN, days_ago=model.HORIZON.days + 5)
    # When Bob follows her
    world.given(UserFollowed(BOB, ANN))
    world.project(PROJECTOR)
    # Then the recent ones fill his feed, across buckets
    assert feed(world, BOB) == [V2, V1]
    # And an unfollow takes them away
    world.given(UserUnfollowed(BOB, ANN, "requested"))
    world.project(PROJECTOR)
    assert feed(world, BOB) == []
    assert fanned_out(world, BOB) == []
    assert creator(world, ANN)["followers"] == 0


def test_private_videos_never_appear_and_visibility_edits_move_videos_in_and_out(world: World) -> None:
    # Given a follower, and a public, a followers-only and a private video
    world.given(UserFollowed(BOB, ANN))
    publish(world, V1, ANN, days_ago=2)
    publish(world, V2, ANN, days_ago=1, visibility="followers")
    publish(world, V3, ANN, visibility="private")
    world.project(PROJECTOR)
    assert feed(world, BOB) == [V2, V1]
    # When the private one opens to followers and the public one goes private, with new tags
    world.given(
        VideoEdited(V3, ANN, "c", ["new"], "followers", True), VideoEdited(V1, ANN, "c", [], "private", True)
    )
    world.given(VideoEdited(V2, ANN, "c", ["fresh"], "public", True))
    world.project(PROJECTOR)
    # Then the feed follows, with the edited details
    items = model.following_feed(world.store, BOB, 10).items
    assert [(i.video_id, i.visibility, i.hashtags) for i in items] == [
        (V3, "followers", ["new"]),
        (V2, "public", ["fresh"]),
    ]


def test_unpublished_deleted_and_hidden_videos_leave_every_feed_and_restored_ones_return(
    world: World,
) -> None:
    world.given(UserFollowed(BOB, ANN), UserFollowed(CAT, ANN))
    for days, video in enumerate((V1, V2, V3, V4)):
        publish(world, video, ANN, days_ago=days)
    world.project(PROJECTOR)
    assert feed(world, CAT) == [V1, V2, V3, V4]
    # When Ann unpublishes one, deletes one, and a moderator hides one
    world.given(VideoUnpublished(V1, ANN), VideoDeleted(V2, ANN), VideoHidden(V3, ANN, DAN, "spam"))
    world.project(PROJECTOR)
    # Then only the fourth is left, in every feed
    assert feed(world, BOB) == feed(world, CAT) == [V4]
    # And a restore brings the hidden one back, an edit of the deleted one brings nothing
    world.given(VideoRestored(V3, ANN, DAN, "appeal"), VideoEdited(V2, ANN, "c", [], "public", True))
    world.project(PROJECTOR)
    assert feed(world, BOB) == feed(world, CAT) == [V3, V4]


def test_a_block_hides_the_pair_from_each_other_before_the_follows_are_dropped(world: World) -> None:
    # Given Ann and Bob following each other, each with a video, and Cat following Ann
    world.given(UserFollowed(ANN, BOB), UserFollowed(BOB, ANN), UserFollowed(CAT, ANN))
    publish(world, V1, ANN)
    publish(world, V2, BOB)
    world.project(PROJECTOR)
    assert (feed(world, ANN), feed(world, BOB)) == ([V2], [V1])
    # When Ann blocks Bob (the unfollows the domain records for it come after)
    world.given(UserBlocked(ANN, BOB))
    world.project(PROJECTOR)
    # Then neither sees the other, and Cat still sees Ann
    assert (feed(world, ANN), feed(world, BOB), feed(world, CAT)) == ([], [], [V1])
    # And the domain's unfollows find nothing left to end: each count fell once
    world.given(UserUnfollowed(ANN, BOB, "blocking"), UserUnfollowed(BOB, ANN, "blocked"))
    world.project(PROJECTOR)
    assert (creator(world, ANN)["followers"], creator(world, BOB)["followers"]) == (1, 0)
    publish(world, V3, BOB)
    world.project(PROJECTOR)
    assert feed(world, ANN) == []


def test_a_large_creator_is_merged_in_at_read_time(world: World) -> None:
    # Given Ann with three followers: over the threshold of two
    world.given(UserFollowed(BOB, ANN), UserFollowed(CAT, ANN), UserFollowed(DAN, ANN))
    world.given(UserFollowed(BOB, CAT))
    # When Ann and Cat publish
    publish(world, V1, ANN, days_ago=9)
    publish(world, V2, CAT, days_ago=1)
    publish(world, V3, ANN)
    world.project(LOW_THRESHOLD)
    # Then Ann's videos are not copied to anyone, yet every follower's feed merges them in order
    assert creator(world, ANN, LOW_THRESHOLD)["large"] is True
    assert fanned_out(world, BOB, LOW_THRESHOLD) == [V2]
    assert merged(world, BOB, LOW_THRESHOLD) == [ANN]
    assert feed(world, BOB) == [V3, V2, V1]
    assert feed(world, DAN) == [V3, V1]
    # And an unfollow drops her from that follower's merge only
    world.given(UserUnfollowed(DAN, ANN, "requested"))
    world.project(LOW_THRESHOLD)
    assert (feed(world, DAN), feed(world, CAT)) == ([], [V3, V1])


def test_crossing_the_threshold_either_way_keeps_each_video_exactly_once(world: World) -> None:
    # Given Ann, small, with two followers and a video fanned out to them
    world.given(UserFollowed(BOB, ANN), UserFollowed(CAT, ANN))
    publish(world, V1, ANN, days_ago=8)
    world.project(LOW_THRESHOLD)
    assert fanned_out(world, BOB, LOW_THRESHOLD) == [V1]
    # When a third follower makes her large, and she publishes again
    world.given(UserFollowed(DAN, ANN))
    publish(world, V2, ANN)
    world.project(LOW_THRESHOLD)
    # Then her videos moved out of every feed into the merge: each appears once for everyone
    for user in (BOB, CAT, DAN):
        assert fanned_out(world, user, LOW_THRESHOLD) == []
        assert merged(world, user, LOW_THRESHOLD) == [ANN]
        assert feed(world, user) == [V2, V1]
    # When followers leave: at two she stays large (no flapping), at one she is small again
    world.given(UserUnfollowed(DAN, ANN, "requested"))
    world.project(LOW_THRESHOLD)
    assert creator(world, ANN, LOW_THRESHOLD)["large"] is True
    world.given(UserUnfollowed(CAT, ANN, "requested"))
    publish(world, V3, ANN, days_ago=1)
    world.project(LOW_THRESHOLD)
    # Then her recent videos are copied back to the one follower left, the merge is gone
    assert creator(world, ANN, LOW_THRESHOLD)["large"] is False
    assert fanned_out(world, BOB, LOW_THRESHOLD) == [V1, V2, V3]
    assert merged(world, BOB, LOW_THRESHOLD) == []
    assert feed(world, BOB) == [V2, V3, V1]
    assert feed(world, CAT) == feed(world, DAN) == []


def test_the_crossing_gives_the_same_rows_in_one_batch_as_step_by_step(tmp_path: Path) -> None:
    history: list[DomainEvent] = [
        UserFollowed(BOB, ANN),
        UserFollowed(CAT, ANN),
        published(V1, ANN),
        UserFollowed(DAN, ANN),
        published(V2, ANN),
        UserUnfollowed(CAT, ANN, "requested"),
        UserUnfollowed(DAN, ANN, "requested"),
        published(V3, ANN),
    ]
    for name in ("batch", "steps"):
        (tmp_path / name).mkdir()
    worlds = [World(tmp_path / "batch"), World(tmp_path / "steps")]
    # When one projects the whole history at once and the other event by event
    at(worlds[0], NOW, *history)
    worlds[0].project(LOW_THRESHOLD)
    for event in history:
        at(worlds[1], NOW, event)
        worlds[1].project(LOW_THRESHOLD)
    # Then they hold the same rows
    assert snapshot(worlds[0], LOW_THRESHOLD) == snapshot(worlds[1], LOW_THRESHOLD)
    assert feed(worlds[0], BOB) == [V3, V2, V1]
    for w in worlds:
        w.close()


def test_erasure_takes_away_the_users_feed_follows_and_videos(world: World) -> None:
    # Given Bob following Ann and Cat, Cat following Ann, and videos by both
    world.given(UserFollowed(BOB, ANN), UserFollowed(BOB, CAT), UserFollowed(CAT, ANN))
    publish(world, V1, ANN, days_ago=1)
    publish(world, V2, CAT)
    world.project(PROJECTOR)
    assert feed(world, BOB) == [V2, V1]
    # When Bob is erased, then Ann
    world.given(ErasureRequested(BOB, BOB))
    world.given(ErasureRequested(ANN, ANN))
    world.project(PROJECTOR)
    # Then Bob's feed is gone and stays gone, and Ann's video left Cat's feed
    assert feed(world, BOB) == []
    assert feed(world, CAT) == []
    publish(world, V3, CAT)
    world.given(VideoEdited(V1, ANN, None, [], "public", True))
    world.project(PROJECTOR)
    assert feed(world, BOB) == []
    assert feed(world, CAT) == []
    assert creator(world, ANN)["followers"] == 1  # an anonymous total: nothing of Ann is there to see
    # And no row says whom either of them followed or who followed them
    for table in ("feed_followers", "feed_followees", "feed_merged_creators"):
        rows = world.store.scan(world.table(PROJECTOR, table))
        assert [r for r in rows if {ANN, BOB} & set(r.values())] == [], table


def rich_history(world: World) -> None:
    world.given(UserFollowed(BOB, ANN), UserFollowed(CAT, ANN), UserFollowed(DAN, CAT))
    publish(world, V1, ANN, days_ago=20)
    publish(world, V2, CAT, days_ago=3, visibility="followers")
    world.given(UserFollowed(DAN, ANN), UserFollowed(BOB, CAT))
    publish(world, V3, ANN, days_ago=1)
    world.given(
        VideoHidden(V1, ANN, DAN, "spam"), UserBlocked(CAT, BOB), UserUnfollowed(CAT, ANN, "requested")
    )
    world.given(UserUnfollowed(DAN, ANN, "requested"), VideoRestored(V1, ANN, DAN, "ok"))
    publish(world, V4, CAT)
    world.given(VideoEdited(V2, CAT, "c", ["x"], "public", True), ErasureRequested(DAN, DAN))


def test_replaying_from_the_start_or_a_midpoint_rewrites_the_same_rows(world: World) -> None:
    # Given a history with fan-out, a crossing both ways, a block and an erasure, projected once
    rich_history(world)
    world.project(LOW_THRESHOLD)
    first = snapshot(world, LOW_THRESHOLD)
    assert feed(world, BOB) == [V3, V1]
    # When the checkpoint is lost, or rewound half-way, and everything after it comes again
    for position in (0, world.events.head_position() // 2):
        world.rewind(LOW_THRESHOLD, position)
        world.project(LOW_THRESHOLD)
        # Then the rows are the same
        assert snapshot(world, LOW_THRESHOLD) == first


class Crash(Exception):
    """The process died while writing."""


class CrashingStore(SQLiteReadStore):
    """Once armed, dies during its ``crash_at``-th ``write_all``, after the first ``waves`` waves and
    half of the next (Cassandra sends a wave's writes concurrently, so any part of one may land)."""

    crash_at: int | None = None
    waves = 0
    calls = 0

    def arm(self, crash_at: int | None, waves: int = 0) -> None:
        self.crash_at, self.waves, self.calls = crash_at, waves, 0

    def write_all(self, waves: Sequence[Sequence[TableWrite]]) -> None:
        self.calls += 1
        if self.crash_at is None or self.calls < self.crash_at:
            super().write_all(waves)
            return
        if self.calls == self.crash_at:
            whole, part = list(waves[: self.waves]), waves[self.waves : self.waves + 1]
            super().write_all(whole + [list(w[: len(w) // 2]) for w in part])
        raise Crash


def test_a_crash_part_way_through_writing_heals_on_the_replay(tmp_path: Path) -> None:
    # Given the rows of a history projected without a crash
    clean = World(tmp_path)
    rich_history(clean)
    clean.project(LOW_THRESHOLD)
    expected = snapshot(clean, LOW_THRESHOLD)
    calls = _write_calls(tmp_path)
    for crash_at in range(1, calls + 1):
        waves = crash_at % (len(LOW_THRESHOLD.last) + 2)  # every cut of a flush, over the run
        # When the process dies part-way through a write, and a new one takes over
        store = CrashingStore(tmp_path / f"crash-{crash_at}.db")
        crashed = World(tmp_path, read_store=store)
        store.arm(crash_at, waves)
        with pytest.raises(Crash):
            crashed.project(LOW_THRESHOLD)
        store.arm(None)
        crashed.project(LOW_THRESHOLD)
        # Then the rows are those of the run that never crashed
        assert snapshot(crashed, LOW_THRESHOLD) == expected, (crash_at, waves)
        crashed.close()
    clean.close()


def _write_calls(tmp_path: Path) -> int:
    """How many times the projector's run writes (each flush, and each read that flushes first)."""
    store = CrashingStore(tmp_path / "count.db")
    counting = World(tmp_path, read_store=store)
    store.arm(None)
    counting.project(LOW_THRESHOLD)
    counting.close()
    return store.calls
