"""The personalised For You feed goes on while there is anything the person has not seen lately: past
the candidate pools, across scrolls, and across turning personalisation on; and when it does end, it
says whether that is because they saw everything or because there is nothing to see."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.recommending import FRESH_POOL
from projections.models import (
    following_feed,
    fresh_videos,
    profiles,
    recommendations,
    trending,
    video_details,
)
from tests.integration.api.harness import System, User

PAGE = 10
_signals = itertools.count()


class Feed:
    def __init__(self, tmp: Path) -> None:
        self.system = System.with_read_side(tmp)
        self.viewer = self.system.register("viewer")

    def publish(self, n: int, creators: int = 4) -> list[str]:
        makers = [self.system.register() for _ in range(creators)]
        return [self.system.published_video(makers[i % creators], caption=f"clip {i}") for i in range(n)]

    def project(self) -> None:
        self.system.project(
            video_details.PROJECTOR,
            profiles.PROJECTOR,
            trending.PROJECTOR,
            following_feed.PROJECTOR,
            fresh_videos.PROJECTOR,
            recommendations.PROJECTOR,
        )

    def act(self, method: str, path: str, **body: Any) -> None:
        response = self.system.client.request(method, path, json=body or None, headers=self.viewer.auth)
        assert response.status_code < 300, response.text

    def consent(self) -> None:
        self.act("PUT", "/v1/me/consent", personalisation=True)

    def watch(self, *video_ids: str) -> None:
        signals = [
            {"client_event_id": f"v{next(_signals)}", "video_id": v, "kind": "view_start"} for v in video_ids
        ]
        self.act("POST", "/v1/activity", signals=signals)

    def page(self, cursor: str | None = None, user: User | None = None) -> dict[str, Any]:
        params = {"limit": PAGE} | ({"cursor": cursor} if cursor else {})
        response = self.system.client.get(
            "/v1/feed/for-you", params=params, headers=(user or self.viewer).auth
        )
        assert response.status_code == 200, response.text
        self.project()
        page: dict[str, Any] = response.json()
        return page

    def scroll(self, *, watching: bool = False, pages: int = 100) -> list[str]:
        """Every video a scroll from the top serves, page after page until the feed ends."""
        served: list[str] = []
        cursor: str | None = None
        for _ in range(pages):
            page = self.page(cursor)
            assert page["personalised"] is True
            ids = [i["video_id"] for i in page["items"]]
            served += ids
            if watching and ids:
                self.watch(*ids)
                self.project()
            cursor = page["next_cursor"]
            if cursor is None:
                return served
        raise AssertionError(f"the feed did not end after {pages} pages")


@pytest.fixture
def feed(tmp_path: Path) -> Iterator[Feed]:
    f = Feed(tmp_path)
    yield f
    f.system.close()


def test_a_scroll_goes_past_the_candidate_pools_to_every_video_not_seen(feed: Feed) -> None:
    # Given more recent videos than the fresh pool holds, and a consenting viewer
    videos = feed.publish(FRESH_POOL + 25)
    feed.consent()
    feed.project()
    # When they scroll until the feed ends
    served = feed.scroll()
    # Then they were offered every one of them, each once
    assert len(served) == len(set(served))
    assert set(served) == set(videos)


def test_a_new_scroll_offers_again_what_was_served_but_not_watched(feed: Feed) -> None:
    videos = feed.publish(2 * PAGE)
    feed.consent()
    feed.project()
    first = feed.page()
    feed.watch(*(i["video_id"] for i in first["items"][:2]))
    feed.project()

    again = feed.page()

    watched = {i["video_id"] for i in first["items"][:2]}
    offered = {i["video_id"] for i in again["items"]}
    assert len(offered) == PAGE
    assert not offered & watched
    assert offered & {i["video_id"] for i in first["items"][2:]}
    assert again["next_cursor"] is not None
    assert offered <= set(videos)


def test_once_everything_was_watched_the_feed_ends_and_says_the_viewer_is_caught_up(feed: Feed) -> None:
    videos = feed.publish(PAGE + 3)
    feed.consent()
    feed.project()
    assert set(feed.scroll(watching=True)) == set(videos)

    page = feed.page()

    assert page["items"] == []
    assert page["next_cursor"] is None
    assert page["caught_up"] is True


def test_with_nothing_published_the_feed_is_empty_and_not_caught_up(feed: Feed) -> None:
    feed.consent()
    feed.project()
    page = feed.page()
    assert (page["items"], page["next_cursor"], page["caught_up"]) == ([], None, False)


def test_a_video_watched_and_liked_before_consenting_is_not_offered_after(feed: Feed) -> None:
    # Given a video the viewer watched and liked (trending: the strongest candidate there is)
    liked, *others = feed.publish(2 * PAGE)
    feed.project()
    feed.watch(liked)
    feed.act("PUT", f"/v1/videos/{liked}/like")
    # When they turn personalisation on
    feed.consent()
    feed.project()
    # Then no page of their feed offers it again
    served = feed.scroll()
    assert liked not in served
    assert set(served) == set(others)


def test_a_scroll_never_offers_the_viewers_own_videos_or_a_blocked_creators(feed: Feed) -> None:
    # Given more videos than the fresh pool, the newest of them the viewer's own or a blocked creator's
    rude = feed.system.register("rude")
    feed.publish(FRESH_POOL + 5)
    mine = [feed.system.published_video(feed.viewer) for _ in range(3)]
    theirs = [feed.system.published_video(rude) for _ in range(3)]
    feed.act("PUT", f"/v1/users/{rude.user_id}/block")
    feed.consent()
    feed.project()
    served = feed.scroll()
    assert len(served) == FRESH_POOL + 5
    assert not set(served) & {*mine, *theirs}
