"""Given video and engagement events at known times, then trending rows, scores and rankings."""

from __future__ import annotations

import contextlib
import math
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.accounts.events import ErasureRequested
from domain.engagement.comments import CommentDeleted, CommentPosted
from domain.engagement.likes import VideoLiked, VideoUnliked
from domain.engagement.shares import VideoShared
from domain.events import DomainEvent
from domain.videos.events import (
    VideoDeleted,
    VideoDraftCreated,
    VideoEdited,
    VideoHidden,
    VideoPublished,
    VideoRestored,
    VideoUnpublished,
)
from domain.watching import VideoSkipped, ViewStarted, WatchProgressed
from eventstore.envelope import Metadata, StreamState
from projections.models.trending import PROJECTOR
from read_models import trending as model
from read_models.errors import InvalidQuery
from tests.unit.projections.world import World

ANN = "0190aaaa-bbbb-7ccc-8ddd-00000000000a"
BOB = "0190aaaa-bbbb-7ccc-8ddd-00000000000b"
V1 = "0190aaaa-bbbb-7ccc-8ddd-000000000001"
V2 = "0190aaaa-bbbb-7ccc-8ddd-000000000002"
V3 = "0190aaaa-bbbb-7ccc-8ddd-000000000003"
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path)
    yield w
    w.close()


def at(world: World, when: datetime, *events: DomainEvent) -> int:
    """Appends the events as recorded at ``when``; returns the last position."""
    metadata = Metadata(occurred_at=when.isoformat())
    encoded = [world.codec.encode(e, metadata) for e in events]
    return world.events.append("test-1", encoded, StreamState.ANY).position


def published(video_id: str, tags: list[str] | None = None, visibility: str = "public") -> VideoPublished:
    return VideoPublished(video_id, ANN, "caption", tags or [], visibility, True)


def live(world: World, *video_ids: str, tags: list[str] | None = None) -> None:
    """Videos drafted and published, public, at ``T0``."""
    for v in video_ids:
        at(world, T0, VideoDraftCreated(v, ANN), published(v, tags))


def likes(video_id: str, n: int) -> list[DomainEvent]:
    return [VideoLiked(f"fan-{i}", video_id) for i in range(n)]


def ranking(world: World, now: datetime, hashtag: str | None = None) -> list[tuple[str, Any]]:
    """Videos and scores, each score equal to any value within the rank's step (pages show the rank's)."""
    world.project(PROJECTOR)
    page = model.top(world.store, 100, hashtag=hashtag, now=now)
    return [(v.video_id, pytest.approx(v.score, rel=2 / model.RANK_STEPS)) for v in page.items]


def rows(world: World, table: str) -> list[dict[str, Any]]:
    return sorted(world.store.scan(world.table(PROJECTOR, table)), key=repr)


# -- scores ------------------------------------------------------------------------------------------


def test_each_act_adds_its_weight_and_the_sum_halves_every_six_hours(world: World) -> None:
    # Given a video viewed, watched to the end, liked, commented on and shared, all at T0
    live(world, V1)
    at(world, T0, ViewStarted("c1", BOB, V1), WatchProgressed("c2", BOB, V1, 9000, 9000, True, False))
    at(
        world,
        T0,
        VideoLiked(BOB, V1),
        CommentPosted("k1", V1, BOB, "nice"),
        VideoShared("s1", BOB, V1, "sms"),
    )
    # Then it scores 1 + 2 + 3 + 4 + 5 at T0, half of it six hours on, a quarter after twelve
    assert ranking(world, T0) == [(V1, 15.0)]
    assert ranking(world, T0 + 6 * HOUR) == [(V1, 7.5)]
    assert ranking(world, T0 + 12 * HOUR) == [(V1, 3.75)]


def test_watching_short_of_the_end_adds_nothing_and_a_quick_skip_takes_back_its_view(world: World) -> None:
    live(world, V1, V2)
    at(world, T0, ViewStarted("c1", BOB, V1), WatchProgressed("c2", BOB, V1, 4000, 4000, False, False))
    at(world, T0, ViewStarted("c3", BOB, V2), ViewStarted("c4", ANN, V2), VideoSkipped("c5", ANN, V2, 1200))
    assert ranking(world, T0) == [(V2, 1.0), (V1, 1.0)]  # ties go to the newer id


def test_newer_engagement_outranks_older_engagement_once_it_has_decayed(world: World) -> None:
    # Given three likes on V1 at T0, and one like on V2 twelve hours later
    live(world, V1, V2)
    at(world, T0, *likes(V1, 3))
    assert ranking(world, T0 + HOUR) == [(V1, round(9 * 2 ** (-1 / 6), 6))]
    at(world, T0 + 12 * HOUR, VideoLiked(BOB, V2))
    # Then at that time V1's nine have decayed to 2.25, under V2's fresh 3
    assert ranking(world, T0 + 12 * HOUR) == [(V2, 3.0), (V1, 2.25)]


