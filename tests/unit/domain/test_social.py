"""The social graph: follows and blocks, decided on the actor's own ``follows-<user>`` stream."""

from __future__ import annotations

import pytest

from domain.actors import Actor
from domain.decider import fold
from domain.errors import Conflict, InvalidCommand, NotFound
from domain.events import DomainEvent, event_from_data
from domain.social import (
    BlockUser,
    DropFollowOfBlocker,
    Event,
    FollowUser,
    State,
    UnblockUser,
    UnfollowUser,
    UserBlocked,
    UserFollowed,
    UserUnblocked,
    UserUnfollowed,
    decide_block_user,
    decide_drop_follow_of_blocker,
    decide_follow_user,
    decide_unblock_user,
    decide_unfollow_user,
    evolve,
    has_blocked,
    initial,
)

ANN = Actor("ann")
BOB = "bob"


def given(*events: Event) -> State:
    return fold(evolve, initial, events)


# -- follow ----------------------------------------------------------------------------------------


def test_following_someone_records_a_follow() -> None:
    # Given
    state = given()
    # When
    events = decide_follow_user(state, FollowUser(ANN, BOB), blocked_by_target=False)
    # Then
    assert events == [UserFollowed(follower_id="ann", followee_id="bob")]
    assert fold(evolve, state, events).following == {"bob"}


def test_following_twice_records_one_follow() -> None:
    # Given
    state = given(UserFollowed("ann", "bob"))
    # When
    events = decide_follow_user(state, FollowUser(ANN, BOB), blocked_by_target=False)
    # Then
    assert events == []


def test_following_yourself_is_refused() -> None:
    # Given
    state = given()
    # When / Then
    with pytest.raises(InvalidCommand, match="yourself"):
        decide_follow_user(state, FollowUser(ANN, "ann"), blocked_by_target=False)


def test_following_without_a_target_is_refused() -> None:
    # Given
    state = given()
    # When / Then
    with pytest.raises(InvalidCommand, match="user id is required"):
        decide_follow_user(state, FollowUser(ANN, ""), blocked_by_target=False)


def test_following_someone_who_blocked_you_reads_as_not_found() -> None:
    # Given
    state = given()
    # When / Then
    with pytest.raises(NotFound, match="user not found"):
        decide_follow_user(state, FollowUser(ANN, BOB), blocked_by_target=True)


def test_following_someone_you_blocked_is_refused_until_you_unblock() -> None:
    # Given
    state = given(UserBlocked("ann", "bob"))
    # When / Then
    with pytest.raises(Conflict, match="unblock"):
        decide_follow_user(state, FollowUser(ANN, BOB), blocked_by_target=False)


# -- unfollow --------------------------------------------------------------------------------------


def test_unfollowing_a_followed_user_records_a_requested_unfollow() -> None:
    # Given
    state = given(UserFollowed("ann", "bob"))
    # When
    events = decide_unfollow_user(state, UnfollowUser(ANN, BOB))
    # Then
    assert events == [UserUnfollowed(follower_id="ann", followee_id="bob", reason="requested")]
    assert fold(evolve, state, events).following == frozenset()


def test_unfollowing_someone_not_followed_records_nothing() -> None:
    # Given
    state = given(UserFollowed("ann", "cat"))
    # When
    events = decide_unfollow_user(state, UnfollowUser(ANN, BOB))
    # Then
    assert events == []


def test_unfollowing_yourself_is_refused() -> None:
    # Given
    state = given()
    # When / Then
    with pytest.raises(InvalidCommand, match="yourself"):
        decide_unfollow_user(state, UnfollowUser(ANN, "ann"))


# -- block -----------------------------------------------------------------------------------------


def test_blocking_someone_not_followed_records_only_the_block() -> None:
    # Given
    state = given()
    # When
    events = decide_block_user(state, BlockUser(ANN, BOB))
    # Then
    assert events == [UserBlocked(blocker_id="ann", blocked_id="bob")]
    assert has_blocked(fold(evolve, state, events), "bob")


