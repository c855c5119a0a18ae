"""A suspended person's profile and content, route by route and viewer by viewer: withheld from
everyone but them and moderators while the suspension is in force, and all of it back once lifted.

Beside ``test_read_authorization_matrix`` (a video's states × viewers): here the owner's state is the
one that varies. The profile still answers (marked ``suspended``, their own words withheld); their
videos read as absent on every read route, both media paths and every feed; the comments they wrote
under other people's videos stay in the thread as withheld.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from domain.access import Visibility
from domain.actors import Role
from projections.registry import ALL
from tests.integration.api.harness import User
from tests.integration.api.media_world import World

VIEWERS = ("anonymous", "owner", "follower", "stranger", "moderator")
#: Who still sees a suspended person's content.
SEE_THROUGH = frozenset({"owner", "moderator"})


class Suspension:
    """An owner with a public and a followers-only video, a comment under another creator's video
    (with a reply), a bio, followers and a video that trends; then suspended by a moderator."""

    def __init__(self, tmp: Path) -> None:
        self.world = World(tmp)
        self.system = self.world.system
        self.viewers: dict[str, User | None] = {
            "anonymous": None,
            "owner": self.system.anonymous_user(),
            "follower": self.system.anonymous_user(),
            "stranger": self.system.anonymous_user(),
            "moderator": self.system.anonymous_user(role=Role.MODERATOR),
        }
        owner, other = self.user("owner"), self.system.anonymous_user()
        self.act("PUT", "/v1/me/profile", owner, display_name="Owner", bio="my clips", avatar_url=None)
        self.act("PUT", f"/v1/users/{owner.user_id}/follow", self.user("follower"))
        self.public = self.world.video(owner)
        self.followers_only = self.world.video(owner, Visibility.FOLLOWERS)
        self.act("PUT", f"/v1/videos/{self.public}/like", self.user("stranger"))  # so it trends
        self.elsewhere = self.world.video(other)
        self.comment = self.act("POST", f"/v1/videos/{self.elsewhere}/comments", owner, text="mine")[
            "comment_id"
        ]
        reply = {"text": "a reply", "parent_id": self.comment}
        self.act("POST", f"/v1/videos/{self.elsewhere}/comments", self.user("stranger"), **reply)
        self.mine = {self.public, self.followers_only}

    def suspend(self) -> None:
        self.act(
            "POST",
            f"/v1/moderation/users/{self.user('owner').user_id}/suspend",
            self.user("moderator"),
            reason="spam ring",
        )
        self.system.project(*ALL)

    def lift(self) -> None:
        self.act(
            "POST",
            f"/v1/moderation/users/{self.user('owner').user_id}/unsuspend",
            self.user("moderator"),
            reason="ok",
        )
        self.system.project(*ALL)

    def user(self, name: str) -> User:
        user = self.viewers[name]
        assert user is not None
        return user

    def act(self, method: str, path: str, user: User, **body: Any) -> Any:
        response = self.system.client.request(method, path, headers=user.auth, json=body or None)
        assert response.status_code in (200, 201, 202), response.text
        return response.json()

    def get(self, path: str, viewer: str) -> httpx.Response:
        user = self.viewers[viewer]
        response: httpx.Response = self.system.client.get(path, headers=user.auth if user else {})
        return response

    def listed(self, path: str, viewer: str) -> set[str]:
        response = self.get(path, viewer)
        assert response.status_code == 200, response.text
        return {item["video_id"] for item in response.json()["items"]}

    def master(self, video_id: str) -> str:
        return f"/v1/media/{self.world.folder(video_id)}/master.m3u8"


@pytest.fixture(scope="module")
def suspended(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Suspension]:
    s = Suspension(tmp_path_factory.mktemp("suspended-owner"))
    s.suspend()
    yield s
    s.world.close()


def sees(viewer: str) -> bool:
    return viewer in SEE_THROUGH


@pytest.mark.parametrize("viewer", VIEWERS)
def test_their_video_its_totals_and_its_comments_read_as_absent(suspended: Suspension, viewer: str) -> None:
    for path in ("", "/stats", "/comments"):
        response = suspended.get(f"/v1/videos/{suspended.public}{path}", viewer)
        assert response.status_code == (200 if sees(viewer) else 404), path


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_public_media_path_serves_none_of_their_videos(suspended: Suspension, viewer: str) -> None:
    """What any shared cache may hold is the same for everyone: the owner plays through signed links."""
    assert suspended.get(suspended.master(suspended.public), viewer).status_code == 404


@pytest.mark.parametrize("viewer", sorted(SEE_THROUGH))
def test_they_and_moderators_still_play_it_through_signed_links(suspended: Suspension, viewer: str) -> None:
    playback = suspended.world.playback(suspended.public, suspended.user(viewer))
    assert playback["expires_at"] is not None
    assert suspended.world.get(playback["master_playlist"], suspended.user(viewer)).status_code == 200


@pytest.mark.parametrize("viewer", VIEWERS)
def test_their_profile_says_suspended_and_withholds_their_words_and_videos(
    suspended: Suspension, viewer: str
) -> None:
    owner_id = suspended.user("owner").user_id
    profile = suspended.get(f"/v1/users/{owner_id}", viewer).json()
    assert profile["suspended"] is True
    assert profile["handle"] is not None
    if sees(viewer):
        # (the video total counts what the viewer may see: a moderator, as anyone, the public one)
        videos = 2 if viewer == "owner" else 1
        assert (profile["display_name"], profile["bio"], profile["videos"]) == ("Owner", "my clips", videos)
    else:
        assert (profile["display_name"], profile["bio"], profile["avatar_url"], profile["videos"]) == (
            None,
            None,
            None,
            0,
        )
    shown = suspended.listed(f"/v1/users/{owner_id}/videos", viewer)
    # (a moderator sees what any viewer would of a user in good standing: the public one)
    expected = {"owner": suspended.mine, "moderator": {suspended.public}}.get(viewer, set())
    assert shown == expected


@pytest.mark.parametrize("viewer", VIEWERS)
def test_comments_they_wrote_elsewhere_are_withheld_and_the_replies_stay(
    suspended: Suspension, viewer: str
) -> None:
    thread = suspended.get(f"/v1/videos/{suspended.elsewhere}/comments", viewer).json()["items"]
    (theirs,) = [c for c in thread if c["comment_id"] == suspended.comment]
    if sees(viewer):
        assert (theirs["text"], theirs["withheld"]) == ("mine", False)
    else:
        assert (theirs["text"], theirs["author_id"], theirs["withheld"]) == (None, None, True)
    replies = suspended.get(f"/v1/comments/{suspended.comment}/replies", viewer).json()["items"]
    assert [r["text"] for r in replies] == ["a reply"]


@pytest.mark.parametrize("viewer", [v for v in VIEWERS if v != "anonymous"])
def test_no_feed_offers_their_videos(suspended: Suspension, viewer: str) -> None:
    for path in ("/v1/feed/following?limit=100", "/v1/feed/for-you?limit=50", "/v1/trending?limit=100"):
        assert suspended.listed(path, viewer) & suspended.mine == set(), path


def test_trending_leaves_them_out_for_anonymous_viewers_too(suspended: Suspension) -> None:
    assert suspended.listed("/v1/trending?limit=100", "anonymous") & suspended.mine == set()
    assert suspended.listed("/v1/feed/for-you?limit=50", "anonymous") & suspended.mine == set()


def test_they_still_read_their_notices(suspended: Suspension) -> None:
    notices = suspended.get("/v1/me/notices", "owner").json()["items"]
    assert [n["action"] for n in notices] == ["suspend"]


def test_lifting_the_suspension_restores_every_route(tmp_path: Path) -> None:
    # Given a suspended owner whose video a stranger cannot see
    world = Suspension(tmp_path)
    try:
        world.suspend()
        assert world.get(f"/v1/videos/{world.public}", "stranger").status_code == 404
        # When the suspension is lifted
        world.lift()
        # Then everything of theirs is back, for everyone
        owner_id = world.user("owner").user_id
        for viewer in ("anonymous", "stranger", "follower"):
            for path in ("", "/stats", "/comments"):
                assert world.get(f"/v1/videos/{world.public}{path}", viewer).status_code == 200, (
                    viewer,
                    path,
                )
            assert world.get(world.master(world.public), viewer).status_code == 200
            profile = world.get(f"/v1/users/{owner_id}", viewer).json()
            assert (profile["suspended"], profile["display_name"], profile["bio"]) == (
                False,
                "Owner",
                "my clips",
            )
            assert world.public in world.listed(f"/v1/users/{owner_id}/videos", viewer)
            assert world.public in world.listed("/v1/trending?limit=100", viewer)
            thread = world.get(f"/v1/videos/{world.elsewhere}/comments", viewer).json()["items"]
            assert [c["text"] for c in thread if c["comment_id"] == world.comment] == ["mine"]
        assert world.mine <= world.listed("/v1/feed/following?limit=100", "follower")
        assert world.world.playback(world.public, world.user("owner"))["expires_at"] is None  # public again
    finally:
        world.world.close()
