"""Every command route × every kind of caller: only the callers allowed may act.

Denials must leave the log untouched. "owner" is whoever owns the resource acted on (the
account holder, the video's or the comment's author); "other" is any other signed-in user.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal

import pytest

from domain.actors import Role
from projections.models import profiles, video_details
from tests.integration.api.harness import System

PERSONAS = ("anonymous", "owner", "other", "moderator", "admin")
SIGNED_IN = frozenset(PERSONAS) - {"anonymous"}
STAFF = frozenset({"moderator", "admin"})
PASSWORD = "correct horse battery"


@dataclasses.dataclass(frozen=True)
class Call:
    method: str
    path: str
    json: Any = None


class World:
    """One system for the whole matrix; each case makes the resources it acts on."""

    def __init__(self, system: System) -> None:
        self.system = system
        self.owner = system.register()
        self.callers = {
            "owner": self.owner,
            "other": system.register(),
            "moderator": system.register(role=Role.MODERATOR),
            "admin": system.register(role=Role.ADMIN),
        }

    def disposable(self) -> World:
        """For cases that use up an account (erasure, a new password): people of their own."""
        return World(self.system)

    def with_new_owner(self) -> World:
        """For cases that change a relation to the owner (follows, blocks): a stranger to all."""
        world = copy.copy(self)
        world.owner = self.system.register()
        world.callers = {**self.callers, "owner": world.owner}
        return world

    def video(self) -> str:
        return self.system.published_video(self.owner)

    def comment(self, video_id: str | None = None) -> tuple[str, str]:
        video_id = video_id or self.video()
        response = self.system.client.post(
            f"/v1/videos/{video_id}/comments", json={"text": "first!"}, headers=self.owner.auth
        )
        assert response.status_code == 201, response.text
        return video_id, str(response.json()["comment_id"])

    def watchable_video(self) -> str:
        """A public video the read side knows, as the activity route's access check needs."""
        video_id = self.video()
        self.system.project(video_details.PROJECTOR, profiles.PROJECTOR)
        return video_id

    def hidden_video(self) -> str:
        video_id = self.video()
        admin = self.callers["admin"]
        response = self.system.client.post(
            f"/v1/videos/{video_id}/hide", json={"reason": "x"}, headers=admin.auth
        )
        assert response.status_code == 200, response.text
        return video_id


def pinned(world: World) -> Call:
    video_id, comment_id = world.comment()
    response = world.system.client.put(
        f"/v1/videos/{video_id}/pin", json={"comment_id": comment_id}, headers=world.owner.auth
    )
    assert response.status_code == 200, response.text
    return Call("DELETE", f"/v1/videos/{video_id}/pin")


def pin(world: World) -> Call:
    video_id, comment_id = world.comment()
    return Call("PUT", f"/v1/videos/{video_id}/pin", {"comment_id": comment_id})


Scenario = Callable[[World], Call]

Fresh = Literal["shared", "new owner", "new people"]
SHARED: Fresh = "shared"

