"""Discovery through the real routes: search, hashtag pages, Discover and profiles by handle, with
privacy, blocks, suspensions and erasure honoured."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from domain.access import Visibility
from domain.actors import Role
from projections.models import fresh_videos, moderation_standing, search, trending
from tests.integration.api.harness import System, User

PROJECTORS = (search.PROJECTOR, moderation_standing.PROJECTOR, trending.PROJECTOR, fresh_videos.PROJECTOR)


class Discovery:
    def __init__(self, tmp: Path) -> None:
        self.system = System.with_read_side(tmp)
        self.client = self.system.client

    def project(self) -> None:
        self.system.project(*PROJECTORS)

    def act(self, method: str, path: str, user: User, **body: Any) -> Any:
        response = self.client.request(method, path, headers=user.auth, json=body or None)
        assert response.status_code in (200, 201, 202), response.text
        return response.json()

    def get(self, path: str, user: User | None = None, **params: Any) -> Any:
        response = self.client.get(path, params=params, headers=user.auth if user else {})
        assert response.status_code == 200, response.text
        return response.json()

    def creators(self, q: str, user: User | None = None) -> list[str]:
        return [c["handle"] for c in self.get("/v1/search", user, q=q, kind="creators")["creators"]]

    def videos(self, q: str, user: User | None = None) -> list[str]:
        return [v["video_id"] for v in self.get("/v1/search", user, q=q, kind="videos")["videos"]]

    def hashtags(self, q: str, user: User | None = None) -> list[str]:
        return [h["hashtag"] for h in self.get("/v1/search", user, q=q, kind="hashtags")["hashtags"]]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[Discovery]:
    w = Discovery(tmp_path)
    yield w
    w.system.close()


def test_search_finds_creators_hashtags_and_captions_by_prefix(world: Discovery) -> None:
    # Given mira with a public video and a private one
    mira = world.system.register("mira_k")
    world.act("PUT", "/v1/me/profile", mira, display_name="Míra Kovač", bio="", avatar_url=None)
    public = world.system.published_video(mira, caption="Sunset dancing #beachlife")
    world.system.published_video(mira, caption="secret diary #beachsecret", visibility=Visibility.PRIVATE)
    world.project()
    # Then she is found by handle and name prefixes, whatever the case and accents
    assert world.creators("mir") == ["mira_k"]
    assert world.creators("KOVA") == ["mira_k"]
    assert world.creators("mira kov") == ["mira_k"]
    assert world.creators("mira zzz") == []
    # And her public video by its hashtag and caption words, never the private one
    assert world.hashtags("#beach") == ["beachlife"]
    assert world.videos("danc") == [public]
    assert world.videos("sunset danc") == [public]
    assert world.videos("secret") == []
    # And the hashtag's page lists it
    page = world.get("/v1/hashtags/BeachLife")
    assert (page["hashtag"], [v["video_id"] for v in page["items"]]) == ("beachlife", [public])
    assert world.get("/v1/hashtags/beachsecret")["items"] == []
    # And /@handle finds her profile, in any case
    profile = world.get("/v1/users/by-handle/@MIRA_K")
    assert (profile["user_id"], profile["handle"]) == (mira.user_id, "mira_k")


def test_a_block_either_way_hides_the_creator_and_their_videos(world: Discovery) -> None:
    mira, bob, cat = (world.system.register(h) for h in ("mira", "bob", "cat"))
    world.system.published_video(mira, caption="Sunset #golden")
    # When mira blocks bob
    world.act("PUT", f"/v1/users/{bob.user_id}/block", mira)
    world.project()
    # Then bob finds neither her nor her videos nor her hashtag; cat still does
    assert world.creators("mir", bob) == []
    assert world.videos("sunset", bob) == []
    assert world.hashtags("gold", bob) == []
    assert world.get("/v1/hashtags/golden", bob)["items"] == []
    assert world.creators("mir", cat) == ["mira"]
    assert len(world.videos("sunset", cat)) == 1
    # And mira does not find bob either
    assert world.creators("bob", mira) == []


def test_a_suspended_creator_is_not_found(world: Discovery) -> None:
    mira = world.system.register("mira")
    moderator = world.system.register("modo", role=Role.MODERATOR)
    world.system.published_video(mira, caption="Sunset #golden")
    world.act("POST", f"/v1/moderation/users/{mira.user_id}/suspend", moderator, reason="spam ring")
    world.project()
    assert world.creators("mir") == []
    assert world.videos("sunset") == []
    assert world.hashtags("golden") == []


def test_an_erased_person_is_no_longer_found_nor_their_handle(world: Discovery) -> None:
    # Given mira with a public video, found
    mira = world.system.register("mira")
    world.system.published_video(mira, caption="Sunset #golden")
    world.project()
    assert world.creators("mira") == ["mira"]
    # When she erases her account
    world.act("DELETE", "/v1/me", mira)
    world.project()
    # Then nothing of hers is found and /@mira is unknown
    assert world.creators("mira") == []
    assert world.videos("sunset") == []
    assert world.hashtags("golden") == []
    assert world.client.get("/v1/users/by-handle/mira").status_code == 404


def test_discover_lists_trending_hashtags_and_creators(world: Discovery) -> None:
    mira, bob = world.system.register("mira"), world.system.register("bob")
    video = world.system.published_video(mira, caption="Sunset #golden")
    world.act("PUT", f"/v1/videos/{video}/like", bob)
    world.project()
    found = world.get("/v1/discover")
    assert "golden" in [h["hashtag"] for h in found["hashtags"]]
    assert "mira" in [c["handle"] for c in found["creators"]]
    trending_page = world.get("/v1/hashtags/golden", sort="trending")
    assert [v["video_id"] for v in trending_page["items"]] == [video]


@pytest.mark.parametrize("q", ["", "   ", "x" * 101])
def test_a_query_empty_or_too_long_is_refused_as_a_problem(world: Discovery, q: str) -> None:
    response = world.client.get("/v1/search", params={"q": q})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


def test_bad_kinds_handles_and_cursors_are_refused(world: Discovery) -> None:
    world.project()
    assert world.client.get("/v1/search", params={"q": "abc", "kind": "people"}).status_code == 422
    assert world.client.get("/v1/users/by-handle/no%20such").status_code == 422
    assert world.client.get("/v1/users/by-handle/nobody").status_code == 404
    bad = world.client.get("/v1/search", params={"q": "abc", "kind": "hashtags", "cursor": "!!"})
    assert bad.status_code == 400
