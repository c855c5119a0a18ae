"""Follows and blocks through HTTP: each on the actor's own graph, a block on both people's graphs."""

from __future__ import annotations

from commands import streams
from commands.context import Request
from commands.handling import append
from domain import social
from domain.actors import Actor
from domain.events import DomainEvent
from eventstore.errors import StreamNotFound
from eventstore.ids import uuid7
from tests.integration.api.harness import System, User


def graph(system: System, user_id: str) -> list[DomainEvent]:
    try:
        records = system.store.read_stream(streams.follows(user_id))
    except StreamNotFound:
        return []
    return [system.ports.codec.decode(record).event for record in records]


def follow(system: System, who: User, whom: str) -> int:
    status: int = system.client.put(f"/v1/users/{whom}/follow", headers=who.auth).status_code
    return status


def test_following_records_one_event_and_following_again_records_nothing(system: System) -> None:
    # Given
    fan, creator = system.register(), system.register()
    # When
    first = system.client.put(f"/v1/users/{creator.user_id}/follow", headers=fan.auth)
    second = system.client.put(f"/v1/users/{creator.user_id}/follow", headers=fan.auth)
    # Then
    assert first.status_code == second.status_code == 200, first.text
    body = first.json()
    assert (body["user_id"], body["following"]) == (creator.user_id, True)
    assert second.json()["position"] == body["position"] > 0
    assert graph(system, fan.user_id) == [social.UserFollowed(fan.user_id, creator.user_id)]
    assert graph(system, creator.user_id) == []  # nothing lands on the followed person's streams


def test_unfollowing_ends_the_follow_once(system: System) -> None:
    fan, creator = system.register(), system.register()
    follow(system, fan, creator.user_id)
    first = system.client.delete(f"/v1/users/{creator.user_id}/follow", headers=fan.auth)
    again = system.client.delete(f"/v1/users/{creator.user_id}/follow", headers=fan.auth)
    assert (first.status_code, again.status_code) == (200, 200)
    assert first.json()["following"] is False
    assert graph(system, fan.user_id)[-1] == social.UserUnfollowed(fan.user_id, creator.user_id, "requested")
    assert len(graph(system, fan.user_id)) == 2


def test_following_yourself_is_invalid(system: System) -> None:
    me = system.register()
    response = system.client.put(f"/v1/users/{me.user_id}/follow", headers=me.auth)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "yourself" in response.json()["detail"]
    assert graph(system, me.user_id) == []


def test_following_or_blocking_an_unknown_user_is_not_found(system: System) -> None:
    me, nobody = system.register(), str(uuid7())
    assert follow(system, me, nobody) == 404
    assert system.client.put(f"/v1/users/{nobody}/block", headers=me.auth).status_code == 404
    assert graph(system, me.user_id) == []


def test_blocking_ends_follows_both_ways_and_the_blocked_user_cannot_follow_back(system: System) -> None:
    # Given two people who follow each other
    alice, bob = system.register(), system.register()
    follow(system, alice, bob.user_id)
    follow(system, bob, alice.user_id)
    # When alice blocks bob
    response = system.client.put(f"/v1/users/{bob.user_id}/block", headers=alice.auth)
    # Then both follows ended, each on its own graph, and bob's attempt to follow reads as absence
    assert response.status_code == 200, response.text
    assert response.json()["blocked"] is True
    assert graph(system, alice.user_id)[-2:] == [
        social.UserBlocked(alice.user_id, bob.user_id),
        social.UserUnfollowed(alice.user_id, bob.user_id, "blocking"),
    ]
    assert graph(system, bob.user_id)[-1] == social.UserUnfollowed(bob.user_id, alice.user_id, "blocked")
    assert response.json()["position"] == system.store.head_position()
    refused = system.client.put(f"/v1/users/{alice.user_id}/follow", headers=bob.auth)
    assert refused.status_code == 404
    assert refused.json()["detail"] == "user not found"


def test_a_blocked_user_cannot_comment_on_the_blockers_videos(system: System) -> None:
    alice, bob = system.register(), system.register()
    video_id = system.published_video(alice)
    system.client.put(f"/v1/users/{bob.user_id}/block", headers=alice.auth)
    response = system.client.post(f"/v1/videos/{video_id}/comments", json={"text": "hi"}, headers=bob.auth)
    assert response.status_code == 404
    assert response.json()["detail"] == "video not found"


def test_a_block_sent_again_finishes_a_block_interrupted_between_its_two_appends(system: System) -> None:
    # Given bob follows alice, and alice's block landed on her graph but not yet on bob's
    alice, bob = system.register(), system.register()
    follow(system, bob, alice.user_id)
    append(
        system.ports,
        Request(Actor(alice.user_id)),
        streams.follows(alice.user_id),
        [social.UserBlocked(alice.user_id, bob.user_id)],
        None,
    )
    # When the block is sent again
    response = system.client.put(f"/v1/users/{bob.user_id}/block", headers=alice.auth)
    # Then alice's graph is left as it was and bob's follow is dropped
    assert response.status_code == 200
    assert len(graph(system, alice.user_id)) == 1
    assert graph(system, bob.user_id)[-1] == social.UserUnfollowed(bob.user_id, alice.user_id, "blocked")


def test_blocking_twice_records_once_and_unblocking_restores_no_follow(system: System) -> None:
    alice, bob = system.register(), system.register()
    for _ in range(2):
        assert system.client.put(f"/v1/users/{bob.user_id}/block", headers=alice.auth).status_code == 200
    unblocked = system.client.delete(f"/v1/users/{bob.user_id}/block", headers=alice.auth)
    again = system.client.delete(f"/v1/users/{bob.user_id}/block", headers=alice.auth)
    assert (unblocked.status_code, again.status_code) == (200, 200)
    assert unblocked.json()["blocked"] is False
    assert graph(system, alice.user_id) == [
        social.UserBlocked(alice.user_id, bob.user_id),
        social.UserUnblocked(alice.user_id, bob.user_id),
    ]
    assert graph(system, bob.user_id) == []
    assert follow(system, bob, alice.user_id) == 200  # the block no longer stands in the way


def test_following_someone_you_block_is_a_conflict(system: System) -> None:
    alice, bob = system.register(), system.register()
    system.client.put(f"/v1/users/{bob.user_id}/block", headers=alice.auth)
    response = system.client.put(f"/v1/users/{bob.user_id}/follow", headers=alice.auth)
    assert response.status_code == 409
    assert "unblock" in response.json()["detail"]


def test_a_retried_follow_with_the_same_idempotency_key_replays_the_first_answer(system: System) -> None:
    fan, creator = system.register(), system.register()
    headers = {**fan.auth, "Idempotency-Key": "follow-1"}
    first = system.client.put(f"/v1/users/{creator.user_id}/follow", headers=headers)
    system.client.delete(f"/v1/users/{creator.user_id}/follow", headers=fan.auth)
    retried = system.client.put(f"/v1/users/{creator.user_id}/follow", headers=headers)
    assert retried.json() == first.json()
    assert retried.headers["idempotent-replayed"] == "true"
    assert [type(e).__name__ for e in graph(system, fan.user_id)] == ["UserFollowed", "UserUnfollowed"]


def test_social_routes_need_a_signed_in_user_and_a_well_formed_id(system: System) -> None:
    me = system.register()
    assert system.client.put(f"/v1/users/{me.user_id}/follow").status_code == 401
    assert system.client.put("/v1/users/not-an-id/follow", headers=me.auth).status_code == 422
    assert system.client.put("/v1/users/not-an-id/block", headers=me.auth).status_code == 422
