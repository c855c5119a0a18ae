"""Profiles through the real routes: act with commands, run the projector, then read the pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from domain.access import Visibility
from projections.models.profiles import PROJECTOR
from tests.integration.api.harness import System, User


class Profiles:
    """The harness's write side, a read store, and an app that also mounts the profiles router."""

    def __init__(self, tmp: Path) -> None:
        self.system = System.with_read_side(tmp)
        self.read = self.system.read_store
        self.client = self.system.client

    def project(self) -> None:
        self.system.project(PROJECTOR)

    def follow(self, who: User, whom: User) -> int:
        response = self.client.put(f"/v1/users/{whom.user_id}/follow", headers=who.auth)
        assert response.status_code == 200, response.text
        position: int = response.json()["position"]
        return position

    def get(self, path: str, user: User | None = None, **params: Any) -> Any:
        response = self.client.get(path, params=params, headers=user.auth if user else {})
        assert response.status_code == 200, response.text
        return response.json()

    def all_pages(self, path: str, user: User | None = None, limit: int = 2) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"limit": limit} | ({"cursor": cursor} if cursor else {})
            page = self.get(path, user, **params)
            assert len(page["items"]) <= limit
            items += page["items"]
            cursor = page["next_cursor"]
            if cursor is None:
                return items

    def close(self) -> None:
        self.system.close()


@pytest.fixture
def world(tmp_path: Path) -> Iterator[Profiles]:
    w = Profiles(tmp_path)
    yield w
    w.close()


def test_a_profile_shows_its_totals_and_lists_page_by_page(world: Profiles) -> None:
    ann = world.system.register("ann")
    fans = [world.system.register(f"fan{i}") for i in range(5)]
    for fan in fans:
        world.follow(fan, ann)
    world.follow(ann, fans[0])
    public = [world.system.published_video(ann) for _ in range(2)]
    private = world.system.published_video(ann, visibility=Visibility.PRIVATE)
    like = world.client.put(f"/v1/videos/{public[0]}/like", headers=fans[1].auth)
    assert like.status_code == 200, like.text
    world.project()

    card = world.get(f"/v1/users/{ann.user_id}")
    assert card["handle"] == "ann"
    assert card["display_name"] == "Ann"
    assert card["erased"] is False
    assert (card["followers"], card["following"], card["videos"], card["likes_received"]) == (5, 1, 2, 1)
    assert world.get(f"/v1/users/{ann.user_id}", ann)["videos"] == 3  # her private one too

    followers = world.all_pages(f"/v1/users/{ann.user_id}/followers")
    assert sorted(f["user_id"] for f in followers) == sorted(f.user_id for f in fans)
    assert [f["user_id"] for f in world.all_pages(f"/v1/users/{fans[0].user_id}/following")] == [ann.user_id]

    to_others = world.all_pages(f"/v1/users/{ann.user_id}/videos", fans[0], limit=1)
    assert sorted(v["video_id"] for v in to_others) == sorted(public)
    to_owner = world.all_pages(f"/v1/users/{ann.user_id}/videos", ann, limit=1)
    assert sorted(v["video_id"] for v in to_owner) == sorted([*public, private])
    anonymous = world.get(f"/v1/users/{ann.user_id}/videos")
    assert sorted(v["video_id"] for v in anonymous["items"]) == sorted(public)


def test_a_block_through_the_api_ends_the_follows(world: Profiles) -> None:
    ann, bob = world.system.register("ann"), world.system.register("bob")
    world.follow(bob, ann)
    world.follow(ann, bob)
    blocked = world.client.put(f"/v1/users/{bob.user_id}/block", headers=ann.auth)
    assert blocked.status_code == 200, blocked.text
    world.project()
    for user in (ann, bob):
        assert world.get(f"/v1/users/{user.user_id}/followers")["items"] == []
        card = world.get(f"/v1/users/{user.user_id}")
        assert (card["followers"], card["following"]) == (0, 0)


def test_the_profile_says_whether_the_caller_follows_it(world: Profiles) -> None:
    """The client's Follow button reads this: it must differ per viewer, never be cached across them."""
    ann, bob, cat = (world.system.register(name) for name in ("ann", "bob", "cat"))
    world.follow(bob, ann)
    world.project()
    as_follower = world.client.get(f"/v1/users/{ann.user_id}", headers=bob.auth)
    as_stranger = world.client.get(f"/v1/users/{ann.user_id}", headers=cat.auth)
    assert as_follower.json()["followed_by_me"] is True
    assert as_stranger.json()["followed_by_me"] is False
    assert world.get(f"/v1/users/{ann.user_id}")["followed_by_me"] is None
    assert as_follower.headers["ETag"] != as_stranger.headers["ETag"]
    assert as_follower.headers["Vary"] == "Authorization"

    world.client.delete(f"/v1/users/{ann.user_id}/follow", headers=bob.auth)
    world.project()
    assert world.get(f"/v1/users/{ann.user_id}", bob)["followed_by_me"] is False


