"""Given account, social, video and like events, then profile cards, totals and lists."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.accounts.events import ErasureRequested, ProfileChanged, UserRegistered
from domain.engagement.likes import VideoLiked, VideoUnliked
from domain.events import DomainEvent
from domain.social import UserBlocked, UserFollowed, UserUnfollowed
from domain.videos.events import (
    VideoDeleted,
    VideoDraftCreated,
    VideoEdited,
    VideoHidden,
    VideoPublished,
    VideoRestored,
    VideoUnpublished,
)
from projections.models.profiles import PROJECTOR
from read_models import profiles as model
from tests.unit.projections.world import World

ANN = "0190aaaa-bbbb-7ccc-8ddd-00000000000a"
BOB = "0190aaaa-bbbb-7ccc-8ddd-00000000000b"
CAT = "0190aaaa-bbbb-7ccc-8ddd-00000000000c"
V1 = "0190aaaa-bbbb-7ccc-8ddd-000000000001"
V2 = "0190aaaa-bbbb-7ccc-8ddd-000000000002"
V3 = "0190aaaa-bbbb-7ccc-8ddd-000000000003"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path)
    yield w
    w.close()


def registered(user_id: str, handle: str) -> UserRegistered:
    return UserRegistered(user_id, handle, f"{handle}@example.com", "hash", handle.title())


def published(video_id: str, owner: str, visibility: str = "public") -> VideoPublished:
    return VideoPublished(video_id, owner, "caption", ["tag"], visibility, True)


def counts(world: World, user_id: str) -> dict[str, int]:
    card = model.profile(world.store, user_id)
    assert card is not None
    return {
        "followers": card.followers,
        "following": card.following,
        "videos": card.videos,
        "likes_received": card.likes_received,
    }


def listed(world: World, user_id: str) -> list[tuple[str, str]]:
    """The user's listed videos with their audience; who may see which is the access policy's."""
    page = model.videos_of(world.store, user_id, list(model.VIDEO_COUNTS), 100)
    return sorted((v.video_id, v.visibility) for v in page.items)


def followers(world: World, user_id: str) -> list[str]:
    return [f.user_id for f in model.followers_of(world.store, user_id, 100).items]


def following(world: World, user_id: str) -> list[str]:
    return [f.user_id for f in model.following_of(world.store, user_id, 100).items]


def test_a_registration_makes_a_profile_and_a_change_updates_it(world: World) -> None:
    world.given(registered(ANN, "ann"), stream=f"user-{ANN}")
    world.project(PROJECTOR)
    card = model.profile(world.store, ANN)
    assert card == model.Profile(ANN, "ann", "Ann", False, None, None)

    world.given(ProfileChanged(ANN, "Ann B.", "hello", "https://x/a.png"), stream=f"user-{ANN}")
    world.project(PROJECTOR)
    card = model.profile(world.store, ANN)
    assert card is not None
    assert (card.handle, card.display_name, card.bio, card.avatar_url) == (
        "ann",
        "Ann B.",
        "hello",
        "https://x/a.png",
    )
    assert model.profile(world.store, BOB) is None


def test_follows_and_unfollows_move_both_totals_and_lists(world: World) -> None:
    world.given(registered(ANN, "ann"), registered(BOB, "bob"), registered(CAT, "cat"))
    world.given(UserFollowed(BOB, ANN), stream=f"follows-{BOB}")
    world.given(UserFollowed(CAT, ANN), UserFollowed(CAT, BOB), stream=f"follows-{CAT}")
    world.project(PROJECTOR)
    assert counts(world, ANN) == {"followers": 2, "following": 0, "videos": 0, "likes_received": 0}
    assert counts(world, CAT)["following"] == 2
    # newest first, though events within one millisecond tie and then go by id
    assert sorted(followers(world, ANN)) == [BOB, CAT]
    assert sorted(following(world, CAT)) == [ANN, BOB]

    world.given(UserUnfollowed(CAT, ANN, "requested"), stream=f"follows-{CAT}")
    world.project(PROJECTOR)
    assert counts(world, ANN)["followers"] == 1
    assert counts(world, CAT)["following"] == 1
    assert followers(world, ANN) == [BOB]
    assert following(world, CAT) == [BOB]


def test_a_block_removes_the_follows_both_ways_and_counts_them_once(world: World) -> None:
    world.given(registered(ANN, "ann"), registered(BOB, "bob"))
    world.given(UserFollowed(ANN, BOB), stream=f"follows-{ANN}")
    world.given(UserFollowed(BOB, ANN), stream=f"follows-{BOB}")
    # Ann blocks Bob: the domain ends her follow on her graph and his on his.
    world.given(UserBlocked(ANN, BOB), UserUnfollowed(ANN, BOB, "blocking"), stream=f"follows-{ANN}")
    world.project(PROJECTOR)
    assert followers(world, ANN) == []
    assert following(world, BOB) == []
    world.given(UserUnfollowed(BOB, ANN, "blocked"), stream=f"follows-{BOB}")
    world.project(PROJECTOR)
    assert followers(world, BOB) == []
    assert following(world, ANN) == []
    for user in (ANN, BOB):
        assert counts(world, user) == {"followers": 0, "following": 0, "videos": 0, "likes_received": 0}


def test_the_videos_list_follows_publishing_hiding_and_deleting(world: World) -> None:
    world.given(registered(ANN, "ann"))
    for v in (V1, V2, V3):
        world.given(VideoDraftCreated(v, ANN), stream=f"video-{v}")
    world.given(published(V1, ANN), stream=f"video-{V1}")
    world.given(published(V2, ANN, "private"), stream=f"video-{V2}")
    world.given(published(V3, ANN), stream=f"video-{V3}")
    world.project(PROJECTOR)
    assert listed(world, ANN) == [(V1, "public"), (V2, "private"), (V3, "public")]
    assert counts(world, ANN)["videos"] == 3

    world.given(VideoUnpublished(V1, ANN), stream=f"video-{V1}")
    world.given(VideoDeleted(V2, ANN), stream=f"video-{V2}")
    world.given(VideoHidden(V3, ANN, BOB, "spam"), stream=f"video-{V3}")
    world.project(PROJECTOR)
    assert listed(world, ANN) == []
    assert counts(world, ANN)["videos"] == 0

    world.given(VideoRestored(V3, ANN, BOB, "fine"), stream=f"video-{V3}")
    world.given(published(V1, ANN), stream=f"video-{V1}")  # republished
    world.given(VideoEdited(V3, ANN, "c", [], "followers", True), stream=f"video-{V3}")
    world.project(PROJECTOR)
    assert listed(world, ANN) == [(V1, "public"), (V3, "followers")]
    assert counts(world, ANN)["videos"] == 2
    card = model.profile(world.store, ANN)
    assert card is not None
    assert (card.videos_in(["public"]), card.videos_in(["public", "followers"])) == (1, 2)


def test_a_page_of_some_audiences_is_full_while_more_of_them_are_left(world: World) -> None:
    """A stranger's page reads only public videos: it is full and has a cursor while more public
    videos are left, and none once they are not, however many others sit between them."""
    # Given ann's videos, newest last: public, private, private, public, followers, private
    world.given(registered(ANN, "ann"))
    audiences = ["public", "private", "private", "public", "followers", "private"]
    ids = [f"01900000-0000-7000-8000-0000000001{i:02d}" for i in range(len(audiences))]
    for video_id, audience in zip(ids, audiences, strict=True):
        stream = f"video-{video_id}"
        world.given(VideoDraftCreated(video_id, ANN), published(video_id, ANN, audience), stream=stream)
    world.project(PROJECTOR)

    # When a stranger pages one at a time, and a follower two at a time
    def pages(seen: list[str], limit: int) -> list[list[str]]:
        out, cursor = [], None
        while True:
            page = model.videos_of(world.store, ANN, seen, limit, cursor)
            out.append([v.video_id for v in page.items])
            if page.next_cursor is None:
                return out
            cursor = page.next_cursor

    # Then each page is full, newest first, and the last one ends the list
    assert pages(["public"], 1) == [[ids[3]], [ids[0]]]
    assert pages(["public", "followers"], 2) == [[ids[4], ids[3]], [ids[0]]]
    assert pages(list(model.VIDEO_COUNTS), 10) == [list(reversed(ids))]


def test_likes_count_for_the_videos_owner(world: World) -> None:
    world.given(registered(ANN, "ann"), registered(BOB, "bob"))
    world.given(VideoDraftCreated(V1, ANN), published(V1, ANN), stream=f"video-{V1}")
    world.given(VideoLiked(BOB, V1), stream=f"like-{BOB}-{V1}")
    world.given(VideoLiked(CAT, V1), VideoUnliked(CAT, V1), VideoLiked(CAT, V1), stream=f"like-{CAT}-{V1}")
    world.given(VideoLiked(ANN, V2))  # a video never seen: no one's total
    world.project(PROJECTOR)
    assert counts(world, ANN)["likes_received"] == 2
    assert counts(world, BOB)["likes_received"] == 0


def likes_by_audience(world: World, user_id: str) -> dict[str, int]:
    card = model.profile(world.store, user_id)
    assert card is not None
    return {audience: card.likes_in([audience]) for audience in model.LIKE_COUNTS}


def test_likes_received_count_under_the_audience_of_the_video_and_move_with_it(world: World) -> None:
    """A stranger is told only of likes on videos they may see: the likes follow the video's
    audience as it changes, and those of a video not listed now count for its owner alone."""
    # Given ann's public video liked twice
    world.given(registered(ANN, "ann"), registered(BOB, "bob"), registered(CAT, "cat"))
    world.given(VideoDraftCreated(V1, ANN), published(V1, ANN), stream=f"video-{V1}")
    world.given(VideoLiked(BOB, V1), stream=f"like-{BOB}-{V1}")
    world.given(VideoLiked(CAT, V1), stream=f"like-{CAT}-{V1}")
    world.project(PROJECTOR)
    assert likes_by_audience(world, ANN) == {"public": 2, "followers": 0, "private": 0, "unlisted": 0}
    # When it is made private, and one like is taken back
    world.given(VideoEdited(V1, ANN, "c", [], "private", True), stream=f"video-{V1}")
    world.given(VideoUnliked(CAT, V1), stream=f"like-{CAT}-{V1}")
    world.project(PROJECTOR)
    # Then the likes counted under private, and the unlike there too
    assert likes_by_audience(world, ANN) == {"public": 0, "followers": 0, "private": 1, "unlisted": 0}
    # When it is unpublished, then published again as public
    world.given(VideoUnpublished(V1, ANN), stream=f"video-{V1}")
    world.project(PROJECTOR)
    assert likes_by_audience(world, ANN) == {"public": 0, "followers": 0, "private": 0, "unlisted": 1}
    world.given(published(V1, ANN), stream=f"video-{V1}")
    world.project(PROJECTOR)
    assert likes_by_audience(world, ANN) == {"public": 1, "followers": 0, "private": 0, "unlisted": 0}
    # And replaying everything onto the rows changes nothing
    world.forget_checkpoint(PROJECTOR)
    world.project(PROJECTOR)
    assert likes_by_audience(world, ANN) == {"public": 1, "followers": 0, "private": 0, "unlisted": 0}


def test_a_like_before_its_video_was_known_counts_for_no_one_even_on_replay(world: World) -> None:
    # Given a like of a video whose owner only a later event names
    world.given(registered(ANN, "ann"), registered(BOB, "bob"))
    world.given(VideoLiked(BOB, V1), stream=f"like-{BOB}-{V1}")
    world.given(VideoUnpublished(V1, ANN), stream=f"video-{V1}")
    world.project(PROJECTOR)
    # When the checkpoint is lost and everything replays onto the rows
    world.forget_checkpoint(PROJECTOR)
    world.project(PROJECTOR)
    # Then the like still counts for no one, as in the first pass
    assert counts(world, ANN)["likes_received"] == 0


def test_an_erased_user_shows_no_handle_display_name_bio_or_avatar(world: World) -> None:
    world.given(registered(ANN, "ann"), stream=f"user-{ANN}")
    world.given(ProfileChanged(ANN, "Ann B.", "my bio", "https://cdn.example/ann.jpg"), stream=f"user-{ANN}")
    world.keys.erase(ANN)
    world.project(PROJECTOR)
    card = model.profile(world.store, ANN)
    assert card is not None
    assert (card.handle, card.display_name, card.bio, card.avatar_url, card.erased) == (
        None,
        None,
        None,
        None,
        True,
    )


def test_an_erasure_request_clears_a_projected_profile(world: World) -> None:
    # Given
    changed = ProfileChanged(ANN, "Ann B.", "my bio", "https://cdn.example/ann.jpg")
    world.given(registered(ANN, "ann"), changed, stream=f"user-{ANN}")
    world.project(PROJECTOR)
    # When
    world.given(ErasureRequested(ANN, ANN, "e1"), stream=f"user-{ANN}")
    world.project(PROJECTOR)
    # Then
    card = model.profile(world.store, ANN)
    assert card is not None
    assert (card.handle, card.display_name, card.bio, card.avatar_url, card.erased) == (
        None,
        None,
        None,
        None,
        True,
    )


def test_an_erased_user_leaves_every_follow_list_and_the_totals_stay(world: World) -> None:
    # Given ann follows bob and cat follows ann
    world.given(registered(ANN, "ann"), registered(BOB, "bob"), registered(CAT, "cat"))
    world.given(UserFollowed(ANN, BOB), stream=f"follows-{ANN}")
    world.given(UserFollowed(CAT, ANN), stream=f"follows-{CAT}")
    world.project(PROJECTOR)
    # When ann is erased
    world.given(ErasureRequested(ANN, ANN, "e1"), stream=f"user-{ANN}")
    world.project(PROJECTOR)
    # Then nobody's list names her, hers are empty, and the totals are anonymous totals
    assert (followers(world, BOB), following(world, CAT)) == ([], [])
    assert (followers(world, ANN), following(world, ANN)) == ([], [])
    assert (counts(world, BOB)["followers"], counts(world, CAT)["following"]) == (1, 1)
    assert not model.follows(world.store, CAT, ANN)
    # And an unfollow recorded later counts the follow out once, and only once
    world.given(UserUnfollowed(CAT, ANN, "requested"), stream=f"follows-{CAT}")
    world.project(PROJECTOR)
    assert counts(world, CAT)["following"] == 0
    world.forget_checkpoint(PROJECTOR)
    world.project(PROJECTOR)
    assert (followers(world, BOB), following(world, CAT), counts(world, CAT)["following"]) == ([], [], 0)


def test_lists_page_with_cursors(world: World) -> None:
    world.given(registered(ANN, "ann"))
    fans = [f"0190aaaa-bbbb-7ccc-8ddd-0000000001{i:02d}" for i in range(5)]
    for fan in fans:
        world.given(UserFollowed(fan, ANN), stream=f"follows-{fan}")
    world.project(PROJECTOR)
    first = model.followers_of(world.store, ANN, 2)
    second = model.followers_of(world.store, ANN, 2, first.next_cursor)
    third = model.followers_of(world.store, ANN, 2, second.next_cursor)
    seen = [f.user_id for page in (first, second, third) for f in page.items]
    assert sorted(seen) == sorted(fans)
    assert len(seen) == 5
    assert third.next_cursor is None


# -- replays -----------------------------------------------------------------------------------------

USERS = [ANN, BOB, CAT]
VIDEOS = [V1, V2]
users = st.sampled_from(USERS)
vids = st.sampled_from(VIDEOS)
OWNER = {V1: ANN, V2: BOB}


def video_event(video_id: str, kind: str, visibility: str) -> DomainEvent:
    owner = OWNER[video_id]
    match kind:
        case "publish":
            return published(video_id, owner, visibility)
        case "edit":
            return VideoEdited(video_id, owner, "c", ["x"], visibility, True)
        case "unpublish":
            return VideoUnpublished(video_id, owner)
        case "delete":
            return VideoDeleted(video_id, owner)
        case "hide":
            return VideoHidden(video_id, owner, CAT, "r")
        case _:
            return VideoRestored(video_id, owner, CAT, "r")


history = st.one_of(
    st.builds(UserFollowed, users, users),
    st.builds(UserUnfollowed, users, users, st.just("requested")),
    st.builds(UserBlocked, users, users),
    st.builds(VideoLiked, users, vids),
    st.builds(VideoUnliked, users, vids),
    st.builds(ProfileChanged, users, st.sampled_from(["A", "B"]), st.none()),
    st.builds(
        video_event,
        vids,
        st.sampled_from(["publish", "edit", "unpublish", "delete", "hide", "restore"]),
        st.sampled_from(["public", "private", "followers"]),
    ),
)


def snapshot(world: World) -> dict[str, Any]:
    """What the queries answer, less the times (the two worlds' logs stamp their own clocks)."""
    out: dict[str, Any] = {}
    for user in USERS:
        out[user] = (
            model.profile(world.store, user),
            listed(world, user),
            sorted(followers(world, user)),
            sorted(following(world, user)),
        )
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=st.lists(history, min_size=1, max_size=30), replay_from=st.integers(0, 30))
def test_replaying_any_suffix_gives_the_rows_of_one_clean_pass(
    tmp_path_factory: pytest.TempPathFactory, events: list[DomainEvent], replay_from: int
) -> None:
    # Given the same history projected once cleanly, and once with a suffix replayed
    start: list[DomainEvent] = [registered(ANN, "ann"), registered(BOB, "bob"), registered(CAT, "cat")]
    start += [VideoDraftCreated(V1, ANN), VideoDraftCreated(V2, BOB)]
    clean = World(tmp_path_factory.mktemp("clean"))
    replayed = World(tmp_path_factory.mktemp("replayed"))
    positions = [0]
    for e in [*start, *events]:
        clean.given(e)
        positions.append(replayed.given(e))
    clean.project(PROJECTOR)
    replayed.project(PROJECTOR)
    # When the replayed one goes back to an earlier checkpoint (as after a crash) and runs again
    replayed.rewind(PROJECTOR, positions[min(replay_from, len(positions) - 1)])
    replayed.project(PROJECTOR)
    # Then every query answers the same
    assert snapshot(clean) == snapshot(replayed)
    clean.close()
    replayed.close()
