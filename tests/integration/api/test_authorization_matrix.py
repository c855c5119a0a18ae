"""Every command route × every kind of caller: only the callers allowed may act.

Denials must leave the log untouched. "owner" is whoever owns the resource acted on (the
account holder, the video's or the comment's author); "other" is any other signed-in user.
"""

from __future__ import annotations

import copy
import dataclasses
import re
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import pytest

from api.state import Media
from commands import streams
from commands.aggregates import COMMENT
from commands.context import Request
from commands.handling import execute
from commands.screening import record_screening
from domain import videos
from domain.actors import Actor, Role
from domain.engagement.comments import CommentHeld
from domain.screening import SCREENER, Findings, Policy
from media.storage import FileStorage
from projections.models import moderation_queue, moderation_standing, profiles, video_details
from tests.hostile_media import picture
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
    content: bytes | None = None  # a body that is not JSON (a picture, captions)
    headers: dict[str, str] | None = None  # what such a body needs said of it


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

    def held_video(self) -> str:
        """Processed, and held by screening for a moderator's review."""
        video_id = self.system.processed_video(self.owner)
        hold = videos.RecordScreening(SCREENER, video_id, "up-1", Policy(), "v2", Findings(nsfw_score=0.9))
        record_screening(hold, ports=self.system.ports, request=Request(SCREENER))
        return video_id

    def hidden_video(self) -> str:
        video_id = self.video()
        admin = self.callers["admin"]
        response = self.system.client.post(
            f"/v1/videos/{video_id}/hide", json={"reason": "x"}, headers=admin.auth
        )
        assert response.status_code == 200, response.text
        return video_id


def staff_did(world: World, path: str, body: Any) -> dict[str, Any]:
    """An admin's moderation action, taken before the call under test."""
    response = world.system.client.post(path, json=body, headers=world.callers["admin"].auth)
    assert response.status_code in (200, 201), response.text
    answer: dict[str, Any] = response.json()
    return answer


def reported_case(world: World) -> Call:
    video_id = world.video()
    report = {"target_kind": "video", "target_id": video_id, "reason": "spam"}
    response = world.system.client.post("/v1/reports", json=report, headers=world.callers["other"].auth)
    assert response.status_code == 201, response.text
    world.system.project(moderation_queue.PROJECTOR)
    return Call("GET", f"/v1/moderation/cases/video-{video_id}")


def appealed(world: World) -> Call:
    """The owner's video removed by a moderator of its own, and appealed: others may decide."""
    video_id, owner = world.video(), world.owner
    acting = world.system.register(role=Role.MODERATOR)
    response = world.system.client.post(
        f"/v1/moderation/videos/{video_id}/remove", json={"reason": "x"}, headers=acting.auth
    )
    assert response.status_code == 200, response.text
    action_id = response.json()["action_id"]
    body = {"action_id": action_id, "statement": "it is fine"}
    assert world.system.client.post("/v1/me/appeals", json=body, headers=owner.auth).status_code == 201
    return Call(
        "POST",
        f"/v1/moderation/users/{owner.user_id}/appeals/{action_id}/decide",
        {"granted": False, "reason": "it stands"},
    )


def appeal(world: World) -> Call:
    removed = staff_did(world, f"/v1/moderation/videos/{world.video()}/remove", {"reason": "x"})
    return Call("POST", "/v1/me/appeals", {"action_id": removed["action_id"], "statement": "it is fine"})


def on_user(world: World, action: str, body: Any = None, *, first: tuple[str, Any] | None = None) -> Call:
    """A call on the owner's account; ``first``: an admin's action before it, whose id ``action`` may name."""
    base = f"/v1/moderation/users/{world.owner.user_id}"
    if first is not None:
        done = staff_did(world, f"{base}/{first[0]}", first[1])
        action = action.format(action_id=done["action_id"])
    return Call("POST", f"{base}/{action}", body or {"reason": "x"})


def standing(world: World) -> Call:
    world.system.project(moderation_standing.PROJECTOR)
    return Call("GET", f"/v1/moderation/users/{world.owner.user_id}")


def on_video(world: World, action: str, body: Any = None, *, first: str | None = None) -> Call:
    video_id = world.video()
    if first is not None:
        staff_did(world, f"/v1/moderation/videos/{video_id}/{first}", body or {"reason": "x"})
    return Call("POST", f"/v1/moderation/videos/{video_id}/{action}", body or {"reason": "x"})