def test_blocking_someone_you_follow_also_ends_the_follow() -> None:
    # Given
    state = given(UserFollowed("ann", "bob"))
    # When
    events = decide_block_user(state, BlockUser(ANN, BOB))
    # Then
    assert events == [
        UserBlocked(blocker_id="ann", blocked_id="bob"),
        UserUnfollowed(follower_id="ann", followee_id="bob", reason="blocking"),
    ]
    assert fold(evolve, state, events) == State(following=frozenset(), blocked=frozenset({"bob"}))


def test_blocking_twice_records_one_block() -> None:
    # Given
    state = given(UserBlocked("ann", "bob"))
    # When
    events = decide_block_user(state, BlockUser(ANN, BOB))
    # Then
    assert events == []


def test_blocking_yourself_is_refused() -> None:
    # Given
    state = given()
    # When / Then
    with pytest.raises(InvalidCommand, match="yourself"):
        decide_block_user(state, BlockUser(ANN, "ann"))


# -- unblock ---------------------------------------------------------------------------------------


def test_unblocking_a_blocked_user_records_an_unblock() -> None:
    # Given
    state = given(UserBlocked("ann", "bob"))
    # When
    events = decide_unblock_user(state, UnblockUser(ANN, BOB))
    # Then
    assert events == [UserUnblocked(blocker_id="ann", blocked_id="bob")]
    assert not has_blocked(fold(evolve, state, events), "bob")


def test_unblocking_does_not_restore_the_follow_the_block_ended() -> None:
    # Given
    state = given(
        UserFollowed("ann", "bob"), UserBlocked("ann", "bob"), UserUnfollowed("ann", "bob", reason="blocking")
    )
    # When
    after = fold(evolve, state, decide_unblock_user(state, UnblockUser(ANN, BOB)))
    # Then
    assert after == State()


def test_unblocking_someone_not_blocked_records_nothing() -> None:
    # Given
    state = given()
    # When
    events = decide_unblock_user(state, UnblockUser(ANN, BOB))
    # Then
    assert events == []


def test_unblocking_yourself_is_refused() -> None:
    # Given
    state = given()
    # When / Then
    with pytest.raises(InvalidCommand, match="yourself"):
        decide_unblock_user(state, UnblockUser(ANN, "ann"))


# -- the blocked user's side -----------------------------------------------------------------------


def test_a_block_drops_the_blocked_users_follow_of_the_blocker() -> None:
    # Given: bob's graph, and bob follows ann
    bobs_graph = given(UserFollowed("bob", "ann"))
    # When: ann blocks bob
    events = decide_drop_follow_of_blocker(bobs_graph, DropFollowOfBlocker(ANN, blocked_id=BOB))
    # Then
    assert events == [UserUnfollowed(follower_id="bob", followee_id="ann", reason="blocked")]
    assert fold(evolve, bobs_graph, events).following == frozenset()


def test_dropping_the_follow_of_a_blocker_not_followed_records_nothing() -> None:
    # Given
    bobs_graph = given(UserFollowed("bob", "cat"))
    # When
    events = decide_drop_follow_of_blocker(bobs_graph, DropFollowOfBlocker(ANN, blocked_id=BOB))
    # Then
    assert events == []


def test_dropping_the_follow_of_a_blocker_who_is_yourself_is_refused() -> None:
    # Given
    state = given()
    # When / Then
    with pytest.raises(InvalidCommand, match="yourself"):
        decide_drop_follow_of_blocker(state, DropFollowOfBlocker(ANN, blocked_id="ann"))


# -- storage ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "event",
    [
        UserFollowed("ann", "bob"),
        UserUnfollowed("ann", "bob", reason="blocked"),
        UserBlocked("ann", "bob"),
        UserUnblocked("ann", "bob"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_each_event_round_trips_through_its_stored_data(event: DomainEvent) -> None:
    # Given
    data = event.to_data()
    # When
    restored = event_from_data(event.event_type, data)
    # Then
    assert restored == event
    assert event.personal_fields == ()