def test_an_unlike_or_a_deleted_comment_takes_back_exactly_what_was_added(world: World) -> None:
    # Given a like and a comment at T0, another like at T0 + 6 h
    live(world, V1)
    at(world, T0, VideoLiked(ANN, V1), CommentPosted("k1", V1, ANN, "hi"))
    at(world, T0 + 6 * HOUR, VideoLiked(BOB, V1))
    # When the first like and the comment are taken back later still
    at(world, T0 + 9 * HOUR, VideoUnliked(ANN, V1), CommentDeleted("k1", V1, ANN, "author"))
    # Then what is left is Bob's like alone, decayed from its own time
    assert ranking(world, T0 + 6 * HOUR) == [(V1, 3.0)]
    remembered = rows(world, "trending_contributions")
    assert [(r["source"], r["at"]) for r in remembered] == [(f"like:{BOB}", T0 + 6 * HOUR)]
    assert remembered[0]["amount"] == math.log2(3) + model.half_lives(T0 + 6 * HOUR)


@pytest.mark.parametrize("parts", [1, 3])
def test_an_erasure_leaves_no_contribution_naming_the_person_and_their_likes_still_count(
    tmp_path: Path, parts: int
) -> None:
    world = World(tmp_path, parts=parts)
    try:
        # Given Bob liked two videos and Ann one
        live(world, V1, V2, V3)
        at(world, T0, VideoLiked(BOB, V1), VideoLiked(BOB, V2), VideoLiked(ANN, V3))
        before = ranking(world, T0)
        # When Bob is erased, and a like of his that raced the erasure lands after it
        at(world, T0, ErasureRequested(BOB, BOB), VideoLiked(BOB, V3))
        # Then no row remembers what he liked, his likes count on as mass, the late one not at all
        assert ranking(world, T0) == before
        for table in ("trending_contributions", "trending_likers"):
            assert [r for r in rows(world, table) if BOB in repr(r)] == [], table
        assert [r["source"] for r in rows(world, "trending_contributions")] == [f"like:{ANN}"]
    finally:
        world.close()


def test_a_video_whose_engagement_is_all_taken_back_leaves_the_ranking(world: World) -> None:
    live(world, V1)
    at(world, T0, VideoLiked(ANN, V1))
    assert [v for v, _ in ranking(world, T0)] == [V1]
    at(world, T0 + HOUR, VideoUnliked(ANN, V1))
    assert ranking(world, T0 + HOUR) == []
    assert rows(world, "trending_videos") == []


def test_engagement_on_a_video_never_seen_ranks_nothing(world: World) -> None:
    at(world, T0, ViewStarted("c1", BOB, "made-up"), VideoSkipped("c2", BOB, "made-up", 100))
    at(world, T0, VideoLiked(BOB, V1))
    world.project(PROJECTOR)
    for table in ("trending_videos", "trending_hashtags", "trending_state"):
        assert rows(world, table) == []
    # Then V1 is published: the like before it was seen stays out of its score
    live(world, V1)
    at(world, T0, VideoShared("s1", BOB, V1, "sms"))
    assert ranking(world, T0) == [(V1, 5.0)]


# -- per hashtag -------------------------------------------------------------------------------------


def test_each_hashtag_ranks_its_own_videos(world: World) -> None:
    live(world, V1, tags=["cats", "dogs"])
    live(world, V2, tags=["cats"])
    live(world, V3)
    at(world, T0, *likes(V1, 1), *likes(V2, 2), *likes(V3, 3))
    assert [v for v, _ in ranking(world, T0)] == [V3, V2, V1]
    assert [v for v, _ in ranking(world, T0, "cats")] == [V2, V1]
    assert [v for v, _ in ranking(world, T0, "dogs")] == [V1]
    assert ranking(world, T0, "birds") == []
    page = model.top(world.store, 10, hashtag="dogs", now=T0)
    assert page.items[0].owner_id == ANN
    assert page.items[0].hashtags == ["cats", "dogs"]


def test_an_edit_moves_the_video_between_hashtags(world: World) -> None:
    live(world, V1, tags=["cats"])
    at(world, T0, VideoLiked(BOB, V1))
    at(world, T0 + HOUR, VideoEdited(V1, ANN, "c", ["dogs"], "public", True))
    assert ranking(world, T0, "cats") == []
    assert [v for v, _ in ranking(world, T0, "dogs")] == [V1]
    assert [r["hashtag"] for r in rows(world, "trending_hashtags")] == ["dogs"]


