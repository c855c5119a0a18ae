"""A store that cannot answer makes a route answer 503 ``application/problem+json`` with Retry-After,
route by route, never a 500 or a text/plain body; and what is down, and where, stays in the log.
An error nobody expected is still a problem document (500), saying nothing of itself.

Driven by the OpenAPI document, so a route added tomorrow is covered too.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn, cast

import pytest
from fastapi.testclient import TestClient

from commands.context import Ports
from domain.access import Visibility
from domain.actors import Role
from eventstore.errors import StoreUnavailable
from eventstore.ids import uuid7
from media import images, signing
from read_models.errors import (
    InvalidQuery,
    MissingTable,
    ReadStoreError,
    ReadStoreUnavailable,
    RetryableReadError,
)
from read_models.port import ReadStore
from services.sessions import SessionGate
from tests.hostile_media import picture
from tests.integration.api.harness import User
from tests.integration.api.media_world import FAR, KEY, World

PROBLEM = "application/problem+json"
TUS = {"Tus-Resumable": "1.0.0"}
SECRET_HOST = "cassandra-7.internal:9042"

#: Routes that read no read model, and why.
NO_READ_MODEL = {
    "/healthz": "says the process is alive, whatever its stores do",
    "/readyz": "reports the store as not ready in its own document (test_http_edges)",
    "/metrics": "Prometheus text; a store that does not answer leaves its lag out",
    "/v1/me/consent": "reads the account's stream in the event log",
    "/v1/me/sessions": "reads the account's stream in the event log",
    "/v1/audit/streams/{stream}": "reads the event log, for auditors",
}
#: Routes that touch no store of the event log, and why.
NO_EVENT_LOG = {
    "/healthz": "says the process is alive, whatever its stores do",
    "/readyz": "reports the store as not ready in its own document (test_http_edges)",
    "/metrics": "Prometheus text",
    "HEAD /v1/uploads/{upload_id}": "reads the upload's own file; only the last byte records an event",
    "PATCH /v1/uploads/{upload_id}": "writes the upload's own file; only the last byte records an event",
    "DELETE /v1/uploads/{upload_id}": "removes the upload's own file",
    "OPTIONS /v1/uploads": "says what the tus server supports",
    "/v1/me/sessions": "read through the session gate, whose own outage the last test covers",
    "POST /v1/me/notifications/stream-ticket": "signs a ticket for the session the gate has just judged",
    "GET /v1/me/notifications/stream": "reads counts from the read store; its ticket's session is judged "
    "by the session gate, whose own outage the last test covers",
}
#: What routes that take a file rather than JSON are sent: a body valid enough to reach the store.
FILES: dict[str, tuple[bytes, str]] = {
    "POST /v1/me/avatar": (picture("PNG"), "image/png"),
    "PUT /v1/videos/{video_id}/captions/{lang}": (b"WEBVTT\n\n00:00.000 --> 00:01.000\nhello\n", "text/vtt"),
}


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


class Failing:
    """A store whose every method raises ``error``, as its adapter reports an outage."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def __getattr__(self, name: str) -> Callable[..., NoReturn]:
        def fail(*args: object, **kwargs: object) -> NoReturn:
            raise self.error

        return fail


class Outages:
    """The harness with media, a video, a comment and an upload, so every path names real things."""

    def __init__(self, tmp: Path) -> None:
        self.world = World(tmp)
        self.system = self.world.system
        self.ann = self.system.register()
        self.video = self.world.video(self.ann, Visibility.PUBLIC)
        comment = self.system.client.post(
            f"/v1/videos/{self.video}/comments", json={"text": "first"}, headers=self.ann.auth
        )
        self.comment = comment.json()["comment_id"]
        self.client = TestClient(self.system.app, raise_server_exceptions=False)
        self.spec: dict[str, Any] = self.system.app.openapi()
        self.export = str(uuid7())

    def path(self, template: str) -> str:
        known = {
            "video_id": self.video,
            "user_id": self.ann.user_id,
            "comment_id": self.comment,
            "tag": "demo",
            "stream": f"user-{self.ann.user_id}",
            "upload_id": str(uuid7()),
            "token": signing.sign(self.video, self.ann.user_id, FAR, KEY),
            "rest": "master.m3u8",
            "refresh_token": self.ann.refresh_token,
            "export_id": self.export,
            "case_id": f"video-{self.video}",
            "capability": "comment",
            "handle": self.ann.handle,
            "name": f"{images.SIZES[0]}.webp",
            "lang": "en",
        }
        # Any other id in a path (an export, an erasure, a case) names nothing: a fresh one.
        return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: known.get(m.group(1), str(uuid7())), template)

    def operations(self, methods: set[str]) -> Iterator[tuple[str, str, dict[str, Any]]]:
        for template, operations in self.spec["paths"].items():
            for method, operation in operations.items():
                if method.upper() in methods:
                    yield method.upper(), template, operation

    def call(self, method: str, template: str, user: User | None, body: Any = None) -> Any:
        headers = {**TUS, **(user.auth if user else {})}
        if (method, template) == ("POST", "/v1/uploads"):
            headers |= {"Upload-Length": "10", "Upload-Metadata": f"video_id {b64(self.video)}"}
        params: dict[str, str] = {}
        if template == "/v1/exports/{export_id}/archive":  # the signed link is the credential
            session = self.ann.session_id
            params["token"] = signing.sign(f"exports/{self.export}/{session}", self.ann.user_id, FAR, KEY)
            params["session"] = session
        if template == "/v1/search":  # a query is required: the outage, not the request, must answer
            params["q"] = "demo"
        if template == "/v1/me/notifications/stream" and user is not None:  # opened with a ticket
            params["ticket"] = self.system.state.stream_tickets.issue(user.user_id, user.session_id)
        file = FILES.get(f"{method} {template}")
        if file is not None:
            content, headers["Content-Type"] = file
            return self.client.request(method, self.path(template), headers=headers, content=content)
        return self.client.request(
            method, self.path(template), headers=headers, json=body, params=params or None
        )


