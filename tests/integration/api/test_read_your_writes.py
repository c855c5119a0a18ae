"""Every query route honours ``min_position``: with the projectors running live, a query given a
command's position answers with that command's effect, with no sleeping or retrying by the client."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from projections import registry
from projections.supervisor import Supervisor
from tests.integration.api.harness import System, User


@pytest.fixture
def system(tmp_path: Path) -> Iterator[System]:
    s = System.with_read_side(tmp_path)
    supervisor = Supervisor(registry.ALL, events=s.store, codec=s.ports.codec, store=s.read_store)
    supervisor.start()
    yield s
    supervisor.stop()
    s.close()


def command(system: System, method: str, path: str, user: User, body: dict[str, Any] | None = None) -> int:
    response = system.client.request(method, path, json=body, headers=user.auth)
    assert response.status_code in (200, 201), response.text
    position: int = response.json()["position"]
    return position


def query(system: System, path: str, position: int, user: User) -> dict[str, Any]:
    response = system.client.get(path, params={"min_position": position}, headers=user.auth)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def ids(page: dict[str, Any], key: str) -> list[str]:
    return [item[key] for item in page["items"]]


Scenario = Callable[[System, User, User, str], None]


def liked_video_details(system: System, ann: User, bob: User, video: str) -> None:
    position = command(system, "PUT", f"/v1/videos/{video}/like", bob)
    details = query(system, f"/v1/videos/{video}", position, bob)
    assert (details["liked_by_me"], details["stats"]["likes"]) == (True, 1)


def liked_video_stats(system: System, ann: User, bob: User, video: str) -> None:
    position = command(system, "PUT", f"/v1/videos/{video}/like", bob)
    assert query(system, f"/v1/videos/{video}/stats", position, bob)["likes"] == 1


def commented(system: System, ann: User, bob: User, video: str) -> None:
    position = command(system, "POST", f"/v1/videos/{video}/comments", bob, {"text": "first!"})
    assert [c["text"] for c in query(system, f"/v1/videos/{video}/comments", position, bob)["items"]] == [
        "first!"
    ]


def replied(system: System, ann: User, bob: User, video: str) -> None:
    response = system.client.post(f"/v1/videos/{video}/comments", json={"text": "q?"}, headers=bob.auth)
    parent = response.json()["comment_id"]
    body = {"text": "a!", "parent_id": parent}
    position = command(system, "POST", f"/v1/videos/{video}/comments", ann, body)
    assert ids(query(system, f"/v1/comments/{parent}/replies", position, bob), "text") == ["a!"]


def followed_profile(system: System, ann: User, bob: User, video: str) -> None:
    position = command(system, "PUT", f"/v1/users/{ann.user_id}/follow", bob)
    assert query(system, f"/v1/users/{ann.user_id}", position, bob)["followers"] == 1
    assert ids(query(system, f"/v1/users/{ann.user_id}/followers", position, bob), "user_id") == [bob.user_id]
    assert ids(query(system, f"/v1/users/{bob.user_id}/following", position, bob), "user_id") == [ann.user_id]


def published_listing(system: System, ann: User, bob: User, video: str) -> None:
    position = system.store.head_position()  # the publication the fixture made
    assert ids(query(system, f"/v1/users/{ann.user_id}/videos", position, bob), "video_id") == [video]


def followed_feed(system: System, ann: User, bob: User, video: str) -> None:
    position = command(system, "PUT", f"/v1/users/{ann.user_id}/follow", bob)
    assert ids(query(system, "/v1/feed/following", position, bob), "video_id") == [video]


def trending_after_a_like(system: System, ann: User, bob: User, video: str) -> None:
    position = command(system, "PUT", f"/v1/videos/{video}/like", bob)
    assert ids(query(system, "/v1/trending", position, bob), "video_id") == [video]
    assert ids(query(system, "/v1/trending/hashtags/demo", position, bob), "video_id") == [video]


@pytest.mark.parametrize(
    "scenario",
    [
        liked_video_details,
        liked_video_stats,
        commented,
        replied,
        followed_profile,
        published_listing,
        followed_feed,
        trending_after_a_like,
    ],
)
def test_a_query_given_a_commands_position_shows_its_effect(system: System, scenario: Scenario) -> None:
    ann, bob = system.register("ann"), system.register("bob")
    video = system.published_video(ann, caption="a clip #demo")
    scenario(system, ann, bob, video)
