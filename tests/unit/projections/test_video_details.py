"""Given video, like, block and erasure events, then video cards and key lookups; replays change nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.accounts.events import ErasureRequested
from domain.engagement.likes import VideoLiked, VideoUnliked
from domain.events import DomainEvent
from domain.social import UserBlocked, UserUnblocked
from domain.videos.events import (
    VideoDeleted,
    VideoDraftCreated,
    VideoEdited,
    VideoHidden,
    VideoProcessingFailed,
    VideoProcessingProgressed,
    VideoProcessingStarted,
    VideoProcessingSucceeded,
    VideoPublished,
    VideoRestored,
    VideoUnpublished,
    VideoUploadCompleted,
    VideoUploadRejected,
)
from projections.models.video_details import PROJECTOR
from read_models import video_details as model
from read_models.video_details import ListingState, Processing, VideoCard
from tests.unit.projections.world import World

ANN = "0190aaaa-bbbb-7ccc-8ddd-00000000000a"
BOB = "0190aaaa-bbbb-7ccc-8ddd-00000000000b"
CAT = "0190aaaa-bbbb-7ccc-8ddd-00000000000c"
DAN = "0190aaaa-bbbb-7ccc-8ddd-00000000000d"
V1 = "0190aaaa-bbbb-7ccc-8ddd-000000000001"
V2 = "0190aaaa-bbbb-7ccc-8ddd-000000000002"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path)
    yield w
    w.close()


def published(video_id: str = V1, owner: str = ANN, visibility: str = "public") -> VideoPublished:
    return VideoPublished(video_id, owner, "first clip", ["cats", "fun"], visibility, True)


def card(world: World, video_id: str = V1) -> VideoCard:
    found = model.video_card(world.store, video_id)
    assert found is not None
    return found


def test_a_draft_is_a_card_of_its_owner_with_nothing_published(world: World) -> None:
    world.given(VideoDraftCreated(V1, ANN), stream=f"video-{V1}")
    world.project(PROJECTOR)
    seen = card(world)
    assert (seen.owner_id, seen.state, seen.published_at, seen.caption) == (
        ANN,
        ListingState.DRAFT,
        None,
        None,
    )
    assert model.video_card(world.store, V2) is None


def test_upload_and_processing_fill_the_media_info(world: World) -> None:
    world.given(
        VideoDraftCreated(V1, ANN),
        VideoUploadCompleted(V1, ANN, "up-1", 1_000, 15_000, 1080, 1920),
        VideoProcessingSucceeded(
            V1, ANN, ["240p", "720p"], f"{V1}/master.m3u8", f"{V1}/poster.jpg", f"{V1}/thumbs.vtt"
        ),
        stream=f"video-{V1}",
    )
    world.project(PROJECTOR)
    seen = card(world)
    assert (seen.duration_ms, seen.width, seen.height) == (15_000, 1080, 1920)
    assert (seen.renditions, seen.master_playlist, seen.poster, seen.thumbnails) == (
        ["240p", "720p"],
        f"{V1}/master.m3u8",
        f"{V1}/poster.jpg",
        f"{V1}/thumbs.vtt",
    )


def status(world: World) -> tuple[Processing, int | None, str | None]:
    seen = card(world)
    return seen.processing, seen.progress_percent, seen.processing_error


def test_the_processing_status_follows_the_pipeline_for_the_upload_screen(world: World) -> None:
    """The client waits on this to publish: it must end ready, or say why not."""
    stream = f"video-{V1}"
    world.given(VideoDraftCreated(V1, ANN), stream=stream)
    world.project(PROJECTOR)
    assert status(world) == (Processing.AWAITING_UPLOAD, None, None)

    world.given(VideoUploadRejected(V1, ANN, "up-1", 10, "not a video"), stream=stream)
    world.project(PROJECTOR)
    assert status(world) == (Processing.REJECTED, None, "not a video")

    world.given(VideoUploadCompleted(V1, ANN, "up-2", 1_000, 6_000, 360, 640), stream=stream)
    world.project(PROJECTOR)
    assert status(world) == (Processing.PROCESSING, 0, None)

    world.given(VideoProcessingStarted(V1, ANN), VideoProcessingProgressed(V1, ANN, 35), stream=stream)
    world.project(PROJECTOR)
    assert status(world) == (Processing.PROCESSING, 35, None)

    world.given(VideoProcessingFailed(V1, ANN, "ffmpeg failed 3 times"), stream=stream)
    world.project(PROJECTOR)
    assert status(world) == (Processing.FAILED, None, "ffmpeg failed 3 times")

    world.given(
        VideoUploadCompleted(V1, ANN, "up-3", 1_000, 6_000, 360, 640),
        VideoProcessingSucceeded(V1, ANN, ["240p"], "m.m3u8", "p.jpg", "t.vtt"),
        stream=stream,
    )
    world.project(PROJECTOR)
    assert status(world) == (Processing.READY, 100, None)


def test_publishing_lists_the_video_with_its_caption_hashtags_and_visibility(world: World) -> None:
    world.given(VideoDraftCreated(V1, ANN), published(visibility="followers"), stream=f"video-{V1}")
    world.project(PROJECTOR)
    seen = card(world)
    assert (seen.state, seen.caption, seen.caption_erased) == (ListingState.LISTED, "first clip", False)
    assert (seen.hashtags, seen.visibility, seen.comments_allowed) == (["cats", "fun"], "followers", True)
    assert seen.published_at is not None


def test_an_edit_replaces_the_details_and_keeps_the_listing(world: World) -> None:
    world.given(VideoDraftCreated(V1, ANN), published(), stream=f"video-{V1}")
    world.given(VideoEdited(V1, ANN, "better words", [], "private", False), stream=f"video-{V1}")
    world.project(PROJECTOR)
    seen = card(world)
    assert (seen.caption, seen.hashtags, seen.visibility, seen.comments_allowed) == (
        "better words",
        [],
        "private",
        False,
    )
    assert seen.state is ListingState.LISTED


def test_unpublish_hide_restore_and_delete_move_the_listing_state(world: World) -> None:
    world.given(VideoDraftCreated(V1, ANN), published(), stream=f"video-{V1}")
    states = []
    for event in (
        VideoUnpublished(V1, ANN),
        published(),
        VideoHidden(V1, ANN, CAT, "spam"),
        VideoRestored(V1, ANN, CAT, "fine"),
        VideoDeleted(V1, ANN),
    ):
        world.given(event, stream=f"video-{V1}")
        world.project(PROJECTOR)
        states.append(card(world).state)
    assert states == [
        ListingState.UNPUBLISHED,
        ListingState.LISTED,
        ListingState.HIDDEN,
        ListingState.LISTED,
        ListingState.DELETED,
    ]


def test_likes_and_unlikes_leave_one_row_per_person_who_likes_now(world: World) -> None:
    world.given(VideoLiked(BOB, V1), stream=f"like-{BOB}-{V1}")
    world.given(VideoLiked(CAT, V1), VideoUnliked(CAT, V1), stream=f"like-{CAT}-{V1}")
    world.given(VideoLiked(ANN, V1), VideoUnliked(ANN, V1), VideoLiked(ANN, V1), stream=f"like-{ANN}-{V1}")
    world.project(PROJECTOR)
    assert [model.liked(world.store, user, V1) for user in (ANN, BOB, CAT)] == [True, True, False]
    assert model.liked(world.store, BOB, V2) is False


def test_a_block_holds_until_unblocked(world: World) -> None:
    world.given(
        UserBlocked(ANN, BOB), UserBlocked(ANN, CAT), UserUnblocked(ANN, CAT), stream=f"follows-{ANN}"
    )
    world.project(PROJECTOR)
    assert model.has_blocked(world.store, ANN, BOB) is True
    assert model.has_blocked(world.store, ANN, CAT) is False
    assert model.has_blocked(world.store, BOB, ANN) is False


def test_blocks_among_a_pages_owners_are_both_ways_from_one_partition(world: World) -> None:
    # Given Ann blocked Bob, Cat blocked Ann, and Ann blocked and unblocked Dan
    world.given(
        UserBlocked(ANN, BOB), UserBlocked(ANN, DAN), UserUnblocked(ANN, DAN), stream=f"follows-{ANN}"
    )
    world.given(UserBlocked(CAT, ANN), stream=f"follows-{CAT}")
    world.project(PROJECTOR)
    # When a page of owners is checked for Ann, and for the others
    among = model.blocked_among(world.store, ANN, [BOB, CAT, DAN, BOB])
    # Then both ways count, an unblock clears, and the blocks are each person's own
    assert among == {BOB, CAT}
    assert model.blocked_among(world.store, BOB, [ANN, CAT]) == {ANN}
    assert model.blocked_among(world.store, DAN, [ANN, BOB, CAT]) == set()
    assert model.blocked_among(world.store, ANN, []) == set()
    sides = world.store.scan(model.MODEL.table(world.store, model.BLOCKS_OF))
    assert sorted((r["user_id"], r["other_id"], r["way"]) for r in sides) == sorted(
        [(ANN, BOB, "blocked"), (BOB, ANN, "blocked_by"), (CAT, ANN, "blocked"), (ANN, CAT, "blocked_by")]
    )


def test_a_person_with_more_blocks_than_one_read_is_checked_by_pairs(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given Ann with more blocks than a read of her partition takes
    monkeypatch.setattr(model, "BLOCKS_READ", 1)
    world.given(UserBlocked(ANN, BOB), UserBlocked(ANN, DAN), stream=f"follows-{ANN}")
    world.given(UserBlocked(CAT, ANN), stream=f"follows-{CAT}")
    world.project(PROJECTOR)
    # When / Then the answer is the same
    assert model.blocked_among(world.store, ANN, [BOB, CAT, DAN, V1]) == {BOB, CAT, DAN}


def test_a_caption_whose_owners_key_is_erased_reads_as_erased(world: World) -> None:
    world.given(VideoDraftCreated(V1, ANN), published(), stream=f"video-{V1}")
    world.given(VideoDraftCreated(V2, BOB), published(V2, BOB), stream=f"video-{V2}")
    world.keys.erase(ANN)
    world.project(PROJECTOR)
    assert (card(world, V1).caption, card(world, V1).caption_erased) == (None, True)
    assert (card(world, V2).caption, card(world, V2).caption_erased) == ("first clip", False)
    assert card(world, V1).hashtags == []  # the owner's words too: sealed with the caption
    assert card(world, V2).hashtags == ["cats", "fun"]


def test_an_erasure_request_clears_the_captions_already_projected(world: World) -> None:
    world.given(VideoDraftCreated(V1, ANN), published(), stream=f"video-{V1}")
    world.given(VideoDraftCreated(V2, ANN), published(V2), stream=f"video-{V2}")
    world.project(PROJECTOR)
    world.given(ErasureRequested(ANN, ANN), stream=f"user-{ANN}")
    world.keys.erase(ANN)
    world.project(PROJECTOR)
    for video_id in (V1, V2):
        seen = card(world, video_id)
        assert (seen.caption, seen.caption_erased, seen.state) == (None, True, ListingState.LISTED)
    world.forget_checkpoint(PROJECTOR)
    world.project(PROJECTOR)
    assert (card(world, V1).caption, card(world, V1).caption_erased) == (None, True)


@pytest.mark.parametrize("parts", [1, 3])
def test_an_erasure_leaves_no_like_or_block_of_the_person_in_any_partition(
    tmp_path: Path, parts: int
) -> None:
    world = World(tmp_path, parts=parts)
    try:
        # Given Ann liked two videos and blocked Bob, Cat blocked her, and others liked and blocked too
        world.given(VideoDraftCreated(V1, BOB), published(V1, BOB), stream=f"video-{V1}")
        world.given(VideoDraftCreated(V2, CAT), published(V2, CAT), stream=f"video-{V2}")
        world.given(VideoLiked(ANN, V1), VideoLiked(ANN, V2), VideoLiked(BOB, V2), stream="likes")
        world.given(UserBlocked(ANN, BOB), UserBlocked(CAT, ANN), UserBlocked(BOB, DAN), stream="blocks")
        world.project(PROJECTOR)
        # When Ann is erased
        world.given(ErasureRequested(ANN, ANN), stream=f"user-{ANN}")
        world.project(PROJECTOR)
        # Then no row of any of these tables names her
        tables = (
            model.VIDEO_LIKES,
            model.LIKES_BY_USER,
            model.USER_BLOCKS,
            model.BLOCKS_OF,
            model.BLOCKS_BY_OTHER,
        )
        for table in tables:
            rows = world.store.scan(model.MODEL.table(world.store, table))
            assert [r for r in rows if ANN in r.values()] == [], table.name
        # And the others' likes and blocks stand
        assert (model.liked(world.store, BOB, V2), model.has_blocked(world.store, BOB, DAN)) == (True, True)
        assert model.blocked_among(world.store, DAN, [BOB, CAT]) == {BOB}
        assert model.blocked_among(world.store, CAT, [ANN, BOB]) == set()
    finally:
        world.close()


@pytest.mark.parametrize("parts", [1, 3])
def test_a_like_or_block_that_reached_the_log_after_the_erasure_is_not_recorded(
    tmp_path: Path, parts: int
) -> None:
    world = World(tmp_path, parts=parts)
    try:
        # Given Ann was erased
        world.given(VideoDraftCreated(V1, BOB), published(V1, BOB), stream=f"video-{V1}")
        world.given(ErasureRequested(ANN, ANN), stream=f"user-{ANN}")
        world.project(PROJECTOR)
        # When a like and blocks of hers, sent before the erasure was recorded, land after it
        world.given(VideoLiked(ANN, V1), VideoLiked(BOB, V1), stream="likes")
        world.given(UserBlocked(ANN, BOB), UserBlocked(CAT, ANN), UserBlocked(BOB, DAN), stream="blocks")
        world.project(PROJECTOR)
        # Then none of them is recorded, and the others' are
        for table in (model.VIDEO_LIKES, model.LIKES_BY_USER, model.USER_BLOCKS, model.BLOCKS_OF):
            rows = world.store.scan(model.MODEL.table(world.store, table))
            assert [r for r in rows if ANN in r.values()] == [], table.name
        assert (model.liked(world.store, BOB, V1), model.has_blocked(world.store, BOB, DAN)) == (True, True)
    finally:
        world.close()


# -- replays -----------------------------------------------------------------------------------------

USERS = (ANN, BOB)
VIDEOS = (V1, V2)
OWNER = {V1: ANN, V2: BOB}
users = st.sampled_from(USERS)
vids = st.sampled_from(VIDEOS)


def video_event(video_id: str, kind: str, visibility: str) -> DomainEvent:
    owner = OWNER[video_id]
    match kind:
        case "publish":
            return published(video_id, owner, visibility)
        case "edit":
            return VideoEdited(video_id, owner, "edited", ["x"], visibility, False)
        case "unpublish":
            return VideoUnpublished(video_id, owner)
        case "delete":
            return VideoDeleted(video_id, owner)
        case "hide":
            return VideoHidden(video_id, owner, CAT, "r")
        case "upload":
            return VideoUploadCompleted(video_id, owner, "up", 10, 2_000, 720, 1280)
        case "progress":
            return VideoProcessingProgressed(video_id, owner, 40)
        case "fail":
            return VideoProcessingFailed(video_id, owner, "broken")
        case _:
            return VideoRestored(video_id, owner, CAT, "r")


history = st.one_of(
    st.builds(VideoLiked, users, vids),
    st.builds(VideoUnliked, users, vids),
    st.builds(UserBlocked, users, users),
    st.builds(UserUnblocked, users, users),
    st.builds(ErasureRequested, users, users),
    st.builds(
        video_event,
        vids,
        st.sampled_from(
            ["publish", "edit", "unpublish", "delete", "hide", "restore", "upload", "progress", "fail"]
        ),
        st.sampled_from(["public", "private", "followers"]),
    ),
)


def snapshot(world: World) -> dict[str, Any]:
    """Every card and every lookup the queries make."""
    return {
        "cards": [model.video_card(world.store, v) for v in VIDEOS],
        "likes": [model.liked(world.store, u, v) for u in USERS for v in VIDEOS],
        "blocks": [model.has_blocked(world.store, a, b) for a in USERS for b in USERS],
        "blocked_among": [sorted(model.blocked_among(world.store, u, USERS)) for u in USERS],
    }


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=st.lists(history, min_size=1, max_size=30), replay_from=st.integers(0, 32))
def test_replaying_any_suffix_gives_the_rows_of_one_clean_pass(
    tmp_path_factory: pytest.TempPathFactory, events: list[DomainEvent], replay_from: int
) -> None:
    # Given a history projected once
    world = World(tmp_path_factory.mktemp("replay"))
    positions = [0] + [
        world.given(e) for e in [VideoDraftCreated(V1, ANN), VideoDraftCreated(V2, BOB), *events]
    ]
    world.project(PROJECTOR)
    clean = snapshot(world)
    # When it goes back to an earlier checkpoint (as after a crash) and runs again
    world.rewind(PROJECTOR, positions[min(replay_from, len(positions) - 1)])
    world.project(PROJECTOR)
    # Then every lookup answers the same
    assert snapshot(world) == clean
    world.close()


def test_a_replay_from_the_start_writes_the_same_rows(world: World) -> None:
    world.given(
        VideoDraftCreated(V1, ANN),
        VideoUploadCompleted(V1, ANN, "up-1", 1_000, 15_000, 1080, 1920),
        published(),
        VideoHidden(V1, ANN, CAT, "spam"),
        stream=f"video-{V1}",
    )
    world.given(VideoLiked(BOB, V1), stream=f"like-{BOB}-{V1}")
    world.given(UserBlocked(ANN, CAT), stream=f"follows-{ANN}")
    world.project(PROJECTOR)
    before = snapshot(world)
    world.forget_checkpoint(PROJECTOR)
    world.project(PROJECTOR)
    assert snapshot(world) == before
