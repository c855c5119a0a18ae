"""The notifications inbox through the real routes: grouped items with handles, unread counts, the
read mark as an event, and blocks and erasure honoured."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args

import pytest

from api.routers.notifications import MutableKind
from domain.notifications import MUTABLE_KINDS
from projections.models import notifications
from tests.integration.api.harness import System, User


class Inbox:
    def __init__(self, tmp: Path) -> None:
        self.system = System.with_read_side(tmp)
        self.client = self.system.client

    def project(self) -> None:
        self.system.project(notifications.PROJECTOR)

    def act(self, method: str, path: str, user: User, **body: Any) -> Any:
        response = self.client.request(method, path, headers=user.auth, json=body or None)
        assert response.status_code in (200, 201, 202), response.text
        return response.json()

    def items(self, user: User, **params: Any) -> list[dict[str, Any]]:
        response = self.client.get("/v1/me/notifications", headers=user.auth, params=params)
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    def unread(self, user: User) -> int:
        response = self.client.get("/v1/me/notifications/unread-count", headers=user.auth)
        assert response.status_code == 200, response.text
        unread: int = response.json()["unread"]
        return unread


@pytest.fixture
def world(tmp_path: Path) -> Iterator[Inbox]:
    w = Inbox(tmp_path)
    yield w
    w.system.close()


def summary(items: list[dict[str, Any]]) -> list[tuple[str, int, list[str], bool]]:
    return [(i["kind"], i["count"], [a["handle"] for a in i["actors"]], i["unread"]) for i in items]


def test_likes_comments_and_follows_arrive_grouped_and_are_marked_read(world: Inbox) -> None:
    # Given mira's video liked by two people, commented on by one, and a new follower
    mira, ben, cy = (world.system.register(h) for h in ("mira", "ben", "cyd"))
    video = world.system.published_video(mira)
    world.act("PUT", f"/v1/videos/{video}/like", ben)
    world.act("PUT", f"/v1/videos/{video}/like", cy)
    posted = world.act("POST", f"/v1/videos/{video}/comments", ben, text="nice")
    world.act("PUT", f"/v1/users/{cy.user_id}/follow", ben)
    world.act("PUT", f"/v1/users/{mira.user_id}/follow", cy)
    world.project()
    # Then mira sees three items, latest first, all unread, with handles
    assert summary(world.items(mira)) == [
        ("follow", 1, ["cyd"], True),
        ("comment", 1, ["ben"], True),
        ("like", 2, ["cyd", "ben"], True),
    ]
    assert world.items(mira)[2]["target_id"] == video
    assert world.unread(mira) == 3
    # When she marks them read (an event)
    marked = world.act("POST", "/v1/me/notifications/read", mira)
    assert marked["position"] > 0
    world.project()
    # Then nothing is unread
    assert world.unread(mira) == 0
    assert [i["unread"] for i in world.items(mira)] == [False, False, False]
    # And her reply to ben's comment reaches him, and never tells her of her own comment
    world.act("POST", f"/v1/videos/{video}/comments", mira, text="thanks", parent_id=posted["comment_id"])
    world.project()
    assert summary(world.items(ben)) == [("reply", 1, ["mira"], True)]
    assert world.items(ben)[0]["video_id"] == video
    assert world.unread(mira) == 0


def test_a_page_is_limited_and_continues_with_its_cursor(world: Inbox) -> None:
    # Given two people each liked a different video of mira's
    mira = world.system.register("mira")
    for handle in ("ava", "abe"):
        fan = world.system.register(handle)
        world.act("PUT", f"/v1/videos/{world.system.published_video(mira)}/like", fan)
    world.project()
    # When she reads one item at a time
    first = world.client.get("/v1/me/notifications", headers=mira.auth, params={"limit": 1}).json()
    second = world.client.get(
        "/v1/me/notifications", headers=mira.auth, params={"limit": 1, "cursor": first["next_cursor"]}
    ).json()
    # Then the pages hold the two items, newest first
    assert [i["actors"][0]["handle"] for i in first["items"] + second["items"]] == ["abe", "ava"]


def test_a_block_hides_the_blocked_person_both_ways(world: Inbox) -> None:
    # Given ben and cy like mira's video, ben follows her, then mira blocks ben
    mira, ben, cy = (world.system.register(h) for h in ("mira", "ben", "cyd"))
    video = world.system.published_video(mira)
    world.act("PUT", f"/v1/videos/{video}/like", ben)
    world.act("PUT", f"/v1/videos/{video}/like", cy)
    world.act("PUT", f"/v1/users/{mira.user_id}/follow", ben)
    world.act("PUT", f"/v1/users/{ben.user_id}/block", mira)
    world.project()
    # Then mira's inbox holds nothing of ben
    assert summary(world.items(mira)) == [("like", 1, ["cyd"], True)]


def test_an_erased_person_drops_out_of_others_inboxes(world: Inbox) -> None:
    # Given ben and cy like mira's video
    mira, ben, cy = (world.system.register(h) for h in ("mira", "ben", "cyd"))
    video = world.system.published_video(mira)
    world.act("PUT", f"/v1/videos/{video}/like", ben)
    world.act("PUT", f"/v1/videos/{video}/like", cy)
    world.project()
    # When ben erases his account
    world.act("DELETE", "/v1/me", ben)
    world.project()
    # Then only cy is left, in the names and the count
    assert summary(world.items(mira)) == [("like", 1, ["cyd"], True)]


def test_the_inbox_needs_a_sign_in_and_a_sound_query(world: Inbox) -> None:
    # Given someone signed in, and the inbox built
    mira = world.system.register("mira")
    world.project()
    # Then no token is 401, and a bad limit or cursor is a problem document
    assert world.client.get("/v1/me/notifications").status_code == 401
    assert world.client.post("/v1/me/notifications/read").status_code == 401
    for params in ({"limit": 0}, {"limit": 101}, {"cursor": "not-a-cursor"}):
        response = world.client.get("/v1/me/notifications", headers=mira.auth, params=params)
        assert response.status_code in (400, 422), params
        assert response.headers["content-type"].startswith("application/problem+json")


def test_muted_kinds_are_not_told_and_only_known_kinds_can_be_muted(world: Inbox) -> None:
    # Given mira mutes likes
    mira, ben = world.system.register("mira"), world.system.register("ben")
    video = world.system.published_video(mira)
    changed = world.act("PUT", "/v1/me/notifications/settings", mira, muted=["like"])
    assert changed["muted"] == ["like"]
    # When ben likes her video and follows her
    world.act("PUT", f"/v1/videos/{video}/like", ben)
    world.act("PUT", f"/v1/users/{mira.user_id}/follow", ben)
    world.project()
    # Then she is told of the follow only, and her settings read back
    assert summary(world.items(mira)) == [("follow", 1, ["ben"], True)]
    assert world.client.get("/v1/me/notifications/settings", headers=mira.auth).json() == {"muted": ["like"]}
    # And moderators' decisions, or unknown kinds, cannot be muted
    for muted in (["moderation"], ["likes"], "like"):
        response = world.client.put("/v1/me/notifications/settings", headers=mira.auth, json={"muted": muted})
        assert response.status_code == 422, muted
        assert response.headers["content-type"].startswith("application/problem+json")


def test_the_schema_names_the_kinds_the_domain_lets_people_mute() -> None:
    assert set(get_args(MutableKind)) == set(MUTABLE_KINDS)
