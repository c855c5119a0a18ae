"""The Following feed through the real routes: follow and publish with commands, project, then page."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from commands import streams
from domain.access import Visibility
from domain.videos.events import VideoPublished
from eventstore.envelope import Metadata, StreamState
from eventstore.ids import uuid7
from projections.models.following_feed import PROJECTOR
from tests.integration.api.harness import System, User

URL = "/v1/feed/following"


class Feeds:
    """The harness's write side and read side, with the steps these tests repeat."""

    def __init__(self, tmp: Path) -> None:
        self.system = System.with_read_side(tmp)
        self.client = self.system.client

    def project(self) -> None:
        self.system.project(PROJECTOR)

    def follow(self, who: User, whom: User) -> int:
        response = self.client.put(f"/v1/users/{whom.user_id}/follow", headers=who.auth)
        assert response.status_code == 200, response.text
        position: int = response.json()["position"]
        return position

    def published_days_ago(self, owner: User, days: int) -> str:
        """A video whose publication the log dates ``days`` back (the feed files it by that time)."""
        video_id = str(uuid7())
        event = VideoPublished(video_id, owner.user_id, "old clip", [], "public", True)
        moment = (datetime.now(UTC) - timedelta(days=days)).isoformat()
        encoded = self.system.ports.codec.encode(event, Metadata(occurred_at=moment))
        self.system.store.append(streams.video(video_id), [encoded], StreamState.ANY)
        return video_id

    def page(self, user: User, **params: Any) -> Any:
        response = self.client.get(URL, params=params, headers=user.auth)
        assert response.status_code == 200, response.text
        return response.json()

    def all_pages(self, user: User, limit: int) -> list[str]:
        ids: list[str] = []
        cursor: str | None = None
        while True:
            page = self.page(user, limit=limit, **({"cursor": cursor} if cursor else {}))
            assert len(page["items"]) <= limit
            ids += [item["video_id"] for item in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                return ids

    def close(self) -> None:
        self.system.close()


@pytest.fixture
def feeds(tmp_path: Path) -> Iterator[Feeds]:
    f = Feeds(tmp_path)
    yield f
    f.close()


def test_the_feed_pages_newest_first_across_pages_and_weeks(feeds: Feeds) -> None:
    # Given Bob following Ann and Cat, who published today and in earlier weeks
    ann, bob, cat = (feeds.system.register(h) for h in ("ann", "bob", "cat"))
    feeds.follow(bob, ann)
    feeds.follow(bob, cat)
    old = [
        feeds.published_days_ago(ann, 30),
        feeds.published_days_ago(cat, 15),
        feeds.published_days_ago(ann, 8),
    ]
    new = [feeds.system.published_video(ann), feeds.system.published_video(cat)]
    private = feeds.system.published_video(cat, visibility=Visibility.PRIVATE)
    feeds.project()
    # When Bob reads his feed two at a time
    ids = feeds.all_pages(bob, limit=2)
    # Then he gets everything but the private video, newest first, each once
    assert ids == [*reversed(new), *reversed(old)]
    assert private not in ids
    first = feeds.page(bob, limit=1)["items"][0]
    assert first == {
        "labels": [],
        "video_id": new[1],
        "owner_id": cat.user_id,
        "published_at": first["published_at"],
        "visibility": "public",
        "hashtags": ["demo"],  # from the caption
    }


def test_min_position_waits_for_the_follow_to_reach_the_feed(feeds: Feeds) -> None:
    ann, bob = feeds.system.register("ann"), feeds.system.register("bob")
    video = feeds.system.published_video(ann)
    feeds.project()
    position = feeds.follow(bob, ann)
    late = feeds.client.get(URL, params={"min_position": position}, headers=bob.auth)
    assert late.status_code == 503
    assert late.headers["Retry-After"] == "1"
    feeds.project()
    assert [i["video_id"] for i in feeds.page(bob, min_position=position)["items"]] == [video]


def test_a_block_through_the_api_empties_both_feeds(feeds: Feeds) -> None:
    ann, bob = feeds.system.register("ann"), feeds.system.register("bob")
    feeds.follow(ann, bob)
    feeds.follow(bob, ann)
    feeds.system.published_video(ann)
    feeds.system.published_video(bob)
    feeds.project()
    assert len(feeds.page(ann)["items"]) == len(feeds.page(bob)["items"]) == 1
    blocked = feeds.client.put(f"/v1/users/{bob.user_id}/block", headers=ann.auth)
    assert blocked.status_code == 200, blocked.text
    feeds.project()
    assert feeds.page(ann)["items"] == feeds.page(bob)["items"] == []


def test_the_feed_needs_a_signed_in_user(feeds: Feeds) -> None:
    response = feeds.client.get(URL)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("limit", [0, 101, "many"])
def test_a_bad_limit_is_refused(feeds: Feeds, limit: object) -> None:
    bob = feeds.system.register("bob")
    response = feeds.client.get(URL, params={"limit": limit}, headers=bob.auth)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("cursor", ["not-a-cursor", "WzEsMiwzXQ", "W1tdLDEsInYiXQ", "WzEsIDFlMzAsICJ2Il0"])
def test_a_cursor_this_feed_did_not_hand_out_is_refused(feeds: Feeds, cursor: str) -> None:
    bob = feeds.system.register("bob")
    feeds.project()
    response = feeds.client.get(URL, params={"cursor": cursor}, headers=bob.auth)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