def on_comment(world: World, action: str, *, first: str | None = None) -> Call:
    comment_id = world.comment()[1]
    if first is not None:
        staff_did(world, f"/v1/moderation/comments/{comment_id}/{first}", {"reason": "x"})
    return Call("POST", f"/v1/moderation/comments/{comment_id}/{action}", {"reason": "x"})


def held_comment(world: World) -> Call:
    """A comment of the owner's that screening held, as posting one with a watched word records it."""
    video_id, comment_id = world.video(), str(uuid.uuid4())
    held = CommentHeld(comment_id, video_id, world.owner.user_id, "held words")
    author = Actor(world.owner.user_id, Role.USER)
    execute(world.system.ports, Request(author), streams.comment(comment_id), COMMENT, lambda _: [held])
    return Call("POST", f"/v1/moderation/comments/{comment_id}/release")


def on_case(world: World, action: str, body: Any) -> Call:
    return Call("POST", f"/v1/moderation/cases/video-{world.video()}/{action}", body)


LABELS = {"labels": ["ad"], "reason": "x"}
RESTRICTION = {"capability": "like", "duration_hours": 1, "reason": "x"}


CAPTIONS = b"WEBVTT\n\n00:00.000 --> 00:01.000\nhello\n"
VTT = {"Content-Type": "text/vtt"}


def scheduled(world: World) -> Call:
    video_id = world.system.processed_video(world.owner)
    later = {"caption": "later", "publish_at": "2100-01-01T00:00:00Z"}
    response = world.system.client.post(
        f"/v1/videos/{video_id}/publish", json=later, headers=world.owner.auth
    )
    assert response.status_code == 422, response.text  # more than 90 days ahead: nothing scheduled
    soon = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    response = world.system.client.post(
        f"/v1/videos/{video_id}/publish", json={**later, "publish_at": soon}, headers=world.owner.auth
    )
    assert response.status_code == 200, response.text
    return Call("DELETE", f"/v1/videos/{video_id}/schedule")


