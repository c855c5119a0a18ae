"""The non-personalised For You feed through the real route: trending first, then the newest public
videos, page after page, without the creators a viewer blocked or who blocked the viewer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from domain.access import Visibility
from projections.models import fresh_videos, trending, video_details
from tests.integration.api.harness import System, User


@pytest.fixture
def system(tmp_path: Path) -> Iterator[System]:
    s = System.with_read_side(tmp_path)
    yield s
    s.close()


def project(system: System) -> None:
    system.project(trending.PROJECTOR, fresh_videos.PROJECTOR, video_details.PROJECTOR)


def pages(system: System, user: User | None = None, limit: int = 2) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": limit}
    while True:
        response = system.client.get("/v1/feed/for-you", params=params, headers=user.auth if user else {})
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= limit
        items += page["items"]
        if page["next_cursor"] is None:
            return items
        params["cursor"] = page["next_cursor"]


def test_trending_comes_first_then_the_newest_with_a_reason_each(system: System) -> None:
    ann, bob = system.register("ann"), system.register("bob")
    old, liked, new = (system.published_video(ann) for _ in range(3))
    system.published_video(ann, visibility=Visibility.PRIVATE)
    assert system.client.put(f"/v1/videos/{liked}/like", headers=bob.auth).status_code == 200
    project(system)

    items = pages(system)
    assert [(i["video_id"], i["source"]) for i in items] == [
        (liked, "trending"),
        (new, "fresh"),
        (liked, "fresh"),
        (old, "fresh"),
    ]
    assert {i["reason"] for i in items} == {"trending now", "new on Strom"}
    assert all(i["owner_id"] == ann.user_id for i in items)


def test_a_viewer_sees_nothing_of_creators_blocked_either_way(system: System) -> None:
    ann, bob, cat = (system.register(h) for h in ("ann", "bob", "cat"))
    by_ann, by_bob = system.published_video(ann), system.published_video(bob)
    assert system.client.put(f"/v1/users/{bob.user_id}/block", headers=ann.auth).status_code == 200
    project(system)
    assert [i["video_id"] for i in pages(system, ann)] == [by_ann]
    assert [i["video_id"] for i in pages(system, bob)] == [by_bob]
    assert {i["video_id"] for i in pages(system, cat)} == {by_ann, by_bob}


@pytest.mark.parametrize("cursor", ["x", "t.", "q.abc", "f.not-base64!"])
def test_a_cursor_it_did_not_hand_out_is_a_400(system: System, cursor: str) -> None:
    project(system)
    response = system.client.get("/v1/feed/for-you", params={"cursor": cursor})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
