"""Whatever a client sends to a command route, bad input is a clear 4xx and appends nothing.

Driven by the OpenAPI document, so a new route is covered the day it is added.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from domain.actors import Role
from eventstore.ids import uuid7
from tests.integration.api.harness import System

BAD_BODIES: dict[str, Any] = {
    "an unknown field": {"definitely_not_a_field": 1},
    "a list instead of an object": [],
    "a bare string": "hello",
    "null": None,
}


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    s = System(Path(tmp_path_factory.mktemp("bad-input")))
    yield s
    s.close()


def body_routes(system: System) -> list[tuple[str, str, bool]]:
    """Each route taking a JSON body, with its path ids filled in and whether the body is required."""
    spec = system.app.openapi()
    return [
        (
            method.upper(),
            re.sub(r"\{[^}]+\}", lambda _: str(uuid7()), path),
            operation["requestBody"].get("required", False),
        )
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if "application/json" in operation.get("requestBody", {}).get("content", {})
    ]


def test_every_route_with_a_body_refuses_malformed_bodies_and_appends_nothing(system: System) -> None:
    admin = system.anonymous_user(Role.ADMIN).auth
    routes = body_routes(system)
    assert len(routes) >= 15
    for method, path, required in routes:
        for what, body in BAD_BODIES.items():
            if body is None and not required:
                continue  # an optional body may be sent as null: it means "no body"
            before = system.store.head_position()
            response = system.client.request(method, path, json=body, headers=admin)
            assert response.status_code == 422, f"{method} {path} with {what}: {response.status_code}"
            assert response.headers["content-type"] == "application/problem+json"
            assert system.store.head_position() == before, f"{method} {path} with {what} appended"


@pytest.mark.parametrize(
    "text",
    ["nul\x00byte", "bell\x07", "right-to-left \u202eoverride", "x" * 5000],
    ids=["nul", "control", "bidi-override", "too-long"],
)
def test_text_fields_refuse_control_characters_and_absurd_lengths(system: System, text: str) -> None:
    user = system.anonymous_user()
    before = system.store.head_position()
    attempts = [
        system.client.post(
            "/v1/accounts",
            json={
                "handle": "ok_handle",
                "email": "a@b.co",
                "password": "long enough pw",
                "display_name": text,
            },
        ),
        system.client.put(
            "/v1/me/profile",
            json={"display_name": "Name", "bio": text, "avatar_url": None},
            headers=user.auth,
        ),
        system.client.post(f"/v1/videos/{uuid7()}/comments", json={"text": text}, headers=user.auth),
        system.client.post(
            "/v1/reports",
            json={"target_kind": "user", "target_id": str(uuid7()), "reason": "spam", "note": text},
            headers=user.auth,
        ),
    ]
    for response in attempts:
        assert response.status_code in (404, 409, 422), response.text
        assert response.headers["content-type"] == "application/problem+json"
    assert system.store.head_position() == before


def test_a_body_that_is_not_json_is_refused(system: System) -> None:
    user = system.anonymous_user()
    response = system.client.post(
        "/v1/videos", content=b"<xml/>", headers={**user.auth, "content-type": "application/xml"}
    )
    assert response.status_code in (415, 422)
    assert response.headers["content-type"] == "application/problem+json"