def captioned(world: World) -> Call:
    video_id = world.video()
    response = world.system.client.put(
        f"/v1/videos/{video_id}/captions/en", content=CAPTIONS, headers={**VTT, **world.owner.auth}
    )
    assert response.status_code == 200, response.text
    return Call("DELETE", f"/v1/videos/{video_id}/captions/en")


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
    "POST /v1/me/notifications/read": (
        lambda w: Call("POST", "/v1/me/notifications/read"),
        SIGNED_IN,
        SHARED,
    ),
    "PUT /v1/me/notifications/settings": (
        lambda w: Call("PUT", "/v1/me/notifications/settings", {"muted": ["like"]}),
        SIGNED_IN,
        SHARED,
    ),
    "POST /v1/me/notifications/stream-ticket": (
        lambda w: Call("POST", "/v1/me/notifications/stream-ticket"),
        SIGNED_IN,
        SHARED,
    ),
    "POST /v1/me/avatar": (
        lambda w: Call("POST", "/v1/me/avatar", content=picture("PNG")),
        SIGNED_IN,
        SHARED,
    ),
    "DELETE /v1/me/avatar": (lambda w: Call("DELETE", "/v1/me/avatar"), SIGNED_IN, SHARED),
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
    "POST /v1/videos/{id}/release": (
        lambda w: Call("POST", f"/v1/videos/{w.held_video()}/release", {"reason": "looked at it"}),
        STAFF,
        SHARED,
    ),
    "PUT /v1/videos/{id}/pin": (pin, frozenset({"owner"}), SHARED),
    "PUT /v1/videos/{id}/cover": (
        lambda w: Call("PUT", f"/v1/videos/{w.video()}/cover", {"at_ms": 500}),
        frozenset({"owner"}),
        SHARED,
    ),
    "DELETE /v1/videos/{id}/pin": (pinned, frozenset({"owner"}), SHARED),
    "DELETE /v1/videos/{id}/schedule": (scheduled, frozenset({"owner"}), SHARED),
    "PUT /v1/videos/{id}/captions/{lang}": (
        lambda w: Call("PUT", f"/v1/videos/{w.video()}/captions/en", content=CAPTIONS, headers=VTT),
        frozenset({"owner"}),
        SHARED,
    ),
    "DELETE /v1/videos/{id}/captions/{lang}": (captioned, frozenset({"owner"}), SHARED),
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
    "GET /v1/moderation/queue": (lambda w: Call("GET", "/v1/moderation/queue"), STAFF, SHARED),
    "GET /v1/moderation/cases/{case_id}": (reported_case, STAFF, SHARED),
    "GET /v1/moderation/users/{user_id}": (standing, STAFF, SHARED),
    "POST /v1/moderation/cases/{case_id}/assign": (
        lambda w: on_case(w, "assign", {"assignee_id": w.callers["moderator"].user_id}),
        STAFF,
        SHARED,
    ),
    "POST /v1/moderation/cases/{case_id}/escalate": (
        lambda w: on_case(w, "escalate", {"reason": "x"}),
        STAFF,
        SHARED,
    ),
    "POST /v1/moderation/cases/{case_id}/dismiss": (
        lambda w: on_case(w, "dismiss", {"reason": "x"}),
        STAFF,
        SHARED,
    ),
    "POST /v1/moderation/cases/{case_id}/resolve": (
        lambda w: on_case(w, "resolve", {"action": "label_video", **LABELS}),
        STAFF,
        SHARED,
    ),
    "POST /v1/moderation/users/{user_id}/restrictions": (
        lambda w: on_user(w, "restrictions", RESTRICTION),
        STAFF,
        "new people",
    ),
    "POST /v1/moderation/users/{user_id}/restrictions/{capability}/lift": (
        lambda w: on_user(w, "restrictions/like/lift", first=("restrictions", RESTRICTION)),
        STAFF,
        "new people",
    ),
    "POST /v1/moderation/users/{user_id}/suspend": (
        lambda w: on_user(w, "suspend", {"duration_hours": 1, "reason": "x"}),
        STAFF,
        "new people",
    ),
    "POST /v1/moderation/users/{user_id}/unsuspend": (
        lambda w: on_user(w, "unsuspend", first=("suspend", {"reason": "x"})),
        STAFF,
        "new people",
    ),
    "POST /v1/moderation/users/{user_id}/strikes": (lambda w: on_user(w, "strikes"), STAFF, "new people"),
    "POST /v1/moderation/users/{user_id}/strikes/{action_id}/remove": (
        lambda w: on_user(w, "strikes/{action_id}/remove", first=("strikes", {"reason": "x"})),
        STAFF,
        "new people",
    ),
    "POST /v1/moderation/users/{user_id}/appeals/{action_id}/decide": (appealed, STAFF, "new people"),
    "POST /v1/moderation/videos/{video_id}/remove": (lambda w: on_video(w, "remove"), STAFF, SHARED),
    "POST /v1/moderation/videos/{video_id}/restore": (
        lambda w: on_video(w, "restore", first="remove"),
        STAFF,
        SHARED,
    ),
    "POST /v1/moderation/videos/{video_id}/labels": (lambda w: on_video(w, "labels", LABELS), STAFF, SHARED),
    "POST /v1/moderation/videos/{video_id}/labels/remove": (
        lambda w: on_video(w, "labels/remove", LABELS, first="labels"),
        STAFF,
        SHARED,
    ),
    "POST /v1/moderation/comments/{comment_id}/remove": (lambda w: on_comment(w, "remove"), STAFF, SHARED),
    "POST /v1/moderation/comments/{comment_id}/restore": (
        lambda w: on_comment(w, "restore", first="remove"),
        STAFF,
        SHARED,
    ),
    "POST /v1/moderation/comments/{comment_id}/release": (held_comment, STAFF, SHARED),
    "POST /v1/me/appeals": (appeal, frozenset({"owner"}), SHARED),
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
    folder = Path(tmp_path_factory.mktemp("matrix"))
    media = Media(
        storage=FileStorage(folder / "media"), uploads_dir=folder / "uploads", signing_key=b"k" * 32
    )
    system = System.with_read_side(folder, media=media)
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
        # queries are open reads, but for the auditors' and the moderators'
        and (method != "get" or path.startswith(("/v1/audit/", "/v1/moderation/")))
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
    headers = {**(call.headers or {}), **({} if persona == "anonymous" else world.callers[persona].auth)}
    before = world.system.store.head_position()
    response = world.system.client.request(
        call.method, call.path, json=call.json, content=call.content, headers=headers
    )
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