#: route → (how to set it up, who may call it, which people the case needs fresh)
MATRIX: dict[str, tuple[Scenario, frozenset[str], Fresh]] = {
    "PUT /v1/me/profile": (
        lambda w: Call(
            "PUT", "/v1/me/profile", {"display_name": "New Name", "bio": "hi", "avatar_url": None}
        ),
        SIGNED_IN,
        SHARED,
    ),
    "PUT /v1/me/password": (
        lambda w: Call(
            "PUT", "/v1/me/password", {"current_password": PASSWORD, "new_password": "another horse 42"}
        ),
        SIGNED_IN,
        "new people",
    ),
    "PUT /v1/me/consent": (
        lambda w: Call("PUT", "/v1/me/consent", {"personalisation": True}),
        SIGNED_IN,
        SHARED,
    ),
    "POST /v1/me/export": (lambda w: Call("POST", "/v1/me/export"), SIGNED_IN, SHARED),
    "POST /v1/auth/sign-out": (lambda w: Call("POST", "/v1/auth/sign-out"), SIGNED_IN, "new people"),
    "DELETE /v1/me/sessions": (lambda w: Call("DELETE", "/v1/me/sessions"), SIGNED_IN, "new people"),
    "DELETE /v1/me": (lambda w: Call("DELETE", "/v1/me"), SIGNED_IN, "new people"),
    "PUT /v1/users/{id}/role": (
        lambda w: Call("PUT", f"/v1/users/{w.owner.user_id}/role", {"role": "moderator"}),
        frozenset({"admin"}),
        "new people",
    ),
    "DELETE /v1/users/{id}": (
        lambda w: Call("DELETE", f"/v1/users/{w.owner.user_id}"),
        frozenset({"owner", "admin"}),
        "new people",
    ),
    "POST /v1/videos": (lambda w: Call("POST", "/v1/videos", {}), SIGNED_IN, SHARED),
    "POST /v1/videos/{id}/publish": (
        lambda w: Call("POST", f"/v1/videos/{w.system.processed_video(w.owner)}/publish", {"caption": "hi"}),
        frozenset({"owner"}),
        SHARED,
    ),
    "PUT /v1/videos/{id}": (
        lambda w: Call(
            "PUT",
            f"/v1/videos/{w.video()}",
            {"caption": "edited", "hashtags": [], "visibility": "public", "comments_allowed": True},
        ),
        frozenset({"owner"}),
        SHARED,
    ),
    "DELETE /v1/videos/{id}": (
        lambda w: Call("DELETE", f"/v1/videos/{w.video()}"),
        frozenset({"owner"}),
        SHARED,
    ),
    "POST /v1/videos/{id}/unpublish": (
        lambda w: Call("POST", f"/v1/videos/{w.video()}/unpublish"),
        frozenset({"owner"}),
        SHARED,
    ),
    "POST /v1/videos/{id}/hide": (
        lambda w: Call("POST", f"/v1/videos/{w.video()}/hide", {"reason": "spam"}),
        STAFF,
        SHARED,
    ),
    "POST /v1/videos/{id}/restore": (
        lambda w: Call("POST", f"/v1/videos/{w.hidden_video()}/restore", {"reason": "appeal upheld"}),
        STAFF,
        SHARED,
    ),
    "PUT /v1/videos/{id}/pin": (pin, frozenset({"owner"}), SHARED),
    "DELETE /v1/videos/{id}/pin": (pinned, frozenset({"owner"}), SHARED),
    "PUT /v1/users/{id}/follow": (
        lambda w: Call("PUT", f"/v1/users/{w.owner.user_id}/follow"),
        SIGNED_IN - {"owner"},
        "new owner",
    ),
    "DELETE /v1/users/{id}/follow": (
        lambda w: Call("DELETE", f"/v1/users/{w.owner.user_id}/follow"),
        SIGNED_IN - {"owner"},
        "new owner",
    ),
    "PUT /v1/users/{id}/block": (
        lambda w: Call("PUT", f"/v1/users/{w.owner.user_id}/block"),
        SIGNED_IN - {"owner"},
        "new owner",
    ),
    "DELETE /v1/users/{id}/block": (
        lambda w: Call("DELETE", f"/v1/users/{w.owner.user_id}/block"),
        SIGNED_IN - {"owner"},
        "new owner",
    ),
    "PUT /v1/videos/{id}/like": (lambda w: Call("PUT", f"/v1/videos/{w.video()}/like"), SIGNED_IN, SHARED),
    "DELETE /v1/videos/{id}/like": (
        lambda w: Call("DELETE", f"/v1/videos/{w.video()}/like"),
        SIGNED_IN,
        SHARED,
    ),
    "POST /v1/videos/{id}/shares": (
        lambda w: Call("POST", f"/v1/videos/{w.video()}/shares", {"channel": "copy_link"}),
        SIGNED_IN,
        SHARED,
    ),
    "POST /v1/videos/{id}/comments": (
        lambda w: Call("POST", f"/v1/videos/{w.video()}/comments", {"text": "nice"}),
        SIGNED_IN,
        SHARED,
    ),
    "PUT /v1/comments/{id}": (
        lambda w: Call("PUT", f"/v1/comments/{w.comment()[1]}", {"text": "edited"}),
        frozenset({"owner"}),
        SHARED,
    ),
    "DELETE /v1/comments/{id}": (
        lambda w: Call("DELETE", f"/v1/comments/{w.comment()[1]}"),
        frozenset({"owner"}) | STAFF,
        SHARED,
    ),
    "PUT /v1/comments/{id}/like": (
        lambda w: Call("PUT", f"/v1/comments/{w.comment()[1]}/like"),
        SIGNED_IN,
        SHARED,
    ),
    "DELETE /v1/comments/{id}/like": (
        lambda w: Call("DELETE", f"/v1/comments/{w.comment()[1]}/like"),
        SIGNED_IN,
        SHARED,
    ),
    "POST /v1/activity": (
        lambda w: Call(
            "POST",
            "/v1/activity",
            {"signals": [{"kind": "view_start", "client_event_id": "a", "video_id": w.watchable_video()}]},
        ),
        SIGNED_IN,
        SHARED,
    ),
    "POST /v1/reports": (
        lambda w: Call(
            "POST", "/v1/reports", {"target_kind": "video", "target_id": w.video(), "reason": "spam"}
        ),
        SIGNED_IN - {"owner"},
        SHARED,
    ),
    "GET /v1/audit/streams/{stream}": (
        lambda w: Call("GET", f"/v1/audit/streams/user-{w.owner.user_id}"),
        frozenset({"admin"}),
        SHARED,
    ),
    "POST /v1/audit/streams/{stream}/reveal": (
        lambda w: Call(
            "POST",
            f"/v1/audit/streams/user-{w.owner.user_id}/reveal",
            {"reason": "ticket 4711: a court order"},
        ),
        frozenset({"admin"}),
        SHARED,
    ),
}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    system = System.with_read_side(Path(tmp_path_factory.mktemp("matrix")))
    yield World(system)
    system.close()


