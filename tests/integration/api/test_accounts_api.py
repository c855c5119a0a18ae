"""Accounts through the HTTP app: registration, sign-in, the holder's own changes, roles, erasure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from commands import claim_streams, streams
from commands import videos as video_handlers
from commands.context import Request
from domain import videos
from domain.actors import Actor, Role
from domain.errors import Conflict
from eventstore.chain import verify_chain
from eventstore.errors import StreamNotFound
from eventstore.ids import uuid7
from strom.users_cli import users_app
from tests.integration.api.harness import System, User

PASSWORD = "correct horse battery"


def account(handle: str | None = None, **changes: Any) -> dict[str, Any]:
    handle = handle or f"u{uuid7().hex[-10:]}"
    return {
        "handle": handle,
        "email": f"{handle}@example.com",
        "password": PASSWORD,
        "display_name": handle.title(),
        **changes,
    }


#: What signing in and out records on the account; the tests below are about the rest.
SESSION_EVENTS = {"UserLoggedIn", "SessionStarted", "SessionRefreshed", "SessionEnded", "SessionsEnded"}


def types_in(system: System, stream: str) -> list[str]:
    try:
        return [e.type for e in system.store.read_stream(stream)]
    except StreamNotFound:
        return []


def changes_of(system: System, user: User) -> list[str]:
    """The account's events but the session bookkeeping."""
    return [t for t in types_in(system, streams.user(user.user_id)) if t not in SESSION_EVENTS]


def sign_in(system: System, login: str, password: str = PASSWORD) -> httpx.Response:
    response: httpx.Response = system.client.post(
        "/v1/auth/token", json={"login": login, "password": password}
    )
    return response


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status
    assert problem["detail"]
    return problem


# -- registration ----------------------------------------------------------------------------------


def test_registering_records_the_account_and_claims_its_handle_and_email(system: System) -> None:
    # Given
    body = account("Ann.B", email=" Ann.B@Example.COM ")
    # When
    response = system.client.post("/v1/accounts", json=body)
    # Then
    assert response.status_code == 201
    created = response.json()
    user_id = created["user_id"]
    assert created["position"] == system.store.head_position()
    assert types_in(system, streams.user(user_id)) == ["UserRegistered"]
    assert types_in(system, claim_streams.of_handle(system.keys, "ann.b").keyed) == ["HandleClaimed"]
    assert types_in(system, claim_streams.of_email(system.keys, "ann.b@example.com").keyed) == [
        "EmailClaimed"
    ]
    (registered,) = system.store.read_stream(streams.user(user_id))
    event = system.ports.codec.decode(registered).event
    assert (event.handle, event.email, event.display_name) == ("Ann.B", "ann.b@example.com", "Ann.B")  # type: ignore[attr-defined]
    assert "Ann.B" not in str(registered.data["display_name"])  # sealed in the log


def test_a_taken_handle_in_any_case_or_a_taken_email_is_a_conflict_that_claims_nothing(
    system: System,
) -> None:
    # Given
    system.register("Taken_One")
    head = system.store.head_position()
    # When
    same_handle = system.client.post("/v1/accounts", json=account("tAKEN_oNE", email="other@example.com"))
    same_email = system.client.post("/v1/accounts", json=account("fresh_one", email="TAKEN_ONE@example.com "))
    # Then
    assert "handle" in assert_problem(same_handle, 409)["detail"]
    assert "email" in assert_problem(same_email, 409)["detail"]
    assert system.store.head_position() == head
    assert types_in(system, claim_streams.of_email(system.keys, "other@example.com").keyed) == []
    assert types_in(system, claim_streams.of_handle(system.keys, "fresh_one").keyed) == []