@pytest.fixture
def outages(tmp_path: Path) -> Iterator[Outages]:
    o = Outages(tmp_path)
    yield o
    o.system.close()


def assert_unavailable(response: Any, what: str) -> None:
    assert (response.status_code, response.headers["content-type"]) == (503, PROBLEM), (
        f"{what}: {response.status_code} {response.text[:300]}"
    )
    assert int(response.headers["retry-after"]) >= 1, what
    assert SECRET_HOST not in response.text, f"{what} names the host that is down"


def needs_sign_in(operation: dict[str, Any]) -> bool:
    return bool(operation.get("security")) and {} not in operation["security"]


@pytest.mark.parametrize(
    "error",
    [
        ReadStoreUnavailable([SECRET_HOST], "NoHostAvailable"),
        RetryableReadError(f"{SECRET_HOST}: ReadTimeout"),
        MissingTable("video_cards", f"unconfigured table at {SECRET_HOST}"),
        ReadStoreError(f"{SECRET_HOST}: database disk image is malformed"),
    ],
    ids=["unreachable", "timing-out", "not-migrated", "failing-otherwise"],
)
def test_every_query_route_answers_503_while_the_read_store_is_down(
    outages: Outages, error: ReadStoreError
) -> None:
    # Given a read store whose adapter reports an outage on every call
    outages.system.state.read_store = cast(ReadStore, Failing(error))
    routes = [(m, t, op) for m, t, op in outages.operations({"GET"}) if t not in NO_READ_MODEL]
    assert len(routes) >= 12
    moderator = outages.system.register(role=Role.MODERATOR)
    # When each query route is asked, signed in and (where it may be) anonymously
    for method, template, operation in routes:
        caller = moderator if template.startswith("/v1/moderation/") else outages.ann  # theirs only
        for user in (caller, None) if not needs_sign_in(operation) else (caller,):
            response = outages.call(method, template, user)
            # Then
            assert_unavailable(response, f"{method} {template} as {user.handle if user else 'anonymous'}")


#: A valid body for each command route that takes one, so the request reaches the store.
BODIES: dict[str, Any] = {
    "POST /v1/accounts": {
        "handle": "newcomer",
        "email": "newcomer@example.com",
        "password": "correct horse battery",
        "display_name": "New",
    },
    "POST /v1/auth/token": {"login": "newcomer", "password": "correct horse battery"},
    "POST /v1/auth/refresh": {"refresh_token": "{refresh_token}"},
    "PUT /v1/me/profile": {"display_name": "Ann"},
    "PUT /v1/me/password": {"current_password": "correct horse battery", "new_password": "another horse"},
    "PUT /v1/me/consent": {"personalisation": True},
    "PUT /v1/users/{user_id}/role": {"role": "moderator"},
    "POST /v1/videos/{video_id}/publish": {"caption": "again", "visibility": "public"},
    "PUT /v1/videos/{video_id}": {
        "caption": "edited",
        "hashtags": [],
        "visibility": "public",
        "comments_allowed": True,
    },
    "PUT /v1/videos/{video_id}/cover": {"at_ms": 500},
    "POST /v1/videos/{video_id}/hide": {"reason": "spam"},
    "POST /v1/videos/{video_id}/restore": {"reason": "not spam"},
    "POST /v1/videos/{video_id}/release": {"reason": "not nudity"},
    "PUT /v1/videos/{video_id}/pin": {"comment_id": "{comment_id}"},
    "POST /v1/videos/{video_id}/shares": {"channel": "copy_link"},
    "POST /v1/videos/{video_id}/comments": {"text": "hello"},
    "PUT /v1/comments/{comment_id}": {"text": "edited"},
    "POST /v1/activity": {
        "signals": [{"kind": "view_start", "client_event_id": "a", "video_id": "{video_id}"}]
    },
    "POST /v1/reports": {"target_kind": "video", "target_id": "{video_id}", "reason": "spam"},
    "POST /v1/audit/streams/{stream}/reveal": {"reason": "a support ticket asks for it"},
    "POST /v1/me/appeals": {"action_id": "{action_id}", "statement": "it was fine"},
    "POST /v1/moderation/cases/{case_id}/assign": {"assignee_id": "{user_id}"},
    "POST /v1/moderation/cases/{case_id}/resolve": {"action": "remove_video", "reason": "spam"},
    "POST /v1/moderation/users/{user_id}/restrictions": {
        "capability": "like",
        "duration_hours": 1,
        "reason": "spam",
    },
    "POST /v1/moderation/users/{user_id}/appeals/{action_id}/decide": {"granted": False, "reason": "stands"},
    "POST /v1/moderation/videos/{video_id}/labels": {"labels": ["ad"], "reason": "sponsored"},
    "POST /v1/moderation/videos/{video_id}/labels/remove": {"labels": ["ad"], "reason": "not sponsored"},
}
#: The moderators' routes take a reason and nothing else, but for those above.
MODERATION_NOTE = {"reason": "a moderator's reason"}