def test_min_position_waits_for_the_projection(world: Profiles) -> None:
    ann, bob = world.system.register("ann"), world.system.register("bob")
    world.project()
    position = world.follow(bob, ann)
    late = world.client.get(f"/v1/users/{ann.user_id}/followers", params={"min_position": position})
    assert late.status_code == 503
    assert late.headers["Retry-After"] == "1"
    world.project()
    page = world.get(f"/v1/users/{ann.user_id}/followers", min_position=position)
    assert [f["user_id"] for f in page["items"]] == [bob.user_id]


def test_the_profile_carries_an_etag_and_answers_304_while_unchanged(world: Profiles) -> None:
    ann, bob = world.system.register("ann"), world.system.register("bob")
    world.project()
    first = world.client.get(f"/v1/users/{ann.user_id}")
    etag = first.headers["ETag"]
    again = world.client.get(f"/v1/users/{ann.user_id}", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["ETag"] == etag
    assert again.content == b""

    world.follow(bob, ann)
    world.project()
    changed = world.client.get(f"/v1/users/{ann.user_id}", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert changed.json()["followers"] == 1


def test_unknown_users_and_bad_cursors_are_refused(world: Profiles) -> None:
    ann = world.system.register("ann")
    world.project()
    missing = world.client.get("/v1/users/0190aaaa-bbbb-7ccc-8ddd-000000000099")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    bad = world.client.get(f"/v1/users/{ann.user_id}/followers", params={"cursor": "not-a-cursor"})
    assert bad.status_code == 400
    assert world.client.get(f"/v1/users/{ann.user_id}/following", params={"limit": 101}).status_code == 422


def test_a_strangers_pages_and_count_tell_nothing_of_the_videos_they_may_not_see(world: Profiles) -> None:
    """Pages used to be read from all of a user's videos and then lose what the caller may not see:
    a stranger paging one at a time got an empty page with a cursor for each private video, and the
    card counted them. Now neither the pages nor the count tells that there are any."""
    # Given ann's public video, then three private ones and a followers-only one, and a follower
    ann, stranger, fan = (world.system.register(name) for name in ("ann", "stranger", "fan"))
    world.follow(fan, ann)
    public = world.system.published_video(ann)
    private = [world.system.published_video(ann, visibility=Visibility.PRIVATE) for _ in range(3)]
    followers = world.system.published_video(ann, visibility=Visibility.FOLLOWERS)
    world.project()

    # When the stranger reads her videos a page of one at a time, and her card
    page = world.get(f"/v1/users/{ann.user_id}/videos", stranger, limit=1)

    # Then the one page holds the public video and ends the list; the card counts that one alone
    assert ([v["video_id"] for v in page["items"]], page["next_cursor"]) == ([public], None)
    assert world.get(f"/v1/users/{ann.user_id}", stranger)["videos"] == 1
    # And her follower sees the followers-only one too, newest first, on full pages
    seen = world.get(f"/v1/users/{ann.user_id}/videos", fan, limit=1)
    assert [v["video_id"] for v in seen["items"]] == [followers]
    rest = world.get(f"/v1/users/{ann.user_id}/videos", fan, limit=1, cursor=seen["next_cursor"])
    assert ([v["video_id"] for v in rest["items"]], rest["next_cursor"]) == ([public], None)
    assert world.get(f"/v1/users/{ann.user_id}", fan)["videos"] == 2
    # And she sees all five
    mine = world.all_pages(f"/v1/users/{ann.user_id}/videos", ann, limit=2)
    assert sorted(v["video_id"] for v in mine) == sorted([public, *private, followers])


def test_the_likes_a_profile_shows_are_those_on_videos_the_caller_may_see(world: Profiles) -> None:
    """Summing the likes of the videos one may see and comparing with the card's total told that
    hidden videos exist and were liked."""
    # Given ann's public video liked once, and her followers-only video liked by her follower
    ann, stranger, fan = (world.system.register(name) for name in ("ann", "stranger", "fan"))
    world.follow(fan, ann)
    public = world.system.published_video(ann)
    followers = world.system.published_video(ann, visibility=Visibility.FOLLOWERS)
    for video, who in ((public, stranger), (followers, fan)):
        liked = world.client.put(f"/v1/videos/{video}/like", headers=who.auth)
        assert liked.status_code == 200, liked.text
    world.project()
    # When each reads her card, Then each is told of the likes on what they may see
    told = {who: world.get(f"/v1/users/{ann.user_id}", user)["likes_received"] for who, user in
            (("stranger", stranger), ("fan", fan), ("ann", ann))}  # fmt: skip
    assert told == {"stranger": 1, "fan": 2, "ann": 2}
    assert world.get(f"/v1/users/{ann.user_id}")["likes_received"] == 1  # anonymous