@pytest.mark.parametrize(
    "changes",
    [
        {"handle": "ab"},
        {"handle": "has-dash"},
        {"handle": ".dotfirst"},
        {"handle": "x" * 25},
        {"email": "not-an-address"},
        {"email": "a@b.c"},
        {"email": "x" * 250 + "@example.com"},
        {"password": "short"},
        {"password": "12345678"},
        {"password": "aaaaaaaaab"},
        {"password": "p" * 257},
        {"display_name": ""},
        {"display_name": "   "},
        {"display_name": "two\nlines"},
        {"display_name": "n" * 51},
        {"handle": 12345},
        {"display_name": ["a"]},
        {"nickname": "extra"},
    ],
    ids=lambda changes: ",".join(changes),
)
def test_an_invalid_registration_is_a_422_problem_and_stores_nothing(
    system: System, changes: dict[str, Any]
) -> None:
    response = system.client.post("/v1/accounts", json={**account(), **changes})
    assert_problem(response, 422)
    assert system.store.head_position() == 0


def test_a_registration_missing_a_field_is_a_422_problem(system: System) -> None:
    body = account()
    del body["email"]
    problem = assert_problem(system.client.post("/v1/accounts", json=body), 422)
    assert problem["errors"][0]["location"] == ["body", "email"]


def test_a_keyed_registration_retried_gets_the_same_user_and_is_stored_once(system: System) -> None:
    # Given
    body = account()
    key = {"Idempotency-Key": f"signup-{uuid7()}"}
    # When
    first = system.client.post("/v1/accounts", json=body, headers=key)
    head = system.store.head_position()
    again = system.client.post("/v1/accounts", json=body, headers=key)
    # Then
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert system.store.head_position() == head
    assert types_in(system, streams.user(first.json()["user_id"])) == ["UserRegistered"]


def test_the_same_registration_key_with_another_body_is_refused(system: System) -> None:
    key = {"Idempotency-Key": f"signup-{uuid7()}"}
    body = account()
    assert system.client.post("/v1/accounts", json=body, headers=key).status_code == 201
    head = system.store.head_position()
    other = system.client.post("/v1/accounts", json={**body, "display_name": "Someone Else"}, headers=key)
    assert "Idempotency-Key" in assert_problem(other, 422)["detail"]
    assert system.store.head_position() == head


# -- signing in ------------------------------------------------------------------------------------


def test_signing_in_by_handle_or_email_in_any_case_issues_a_working_token(system: System) -> None:
    # Given
    user = system.register("Sign_In")
    # When
    by_handle = sign_in(system, "sign_in")
    by_email = sign_in(system, " SIGN_IN@example.com")
    # Then
    for response in (by_handle, by_email):
        assert response.status_code == 200, response.text
        token = response.json()
        assert {k: token[k] for k in ("token_type", "user_id", "role")} == {
            "token_type": "bearer",
            "user_id": user.user_id,
            "role": "user",
        }
        assert (token["expires_in"], token["refresh_expires_in"]) == (600, 30 * 86_400)
        assert token["refresh_token"].startswith(f"{user.user_id}.")
        assert response.headers["cache-control"] == "no-store"
        auth = {"Authorization": f"Bearer {token['access_token']}"}
        assert system.client.put("/v1/me/consent", json={"personalisation": True}, headers=auth).is_success
    # The harness signed in once too
    assert types_in(system, streams.user(user.user_id)).count("SessionStarted") == 3


def test_a_wrong_password_and_an_unknown_login_fail_alike_with_401(system: System) -> None:
    user = system.register()
    before = types_in(system, streams.user(user.user_id))
    wrong = sign_in(system, user.handle, "not the password")
    unknown = sign_in(system, "nobody_here", PASSWORD)
    unknown_email = sign_in(system, "nobody@example.com", PASSWORD)
    never_valid = sign_in(system, "no/such\x00handle", PASSWORD)
    details = {assert_problem(r, 401)["detail"] for r in (wrong, unknown, unknown_email, never_valid)}
    assert details == {"wrong login or password"}
    assert wrong.headers["www-authenticate"] == "Bearer"
    assert types_in(system, streams.user(user.user_id)) == before


# -- the holder's own account ----------------------------------------------------------------------