# -- listing -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("leaving", "returning"),
    [
        (VideoUnpublished(V1, ANN), published(V1, ["cats"])),
        (VideoHidden(V1, ANN, BOB, "spam"), VideoRestored(V1, ANN, BOB, "ok")),
        (VideoEdited(V1, ANN, "c", ["cats"], "private", True), published(V1, ["cats"])),
        (VideoEdited(V1, ANN, "c", ["cats"], "followers", True), published(V1, ["cats"])),
    ],
    ids=["unpublished", "hidden", "private", "followers-only"],
)
def test_a_video_that_stops_being_listed_leaves_every_ranking_and_may_come_back(
    world: World, leaving: DomainEvent, returning: DomainEvent
) -> None:
    live(world, V1, tags=["cats"])
    at(world, T0, VideoLiked(BOB, V1))
    at(world, T0 + HOUR, leaving)
    assert ranking(world, T0 + HOUR) == []
    assert ranking(world, T0 + HOUR, "cats") == []
    assert rows(world, "trending_videos") == rows(world, "trending_hashtags") == []
    # Engagement while unlisted still counts once it is back
    at(world, T0 + 2 * HOUR, VideoLiked(ANN, V1))
    at(world, T0 + 3 * HOUR, returning)
    assert [v for v, _ in ranking(world, T0 + 3 * HOUR, "cats")] == [V1]


def test_a_deleted_video_leaves_for_good(world: World) -> None:
    live(world, V1, tags=["cats"])
    at(world, T0, VideoLiked(BOB, V1))
    at(world, T0 + HOUR, VideoDeleted(V1, ANN), ViewStarted("c1", BOB, V1))
    assert ranking(world, T0 + HOUR) == ranking(world, T0 + HOUR, "cats") == []


def test_a_video_published_private_never_trends(world: World) -> None:
    at(world, T0, VideoDraftCreated(V1, ANN), published(V1, ["cats"], "private"), VideoLiked(BOB, V1))
    assert ranking(world, T0) == []


# -- buckets and pages -------------------------------------------------------------------------------


def test_rows_move_to_the_bucket_of_the_latest_engagement_and_a_quiet_day_drops_out(world: World) -> None:
    live(world, V1, V2)
    at(world, T0, VideoLiked(ANN, V1), VideoLiked(ANN, V2))
    at(world, T0 + 7 * HOUR, VideoLiked(BOB, V1))
    world.project(PROJECTOR)
    buckets = {r["video_id"]: r["bucket"] for r in rows(world, "trending_videos")}
    assert buckets == {V1: datetime(2025, 3, 1, 12, tzinfo=UTC), V2: datetime(2025, 3, 1, 6, tzinfo=UTC)}
    # A day after T0 + 7 h, V2 (quiet since T0) is out of the window; V1 is still in
    assert [v for v, _ in ranking(world, T0 + 25 * HOUR)] == [V1]


