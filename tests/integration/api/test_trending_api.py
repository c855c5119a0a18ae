"""Trending through the real routes: publish and like with commands, run the projector, read the lists."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from domain.access import Visibility
from projections.models.trending import PROJECTOR
from read_models.trending import RANK_STEPS
from tests.integration.api.harness import System, User


@pytest.fixture
def system(tmp_path: Path) -> Iterator[System]:
    s = System.with_read_side(tmp_path)
    yield s
    s.close()


def like(system: System, video_id: str, times: int) -> None:
    for _ in range(times):
        response = system.client.put(f"/v1/videos/{video_id}/like", headers=system.anonymous_user().auth)
        assert response.status_code == 200, response.text


def get(system: System, path: str, **params: Any) -> Any:
    response = system.client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def ids(page: dict[str, Any]) -> list[str]:
    return [item["video_id"] for item in page["items"]]


def liked_videos(system: System, owner: User, counts: list[int], caption: str = "a clip #demo") -> list[str]:
    videos = [system.published_video(owner, caption=caption) for _ in counts]
    for video_id, n in zip(videos, counts, strict=True):
        like(system, video_id, n)
    return videos


def test_anyone_sees_the_most_liked_public_videos_first(system: System) -> None:
    # Given three public videos liked once, three and twice, and a private one its owner liked
    owner = system.anonymous_user()
    v1, v2, v3 = liked_videos(system, owner, [1, 3, 2])
    hidden = system.published_video(owner, visibility=Visibility.PRIVATE)
    assert system.client.put(f"/v1/videos/{hidden}/like", headers=owner.auth).status_code == 200
    # When projected and read anonymously
    system.project(PROJECTOR)
    page = get(system, "/v1/trending")
    # Then
    assert ids(page) == [v2, v3, v1]
    assert page["next_cursor"] is None
    scores = [item["score"] for item in page["items"]]
    assert scores == pytest.approx([9.0, 6.0, 3.0], rel=2 / RANK_STEPS)  # a page shows the rank's score
    assert page["items"][0]["owner_id"] == owner.user_id
    assert page["items"][0]["hashtags"] == ["demo"]


def test_pages_follow_the_cursor_to_the_end(system: System) -> None:
    owner = system.anonymous_user()
    videos = liked_videos(system, owner, [1, 2, 3, 4, 5])
    system.project(PROJECTOR)
    seen: list[str] = []
    cursor: str | None = None
    while True:
        page = get(system, "/v1/trending", limit=2, **({"cursor": cursor} if cursor else {}))
        assert len(page["items"]) <= 2
        seen += ids(page)
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(videos))


def test_a_hashtag_lists_only_its_videos_however_the_tag_is_written(system: System) -> None:
    owner = system.anonymous_user()
    (cats,) = liked_videos(system, owner, [1], caption="#cats at play")
    (dogs,) = liked_videos(system, owner, [2], caption="#dogs #Pets")
    system.project(PROJECTOR)
    assert ids(get(system, "/v1/trending/hashtags/cats")) == [cats]
    assert ids(get(system, "/v1/trending/hashtags/PETS")) == [dogs]
    assert ids(get(system, "/v1/trending/hashtags/%23dogs")) == [dogs]
    assert ids(get(system, "/v1/trending/hashtags/birds")) == []
    assert ids(get(system, "/v1/trending")) == [dogs, cats]


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/v1/trending/hashtags/no%20spaces", {}, 422),
        ("/v1/trending/hashtags/caf%C3%A9", {}, 422),
        ("/v1/trending/hashtags/" + "a" * 51, {}, 422),
        ("/v1/trending", {"limit": 0}, 422),
        ("/v1/trending", {"limit": 101}, 422),
        ("/v1/trending/hashtags/cats", {"limit": "many"}, 422),
        ("/v1/trending", {"cursor": "not-a-cursor"}, 400),
    ],
    ids=["space", "accent", "too-long", "limit-0", "limit-101", "limit-text", "cursor"],
)
def test_bad_tags_limits_and_cursors_are_refused_as_problems(
    system: System, path: str, params: dict[str, Any], status: int
) -> None:
    system.project(PROJECTOR)
    response = system.client.get(path, params=params)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"


def test_a_cursor_from_the_overall_list_is_refused_by_a_hashtag(system: System) -> None:
    owner = system.anonymous_user()
    liked_videos(system, owner, [1, 2])
    system.project(PROJECTOR)
    cursor = get(system, "/v1/trending", limit=1)["next_cursor"]
    response = system.client.get("/v1/trending/hashtags/demo", params={"cursor": cursor})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"


def test_before_the_projector_first_ran_the_list_is_unavailable(system: System) -> None:
    response = system.client.get("/v1/trending")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