def test_changing_the_profile_records_it_once(system: System) -> None:
    # Given
    user = system.register()
    profile = {"display_name": "Ann B", "bio": "clips\nof cats", "avatar_url": "https://cdn.example/a.png"}
    # When
    changed = system.client.put("/v1/me/profile", json=profile, headers=user.auth)
    same = system.client.put("/v1/me/profile", json=profile, headers=user.auth)
    # Then
    assert changed.status_code == 200
    assert changed.json() == {"user_id": user.user_id, "position": system.store.head_position()}
    assert same.json() == changed.json()
    records = system.store.read_stream(streams.user(user.user_id))
    assert changes_of(system, user) == ["UserRegistered", "ProfileChanged"]
    event = system.ports.codec.decode(records[-1]).event
    assert (event.display_name, event.bio, event.avatar_url) == tuple(profile.values())  # type: ignore[attr-defined]
    # And what the schema lets through but the domain refuses is a 422 problem too
    control = system.client.put("/v1/me/profile", json={"display_name": "bell\x07"}, headers=user.auth)
    assert "control" in assert_problem(control, 422)["detail"]


@pytest.mark.parametrize(
    "profile",
    [
        {"display_name": "A", "avatar_url": "http://insecure.example/a.png"},
        {"display_name": "A", "avatar_url": "https://" + "a" * 500},
        {"display_name": "A", "bio": "b" * 161},
        {"display_name": "A", "website": "https://x.example"},
        {"display_name": "A", "bio": 7},
    ],
)
def test_an_invalid_profile_is_a_422_problem(system: System, profile: dict[str, Any]) -> None:
    user = system.anonymous_user()
    assert_problem(system.client.put("/v1/me/profile", json=profile, headers=user.auth), 422)


def test_account_routes_need_a_token(system: System) -> None:
    for response in (
        system.client.put("/v1/me/profile", json={"display_name": "A"}),
        system.client.put("/v1/me/consent", json={"personalisation": True}),
        system.client.post("/v1/me/export"),
        system.client.delete("/v1/me"),
    ):
        assert_problem(response, 401)


def test_changing_the_password_needs_the_current_one_and_retires_it(system: System) -> None:
    # Given
    user = system.register()
    new = "a whole new secret"
    # When
    wrong = system.client.put(
        "/v1/me/password", json={"current_password": "guess work!", "new_password": new}, headers=user.auth
    )
    right = system.client.put(
        "/v1/me/password", json={"current_password": PASSWORD, "new_password": new}, headers=user.auth
    )
    # Then
    assert_problem(wrong, 403)
    assert right.status_code == 200
    assert_problem(sign_in(system, user.handle, PASSWORD), 401)
    assert sign_in(system, user.handle, new).status_code == 200


def test_a_weak_new_password_is_refused(system: System) -> None:
    user = system.anonymous_user()
    body = {"current_password": PASSWORD, "new_password": "11111111"}
    assert_problem(system.client.put("/v1/me/password", json=body, headers=user.auth), 422)


def test_consent_is_given_and_withdrawn_once_each(system: System) -> None:
    user = system.register()
    answers = [
        system.client.put("/v1/me/consent", json={"personalisation": flag}, headers=user.auth).json()
        for flag in (True, True, False, False)
    ]
    assert [a["personalisation"] for a in answers] == [True, True, False, False]
    assert changes_of(system, user)[1:] == ["PersonalisationConsentGiven", "PersonalisationConsentWithdrawn"]
    not_a_bool = system.client.put("/v1/me/consent", json={"personalisation": "yes"}, headers=user.auth)
    assert_problem(not_a_bool, 422)


def test_the_holder_reads_whether_consent_stands_and_it_starts_withdrawn(system: System) -> None:
    """The client's Personalised switch shows this: it must say what the account says, now."""
    user = system.register()
    assert system.client.get("/v1/me/consent", headers=user.auth).json() == {"personalisation": False}
    system.client.put("/v1/me/consent", json={"personalisation": True}, headers=user.auth)
    assert system.client.get("/v1/me/consent", headers=user.auth).json() == {"personalisation": True}
    assert system.client.get("/v1/me/consent").status_code == 401


