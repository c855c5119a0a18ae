"""The audit route: histories with personal data masked, reveals only for a reason and on record."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from commands import streams
from commands.audit import reveals
from domain.actors import Role
from domain.auditing import PersonalDataRevealed
from eventstore.errors import StoreUnavailable, StreamNotFound
from eventstore.ids import uuid7
from tests.integration.api.harness import System, User

REASON = "ticket 4711: the holder disputes their sign-up email"
PERSONAL_TYPES = {"UserRegistered", "ProfileChanged"}  # of an account's events, those holding personal data


def assert_problem(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"


def audit(system: System, who: User, stream: str, **params: str) -> httpx.Response:
    """The masked view, or with ``reveal="true"`` the reveal (a POST, the reason in its body)."""
    path = f"/v1/audit/streams/{stream}"
    if params.pop("reveal", None) != "true":
        response: httpx.Response = system.client.get(path, params=params, headers=who.auth)
        return response
    body = {"reason": params.pop("reason")} if "reason" in params else {}
    revealed: httpx.Response = system.client.post(
        f"{path}/reveal", params=params, json=body, headers=who.auth
    )
    return revealed


def profiled_user(system: System) -> User:
    """An account whose history holds every kind of personal field: email, hash, names, bio, avatar."""
    user = system.register(f"Ann_{uuid7().hex[-8:]}")
    profile = {
        "display_name": "Annabel Q",
        "bio": "lives on Elm St",
        "avatar_url": "https://cdn.example/a.png",
    }
    assert system.client.put("/v1/me/profile", json=profile, headers=user.auth).status_code == 200
    return user


def reveal_events(system: System, auditor: User) -> list[PersonalDataRevealed]:
    try:
        records = system.store.read_stream(reveals(auditor.user_id))
    except StreamNotFound:
        return []
    events = [system.ports.codec.decode(r).event for r in records]
    return [e for e in events if isinstance(e, PersonalDataRevealed)]


def data_of(response: httpx.Response, event_type: str) -> dict[str, Any]:
    (event,) = [e for e in response.json()["events"] if e["type"] == event_type]
    data: dict[str, Any] = event["data"]
    return data


def test_the_default_view_shows_no_personal_data_and_no_password_hash(system: System) -> None:
    # Given
    user, auditor = profiled_user(system), system.register(role=Role.AUDITOR)
    # When
    response = audit(system, auditor, streams.user(user.user_id))
    # Then
    assert response.status_code == 200, response.text
    body = response.text.lower()
    for personal in (user.handle, "annabel", "elm st", "cdn.example", "$argon2"):
        assert personal.lower() not in body
    registered = data_of(response, "UserRegistered")
    assert registered == {
        "user_id": user.user_id,
        "handle": "[personal]",
        "email": "[personal]",
        "password_hash": "[withheld]",
        "display_name": "[personal]",
    }
    assert response.json()["revealed"] is False
    assert reveal_events(system, auditor) == []


def test_captions_are_masked_by_default_too(system: System) -> None:
    owner, auditor = system.register(), system.register(role=Role.AUDITOR)
    video_id = system.published_video(owner, caption="my cat Whiskers at 12 Elm St")
    response = audit(system, auditor, streams.video(video_id))
    assert response.status_code == 200, response.text
    assert "whiskers" not in response.text.lower()
    assert data_of(response, "VideoPublished")["caption"] == "[personal]"


@pytest.mark.parametrize("reason", [None, "too short", " " * 20, "x" * 501])
def test_revealing_without_a_proper_reason_is_a_422_and_records_nothing(
    system: System, reason: str | None
) -> None:
    # Given
    user, auditor = profiled_user(system), system.register(role=Role.AUDITOR)
    head = system.store.head_position()
    # When
    params = {"reveal": "true"} | ({} if reason is None else {"reason": reason})
    response = audit(system, auditor, streams.user(user.user_id), **params)
    # Then
    assert_problem(response, 422)
    assert user.handle.lower() not in response.text.lower()
    assert system.store.head_position() == head


def test_revealing_with_a_reason_records_it_first_and_still_withholds_the_hash(system: System) -> None:
    # Given
    user, auditor = profiled_user(system), system.register(role=Role.AUDITOR)
    # When
    response = audit(system, auditor, streams.user(user.user_id), reveal="true", reason=REASON)
    # Then the values are shown, never the hash
    assert response.status_code == 200, response.text
    assert response.json()["revealed"] is True
    registered = data_of(response, "UserRegistered")
    assert registered["email"] == f"{user.handle.lower()}@example.com"
    assert registered["display_name"] == user.handle.title()
    assert registered["password_hash"] == "[withheld]"
    assert data_of(response, "ProfileChanged")["bio"] == "lives on Elm St"
    assert "$argon2" not in response.text
    # And the reveal is on the auditor's record, naming what was shown
    (revealed,) = reveal_events(system, auditor)
    assert (revealed.auditor_id, revealed.stream, revealed.reason) == (
        auditor.user_id,
        streams.user(user.user_id),
        REASON,
    )
    personal = {e["event_id"] for e in response.json()["events"] if e["type"] in PERSONAL_TYPES}
    assert set(revealed.event_ids) == personal
    assert "email" in revealed.fields
    assert "password_hash" not in revealed.fields


def test_erased_data_reads_erased_masked_or_revealed(system: System) -> None:
    # Given an account whose key was shredded
    user, auditor = profiled_user(system), system.register(role=Role.AUDITOR)
    system.keys.erase(user.user_id)
    # When
    masked = audit(system, auditor, streams.user(user.user_id))
    revealed = audit(system, auditor, streams.user(user.user_id), reveal="true", reason=REASON)
    # Then
    for response in (masked, revealed):
        assert response.status_code == 200, response.text
        registered = data_of(response, "UserRegistered")
        assert (registered["email"], registered["display_name"]) == ("[erased]", "[erased]")
        assert data_of(response, "ProfileChanged")["bio"] == "[erased]"
        # The handle is sealed like the rest: erased with the key, revealed or not
        assert registered["handle"] == "[erased]"


def test_if_the_reveal_cannot_be_recorded_nothing_is_revealed(
    system: System, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a store that refuses appends
    user, auditor = profiled_user(system), system.register(role=Role.AUDITOR)

    def refuse(*args: object, **kwargs: object) -> None:
        raise StoreUnavailable("the log is down")

    monkeypatch.setattr(system.store, "append", refuse)
    # When
    response = audit(system, auditor, streams.user(user.user_id), reveal="true", reason=REASON)
    # Then
    assert_problem(response, 503)
    assert user.handle.lower() not in response.text.lower()


def test_an_auditor_whose_key_is_shredded_cannot_record_a_reveal_so_sees_nothing(system: System) -> None:
    user, auditor = profiled_user(system), system.register(role=Role.AUDITOR)
    system.keys.erase(auditor.user_id)
    response = audit(system, auditor, streams.user(user.user_id), reveal="true", reason=REASON)
    assert_problem(response, 409)
    assert user.handle.lower() not in response.text.lower()


@pytest.mark.parametrize("role", [Role.USER, Role.MODERATOR])
def test_only_auditors_and_admins_read_or_reveal(system: System, role: Role) -> None:
    user, caller = profiled_user(system), system.register(role=role)
    admin = system.register(role=Role.ADMIN)
    head = system.store.head_position()
    assert_problem(audit(system, caller, streams.user(user.user_id)), 403)
    assert_problem(audit(system, caller, streams.user(user.user_id), reveal="true", reason=REASON), 403)
    assert system.store.head_position() == head
    assert audit(system, admin, streams.user(user.user_id), reveal="true", reason=REASON).status_code == 200


@pytest.mark.parametrize(
    ("stream", "status"),
    [
        ("user-%00", 422),
        ("user-%0Aevil", 422),
        ("%24all", 422),  # "$all": no system streams
        ("user-a%20b", 422),
        ("user-%F0%9F%98%80", 422),
        ("user-%ff", 422),
        ("x" * 201, 422),
        ("user-nobody", 404),
        ("a%2Fb", 404),
    ],
)
def test_an_odd_stream_name_is_a_problem_never_a_server_error(
    system: System, stream: str, status: int
) -> None:
    auditor = system.register(role=Role.AUDITOR)
    response = system.client.get(f"/v1/audit/streams/{stream}", headers=auditor.auth)
    assert_problem(response, status)