def test_every_route_answers_503_while_the_event_store_is_down(outages: Outages) -> None:
    # Given an event store (behind the write side) that reports an outage on every call; sessions
    # are still judged, so requests get past sign-in and reach their handlers
    admin = outages.system.register(role=Role.ADMIN)
    ports = outages.system.state.ports
    down = cast(Any, Failing(StoreUnavailable(f"KurrentDB at {SECRET_HOST} is unreachable")))
    outages.system.state.ports = Ports(store=down, codec=ports.codec, keys=ports.keys)
    methods = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}
    routes = [
        (m, t, op)
        for m, t, op in outages.operations(methods)
        if t not in NO_EVENT_LOG and f"{m} {t}" not in NO_EVENT_LOG and t not in _read_side(outages)
    ]
    assert len(routes) >= 30
    for method, template, operation in routes:
        fallback = MODERATION_NOTE if template.startswith("/v1/moderation/") and method == "POST" else None
        body = _filled(outages, BODIES.get(f"{method} {template}", fallback))
        user = admin if needs_sign_in(operation) or operation.get("security") else None
        response = outages.call(method, template, user, body)
        assert_unavailable(response, f"{method} {template}")


def test_a_bearer_that_cannot_be_judged_is_a_503_not_a_401(outages: Outages) -> None:
    # Given the event store down for the session gate too, which judges every bearer
    ports = outages.system.state.ports
    down = cast(Any, Failing(StoreUnavailable(f"KurrentDB at {SECRET_HOST} is unreachable")))
    outages.system.state.gate = SessionGate(Ports(store=down, codec=ports.codec, keys=ports.keys))
    routes = [
        (m, t) for m, t, op in outages.operations({"GET", "POST", "PUT", "DELETE"}) if op.get("security")
    ]
    assert len(routes) >= 30
    # When / Then: the caller may well be signed in; nobody can tell now
    for method, template in routes:
        assert_unavailable(outages.call(method, template, outages.ann), f"{method} {template}")


def _read_side(outages: Outages) -> set[str]:
    """Query routes read models only; the read-store test covers them."""
    return {t for m, t, _ in outages.operations({"GET"}) if t not in NO_READ_MODEL}


def _filled(outages: Outages, body: Any) -> Any:
    if isinstance(body, dict):
        return {k: _filled(outages, v) for k, v in body.items()}
    if isinstance(body, list):
        return [_filled(outages, v) for v in body]
    if isinstance(body, str) and body.startswith("{"):
        return outages.path(body)
    return body


def test_a_query_we_built_wrong_is_a_500_problem_that_tells_nothing(outages: Outages) -> None:
    # Given a read store refusing a malformed query: our bug, not an outage
    outages.system.state.read_store = cast(ReadStore, Failing(InvalidQuery(f"{SECRET_HOST}: bad column")))
    # When the route asks outside the guard that takes a malformed cursor for the caller's (400)
    response = outages.call("GET", "/v1/trending?min_position=1", None)
    # Then
    assert (response.status_code, response.headers["content-type"]) == (500, PROBLEM)
    assert SECRET_HOST not in response.text
    assert "column" not in response.text
    assert response.headers["x-content-type-options"] == "nosniff"


def test_an_unexpected_exception_is_a_500_problem_and_is_raised_for_the_server_to_log(
    outages: Outages,
) -> None:
    # Given a route whose dependency fails in a way nobody planned for
    outages.system.state.read_store = cast(ReadStore, Failing(ZeroDivisionError("secret internals")))
    # When / Then: the server (here the test client) still sees the exception...
    with pytest.raises(ZeroDivisionError):
        outages.system.client.get("/v1/trending")
    # ...while the caller gets a problem document that says nothing of it
    response = outages.call("GET", "/v1/trending", None)
    assert (response.status_code, response.headers["content-type"]) == (500, PROBLEM)
    assert response.json()["status"] == 500
    assert "secret" not in response.text
    assert "ZeroDivision" not in response.text