def test_a_data_export_is_accepted_and_recorded(system: System) -> None:
    user = system.register()
    response = system.client.post("/v1/me/export", headers=user.auth)
    assert response.status_code == 202
    records = system.store.read_stream(streams.user(user.user_id))
    assert records[-1].type == "DataExportRequested"
    assert records[-1].data["export_id"] == response.json()["export_id"]


# -- roles -----------------------------------------------------------------------------------------


def test_an_admin_sets_a_role_that_ends_the_holders_sessions_and_shows_at_the_next_sign_in(
    system: System,
) -> None:
    # Given
    user, admin = system.register(), system.anonymous_user(Role.ADMIN)
    # When
    response = system.client.put(
        f"/v1/users/{user.user_id}/role", json={"role": "moderator"}, headers=admin.auth
    )
    # Then
    assert response.status_code == 200
    assert response.json()["role"] == "moderator"
    assert types_in(system, streams.user(user.user_id))[-2:] == ["UserRoleChanged", "SessionsEnded"]
    assert_problem(system.client.get("/v1/me/consent", headers=user.auth), 401)
    assert sign_in(system, user.handle).json()["role"] == "moderator"


def test_only_an_admin_sets_roles_and_only_of_existing_accounts(system: System) -> None:
    user, moderator = system.register(), system.anonymous_user(Role.MODERATOR)
    admin = system.anonymous_user(Role.ADMIN)
    by_moderator = system.client.put(
        f"/v1/users/{user.user_id}/role", json={"role": "admin"}, headers=moderator.auth
    )
    unknown = system.client.put(f"/v1/users/{uuid7()}/role", json={"role": "auditor"}, headers=admin.auth)
    no_such_role = system.client.put(
        f"/v1/users/{user.user_id}/role", json={"role": "god"}, headers=admin.auth
    )
    not_an_id = system.client.put("/v1/users/not-an-id/role", json={"role": "user"}, headers=admin.auth)
    assert_problem(by_moderator, 403)
    assert_problem(unknown, 404)
    assert_problem(no_such_role, 422)
    assert_problem(not_an_id, 422)
    assert changes_of(system, user) == ["UserRegistered"]