def test_the_matrix_names_every_command_route(world: World) -> None:
    spec = world.system.app.openapi()
    routes = {
        f"{method.upper()} {path}"
        for path, operations in spec["paths"].items()
        for method in operations
        if path.startswith("/v1/")
        and path not in ("/v1/accounts", "/v1/auth/token", "/v1/auth/refresh")  # before any bearer token
        # tus speaks its own protocol (headers, not bodies); who may create, read, send to and end
        # an upload is proven in test_uploads_api.py
        and not path.startswith("/v1/uploads")
        and (method != "get" or path.startswith("/v1/audit/"))  # queries are open reads
    }
    assert {_shape(r) for r in routes} == {_shape(k) for k in MATRIX}


def _shape(route: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", route)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("route", sorted(MATRIX))
def test_only_the_allowed_callers_pass(world: World, route: str, persona: str) -> None:
    scenario, allowed, fresh = MATRIX[route]
    if fresh == "new people":
        world = world.disposable()
    elif fresh == "new owner":
        world = world.with_new_owner()
    call = scenario(world)
    headers = {} if persona == "anonymous" else world.callers[persona].auth
    before = world.system.store.head_position()
    response = world.system.client.request(call.method, call.path, json=call.json, headers=headers)
    if persona in allowed:
        assert 200 <= response.status_code < 300, f"{persona} refused: {response.text}"
    else:
        expected = {401} if persona == "anonymous" else {403, 404, 422}
        assert response.status_code in expected, f"{persona} got {response.status_code}: {response.text}"
        assert response.headers["content-type"] == "application/problem+json"
        assert world.system.store.head_position() == before, "a refused call appended events"


def test_auditors_read_history_and_users_do_not(world: World) -> None:
    auditor = world.system.register(role=Role.AUDITOR)
    path = f"/v1/audit/streams/user-{world.owner.user_id}"
    read = world.system.client.get(path, headers=auditor.auth)
    assert read.status_code == 200
    assert read.json()["events"][0]["type"] == "UserRegistered"
    assert world.system.client.get(path, headers=world.owner.auth).status_code == 403
