"""Every read route × every kind of viewer × every state a video can be in: only those the access
policy admits see it, and everyone else reads it as absent (404), never a hint that it exists.

The write-side matrix is ``test_authorization_matrix``; this one proves the reads. One world holds a
creator's videos in each state, each with a comment, and viewers in each relation to the creator.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from domain.access import Visibility
from domain.actors import Role
from media import signing
from projections.registry import ALL
from tests.integration.api.harness import User
from tests.integration.api.media_world import FAR, KEY, World

VIEWERS = ("anonymous", "owner", "follower", "stranger", "blocked", "moderator", "auditor", "admin")
STATES = ("public", "followers", "private", "hidden", "deleted", "draft", "scheduled")
#: States whose video has no comments: nobody may comment before it is published.
UNCOMMENTED = frozenset({"draft", "scheduled"})
EVERYONE = frozenset(VIEWERS) - {"blocked"}
#: Who may see a video in each state; the rest read it as absent.
SEES: dict[str, frozenset[str]] = {
    "public": EVERYONE,
    "followers": frozenset({"owner", "follower"}),
    "private": frozenset({"owner"}),
    "hidden": frozenset({"owner", "moderator", "admin"}),
    "deleted": frozenset(),
    "draft": frozenset({"owner"}),
    "scheduled": frozenset({"owner"}),  # publishing is set for tomorrow: until then it is a draft
}
#: States whose video stays in the creator's list of videos (hidden ones leave every list).
LISTED = frozenset({"public", "followers", "private"})


class Matrix:
    def __init__(self, tmp: Path) -> None:
        self.world = World(tmp)
        self.system = self.world.system
        owner = self.system.register()
        self.viewers: dict[str, User | None] = {
            "anonymous": None,
            "owner": owner,
            "follower": self.system.register(),
            "stranger": self.system.register(),
            "blocked": self.system.register(),
            "moderator": self.system.register(role=Role.MODERATOR),
            "auditor": self.system.register(role=Role.AUDITOR),
            "admin": self.system.register(role=Role.ADMIN),
        }
        self.act("PUT", f"/v1/users/{owner.user_id}/follow", self.user("follower"))
        self.act("PUT", f"/v1/users/{self.user('blocked').user_id}/block", owner)
        self.comments: dict[str, str] = {}
        self.videos = {state: self._video_in(state) for state in STATES}
        self.act("PUT", f"/v1/videos/{self.videos['public']}/like", self.user("stranger"))  # so it trends
        self.system.project(*ALL)

    def user(self, name: str) -> User:
        user = self.viewers[name]
        assert user is not None
        return user

    def act(self, method: str, path: str, user: User, **body: Any) -> Any:
        response = self.system.client.request(method, path, headers=user.auth, json=body or None)
        assert response.status_code in (200, 201, 202), response.text
        return response.json()

    def _video_in(self, state: str) -> str:
        owner = self.user("owner")
        video_id = self.world.processed(owner)
        if state in UNCOMMENTED:
            if state == "scheduled":
                tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()
                self.act("POST", f"/v1/videos/{video_id}/publish", owner, caption="soon", publish_at=tomorrow)
            self._stock(video_id)
            return video_id
        visibility = {"followers": Visibility.FOLLOWERS, "private": Visibility.PRIVATE}.get(state, "public")
        self.act("POST", f"/v1/videos/{video_id}/publish", owner, caption="clip", visibility=visibility)
        posted = self.act("POST", f"/v1/videos/{video_id}/comments", owner, text="first")
        self.comments[state] = posted["comment_id"]
        if state == "hidden":
            self.act("POST", f"/v1/videos/{video_id}/hide", self.user("moderator"), reason="spam")
        if state == "deleted":
            self.act("DELETE", f"/v1/videos/{video_id}", owner)
        self._stock(video_id)
        return video_id

    def _stock(self, video_id: str) -> None:
        self.system.project(*ALL)
        self.world.stock(video_id)

    def get(self, path: str, viewer: str) -> httpx.Response:
        user = self.viewers[viewer]
        response: httpx.Response = self.system.client.get(path, headers=user.auth if user else {})
        return response

    def master(self, video_id: str) -> str:
        """The master playlist's path below ``videos/<id>/``."""
        return self.world.folder(video_id).removeprefix(f"videos/{video_id}/") + "/master.m3u8"


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matrix]:
    m = Matrix(tmp_path_factory.mktemp("read-matrix"))
    yield m
    m.world.close()


CASES = [(state, viewer) for state in STATES for viewer in VIEWERS]


def expected(state: str, viewer: str, allowed: int = 200) -> int:
    return allowed if viewer in SEES[state] else 404