def test_pages_merge_the_buckets_in_score_order_and_cover_every_video_once(world: World) -> None:
    # Given five videos liked at various times over the last day
    videos = [f"0190aaaa-bbbb-7ccc-8ddd-00000000001{i}" for i in range(5)]
    live(world, *videos)
    for i, video_id in enumerate(videos):
        at(world, T0 + 4 * i * HOUR, *likes(video_id, 1 + 2 * i))
    world.project(PROJECTOR)
    now = T0 + 18 * HOUR
    expected = [v.video_id for v in model.top(world.store, 100, now=now).items]
    # When read two at a time
    seen: list[str] = []
    cursor: str | None = None
    while True:
        page = model.top(world.store, 2, cursor=cursor, now=now)
        assert len(page.items) <= 2
        seen += [v.video_id for v in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    # Then the pages hold the whole ranking, once each, in order
    assert seen == expected
    assert sorted(seen) == sorted(videos)
    scores = [v.score for v in model.top(world.store, 100, now=now).items]
    assert scores == sorted(scores, reverse=True)


def test_a_cursor_is_refused_by_another_list(world: World) -> None:
    live(world, V1, V2, tags=["cats"])
    at(world, T0, VideoLiked(ANN, V1), VideoLiked(ANN, V2))
    world.project(PROJECTOR)
    cursor = model.top(world.store, 1, now=T0).next_cursor
    assert cursor is not None
    with pytest.raises(InvalidQuery):
        model.top(world.store, 1, hashtag="cats", cursor=cursor, now=T0)
    with pytest.raises(InvalidQuery):
        model.top(world.store, 1, cursor="not-a-cursor", now=T0)


# -- replays -----------------------------------------------------------------------------------------


def everything(world: World) -> dict[str, list[dict[str, Any]]]:
    return {t.name: rows(world, t.name) for t in PROJECTOR.tables}


def test_replaying_after_a_lost_checkpoint_writes_the_same_rows(world: World) -> None:
    live(world, V1, V2, tags=["cats"])
    at(world, T0, VideoLiked(ANN, V1), CommentPosted("k1", V2, ANN, "hi"), ViewStarted("c", BOB, V1))
    at(world, T0 + 7 * HOUR, VideoUnliked(ANN, V1), CommentDeleted("k1", V2, ANN, "author"))
    at(
        world,
        T0 + 8 * HOUR,
        VideoLiked(ANN, V1),
        VideoShared("s", BOB, V2, "sms"),
        VideoHidden(V1, ANN, BOB, "r"),
    )
    world.project(PROJECTOR)
    first = everything(world)
    world.forget_checkpoint(PROJECTOR)
    world.project(PROJECTOR)
    assert everything(world) == first


def tombstones(world: World, table: str) -> int:
    """Deleted rows the file still holds (hidden from every read)."""
    name = world.table(PROJECTOR, table).name
    with contextlib.closing(sqlite3.connect(world.store.path)) as conn:  # type: ignore[attr-defined]
        return int(conn.execute(f'SELECT count(*) FROM "{name}" WHERE "_deleted" = 1').fetchone()[0])


def test_a_video_that_climbs_many_ranks_in_one_batch_leaves_no_tombstone_for_ranks_never_stored(
    world: World,
) -> None:
    # Given a video liked forty times, an hour apart, projected after the first like
    live(world, V1, tags=["cats"])
    at(world, T0, VideoLiked("fan-0", V1))
    world.project(PROJECTOR)
    for i in range(1, 40):
        at(world, T0 + i * HOUR / 8, VideoLiked(f"fan-{i}", V1))
    # When the other likes are projected in one batch, each moving the video up a rank or more
    world.project(PROJECTOR)
    # Then only the rank that reached the store is deleted: one tombstone a table, not one a like
    assert tombstones(world, "trending_videos") == 1
    assert tombstones(world, "trending_hashtags") == 1
    assert [v for v, _ in ranking(world, T0 + 5 * HOUR)] == [V1]


OWNED = [V1, V2]
users = st.sampled_from([ANN, BOB])
vids = st.sampled_from(OWNED)


def video_event(video_id: str, kind: str) -> DomainEvent:
    match kind:
        case "publish":
            return published(video_id, ["cats"])
        case "private":
            return VideoEdited(video_id, ANN, "c", ["dogs"], "private", True)
        case "unpublish":
            return VideoUnpublished(video_id, ANN)
        case "hide":
            return VideoHidden(video_id, ANN, BOB, "r")
        case _:
            return VideoRestored(video_id, ANN, BOB, "r")


acts = st.one_of(
    st.builds(VideoLiked, users, vids),
    st.builds(VideoUnliked, users, vids),
    st.builds(CommentPosted, st.sampled_from(["k1", "k2"]), vids, users, st.just("x")),
    st.builds(CommentDeleted, st.sampled_from(["k1", "k2"]), vids, users, st.just("author")),
    st.builds(ViewStarted, st.just("c"), users, vids),
    st.builds(VideoSkipped, st.just("c"), users, vids, st.just(500)),
    st.builds(video_event, vids, st.sampled_from(["publish", "private", "unpublish", "hide", "restore"])),
)
timed = st.tuples(acts, st.integers(0, 40))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=st.lists(timed, min_size=1, max_size=30), replay_from=st.integers(0, 30))
def test_replaying_any_suffix_gives_the_rows_of_one_clean_pass(
    tmp_path_factory: pytest.TempPathFactory, history: list[tuple[DomainEvent, int]], replay_from: int
) -> None:
    # Given the same history projected once cleanly, and once with a suffix replayed
    clean = World(tmp_path_factory.mktemp("clean"))
    replayed = World(tmp_path_factory.mktemp("replayed"))
    start = [(VideoDraftCreated(v, ANN), 0) for v in OWNED]
    positions = [0]
    for event, hours in [*start, *history]:
        at(clean, T0 + hours * HOUR, event)
        positions.append(at(replayed, T0 + hours * HOUR, event))
    clean.project(PROJECTOR)
    replayed.project(PROJECTOR)
    # When the replayed one goes back to an earlier checkpoint (as after a crash) and runs again
    replayed.rewind(PROJECTOR, positions[min(replay_from, len(positions) - 1)])
    replayed.project(PROJECTOR)
    # Then every row is the same
    assert everything(clean) == everything(replayed)
    clean.close()
    replayed.close()