def test_the_operator_grants_the_first_admin_from_the_shell(
    system: System, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an account, and the shell pointed at the same stores
    user = system.register("first_admin")
    monkeypatch.setenv("STROM_EVENTSTORE_URL", f"sqlite:///{tmp_path}/events.db")
    monkeypatch.setenv("STROM_KEYSTORE_URL", f"sqlite:///{tmp_path}/keys.db")
    # When
    granted = CliRunner().invoke(users_app, ["grant-role", "First_Admin", "ADMIN"])
    missing = CliRunner().invoke(users_app, ["grant-role", "nobody_here", "admin"])
    # Then
    assert granted.exit_code == 0, granted.output
    assert user.user_id in granted.output
    assert missing.exit_code == 2
    records = system.store.read_stream(streams.user(user.user_id))
    (changed,) = [r for r in records if r.type == "UserRoleChanged"]
    assert changed.metadata.actor == "system:operator"
    assert sign_in(system, "first_admin").json()["role"] == "admin"


# -- erasure ---------------------------------------------------------------------------------------


def assert_erased(system: System, user: User) -> None:
    records = system.store.read_stream(streams.user(user.user_id))
    registered = system.ports.codec.decode(records[0])
    assert registered.event.display_name is None  # type: ignore[attr-defined]
    assert {"display_name", "email", "password_hash"} <= registered.erased
    assert [r.type for r in records][-2:] == ["ErasureRequested", "SessionsEnded"]
    assert verify_chain(records) == []
    assert system.keys.find(user.user_id) is None
    assert_problem(sign_in(system, user.handle), 401)


def test_erasing_your_account_shreds_your_data_and_keeps_the_history_verifiable(system: System) -> None:
    # Given
    user = system.register()
    system.client.put("/v1/me/profile", json={"display_name": "Secret Name", "bio": "b"}, headers=user.auth)
    # When
    response = system.client.delete("/v1/me", headers=user.auth)
    # Then
    assert response.status_code == 202
    answer = response.json()
    assert answer["user_id"] == user.user_id
    assert answer["status_url"] == f"/v1/erasures/{answer['erasure_id']}"
    assert answer["erasure_id"] != user.user_id
    assert_erased(system, user)
    records = system.store.read_stream(streams.user(user.user_id))
    (changed,) = [system.ports.codec.decode(r) for r in records if r.type == "ProfileChanged"]
    assert changed.erased == {"display_name", "bio"}
    # And the token it was asked with is refused from then on, recording nothing
    head = system.store.head_position()
    assert_problem(system.client.delete("/v1/me", headers=user.auth), 401)
    assert_problem(
        system.client.put("/v1/me/consent", json={"personalisation": True}, headers=user.auth), 401
    )
    assert system.store.head_position() == head


def test_an_admin_erases_an_account_and_nobody_else_may(system: System) -> None:
    user, other = system.register(), system.anonymous_user()
    admin = system.anonymous_user(Role.ADMIN)
    assert_problem(system.client.delete(f"/v1/users/{user.user_id}", headers=other.auth), 403)
    assert_problem(system.client.delete(f"/v1/users/{uuid7()}", headers=admin.auth), 404)
    assert system.client.delete(f"/v1/users/{user.user_id}", headers=admin.auth).status_code == 202
    assert_erased(system, user)
    # And asking again records nothing
    head = system.store.head_position()
    assert system.client.delete(f"/v1/users/{user.user_id}", headers=admin.auth).status_code == 202
    assert system.store.head_position() == head


def test_the_handle_and_email_of_an_erased_account_are_free_to_register_again(system: System) -> None:
    # Given
    user = system.register()
    system.client.delete("/v1/me", headers=user.auth)
    # When
    again = system.client.post(
        "/v1/accounts", json=account(user.handle.upper(), email=f"{user.handle}@example.com")
    )
    # Then
    assert again.status_code == 201, again.text
    assert again.json()["user_id"] != user.user_id


def test_the_openapi_document_describes_the_account_routes_and_their_problems(system: System) -> None:
    paths = system.client.get("/openapi.json").json()["paths"]
    create = paths["/v1/accounts"]["post"]
    assert {"201", "409", "422"} <= create["responses"].keys()
    assert "application/problem+json" in create["responses"]["409"]["content"]
    assert create["description"]
    assert "security" not in create
    assert "401" in paths["/v1/auth/token"]["post"]["responses"]
    assert "403" in paths["/v1/users/{user_id}/role"]["put"]["responses"]


def test_an_erased_account_cannot_seal_new_personal_data(system: System) -> None:
    # Given an owner with a processed video who then erased their account
    owner = system.register()
    video_id = system.processed_video(owner)
    assert system.client.delete("/v1/me", headers=owner.auth).status_code == 202
    # When their unexpired token publishes a caption, and the handler is asked as them all the same
    response = system.client.post(
        f"/v1/videos/{video_id}/publish", json={"caption": "still here?"}, headers=owner.auth
    )
    as_owner = Actor(owner.user_id)
    with pytest.raises(Conflict, match="erased"):
        video_handlers.publish_video(
            videos.PublishVideo(as_owner, video_id, "still here?"),
            ports=system.ports,
            request=Request(as_owner),
        )
    # Then the session is gone (401), the key too (a conflict, not a server error), and nothing is appended
    assert_problem(response, 401)
    assert [e.type for e in system.store.read_stream(f"video-{video_id}")][-1] == "VideoScreened"