@pytest.mark.parametrize(("state", "viewer"), CASES)
def test_a_video_card_is_seen_only_by_those_the_policy_admits(
    matrix: Matrix, state: str, viewer: str
) -> None:
    response = matrix.get(f"/v1/videos/{matrix.videos[state]}", viewer)
    assert response.status_code == expected(state, viewer), response.text


@pytest.mark.parametrize(("state", "viewer"), CASES)
def test_a_videos_comments_are_read_only_by_those_who_see_the_video(
    matrix: Matrix, state: str, viewer: str
) -> None:
    response = matrix.get(f"/v1/videos/{matrix.videos[state]}/comments", viewer)
    assert response.status_code == expected(state, viewer), response.text
    if response.status_code == 404:
        assert "first" not in response.text


@pytest.mark.parametrize(("state", "viewer"), [(s, v) for s, v in CASES if s not in UNCOMMENTED])
def test_replies_are_read_only_by_those_who_see_the_video(matrix: Matrix, state: str, viewer: str) -> None:
    response = matrix.get(f"/v1/comments/{matrix.comments[state]}/replies", viewer)
    assert response.status_code == expected(state, viewer), response.text


@pytest.mark.parametrize(("state", "viewer"), CASES)
def test_a_videos_totals_are_read_only_by_those_who_see_it(matrix: Matrix, state: str, viewer: str) -> None:
    response = matrix.get(f"/v1/videos/{matrix.videos[state]}/stats", viewer)
    assert response.status_code == expected(state, viewer), response.text


@pytest.mark.parametrize(("state", "viewer"), CASES)
def test_the_public_media_path_serves_public_videos_only(matrix: Matrix, state: str, viewer: str) -> None:
    """No credentials on this path: it is what any shared cache may hold, the same for everyone."""
    video_id = matrix.videos[state]
    response = matrix.get(f"/v1/media/videos/{video_id}/{matrix.master(video_id)}", viewer)
    assert response.status_code == (200 if state == "public" else 404)


@pytest.mark.parametrize(("state", "viewer"), [(s, v) for s, v in CASES if v != "anonymous"])
def test_a_signed_link_plays_only_for_those_who_see_the_video(
    matrix: Matrix, state: str, viewer: str
) -> None:
    """Even a valid link made for the viewer plays only while the policy admits them."""
    video_id = matrix.videos[state]
    token = signing.sign(video_id, matrix.user(viewer).user_id, FAR, KEY)
    response = matrix.get(f"/v1/media/s/{token}/videos/{video_id}/{matrix.master(video_id)}", viewer)
    assert response.status_code == expected(state, viewer), response.text


@pytest.mark.parametrize("viewer", VIEWERS)
def test_a_creators_list_of_videos_shows_each_viewer_what_they_may_see(matrix: Matrix, viewer: str) -> None:
    response = matrix.get(f"/v1/users/{matrix.user('owner').user_id}/videos?limit=100", viewer)
    if viewer == "blocked":
        assert response.status_code == 404
        return
    shown = {item["video_id"] for item in response.json()["items"]}
    assert shown == {matrix.videos[s] for s in LISTED if viewer in SEES[s]}


@pytest.mark.parametrize("viewer", VIEWERS)
def test_a_profile_and_its_lists_are_absent_to_whom_its_holder_blocked(matrix: Matrix, viewer: str) -> None:
    owner_id = matrix.user("owner").user_id
    for path in ("", "/followers", "/following"):
        response = matrix.get(f"/v1/users/{owner_id}{path}", viewer)
        assert response.status_code == (404 if viewer == "blocked" else 200), path


@pytest.mark.parametrize("viewer", [v for v in VIEWERS if v != "anonymous"])
def test_the_following_feed_holds_only_what_the_viewer_may_see(matrix: Matrix, viewer: str) -> None:
    response = matrix.get("/v1/feed/following?limit=100", viewer)
    shown = {item["video_id"] for item in response.json()["items"]} & set(matrix.videos.values())
    follows = viewer == "follower"
    assert shown == ({matrix.videos["public"], matrix.videos["followers"]} if follows else set())


@pytest.mark.parametrize("viewer", VIEWERS)
def test_for_you_never_offers_what_the_viewer_may_not_see(matrix: Matrix, viewer: str) -> None:
    response = matrix.get("/v1/feed/for-you?limit=50", viewer)
    assert response.status_code == 200, response.text
    shown = {item["video_id"] for item in response.json()["items"]}
    assert shown <= {matrix.videos[s] for s in STATES if viewer in SEES[s]}


@pytest.mark.parametrize("viewer", VIEWERS)
def test_trending_lists_public_videos_only_and_none_across_a_block(matrix: Matrix, viewer: str) -> None:
    response = matrix.get("/v1/trending?limit=100", viewer)
    shown = {item["video_id"] for item in response.json()["items"]} & set(matrix.videos.values())
    assert shown == ({matrix.videos["public"]} if viewer in SEES["public"] else set())
