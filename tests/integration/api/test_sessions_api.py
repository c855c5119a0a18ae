"""Sessions that can be ended: a request is judged against the account as it stands, not against
what its token claims, from the very next request on, in every API process sharing the log."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.state import Media
from domain.actors import Actor, Role
from media.storage import FileStorage
from tests.integration.api.harness import System, User

PASSWORD = "correct horse battery"


@pytest.fixture
def system(tmp_path: Path) -> Iterator[System]:
    """With media, so that creating an upload is among what an ended session must not do."""
    media = Media(
        storage=FileStorage(tmp_path / "media"), uploads_dir=tmp_path / "uploads", signing_key=b"k" * 32
    )
    s = System(tmp_path, media=media)
    yield s
    s.close()


def assert_refused(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"


def works(system: System, user: User) -> bool:
    """Whether the token still opens a signed-in route that changes nothing."""
    response: httpx.Response = system.client.get("/v1/me/consent", headers=user.auth)
    return response.status_code == 200


def sign_in(system: System, user: User) -> dict[str, Any]:
    response = system.client.post("/v1/auth/token", json={"login": user.handle, "password": PASSWORD})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def refresh(system: System, refresh_token: str) -> httpx.Response:
    response: httpx.Response = system.client.post("/v1/auth/refresh", json={"refresh_token": refresh_token})
    return response


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# -- what ends a session ---------------------------------------------------------------------------


def test_a_demoted_admins_old_token_can_no_longer_set_roles_erase_or_read_audit_streams(
    system: System,
) -> None:
    # Given two admins and two users, and one admin's token still in hand
    admin, other_admin = system.register(role=Role.ADMIN), system.register(role=Role.ADMIN)
    user, victim = system.register(), system.register()
    # When the other admin demotes them
    demoted = system.client.put(
        f"/v1/users/{admin.user_id}/role", json={"role": "user"}, headers=other_admin.auth
    )
    assert demoted.status_code == 200, demoted.text
    head = system.store.head_position()
    # Then the old token does none of what admins do, on the very next request
    assert_refused(
        system.client.put(f"/v1/users/{user.user_id}/role", json={"role": "admin"}, headers=admin.auth)
    )
    assert_refused(system.client.delete(f"/v1/users/{victim.user_id}", headers=admin.auth))
    assert_refused(system.client.get(f"/v1/audit/streams/user-{victim.user_id}", headers=admin.auth))
    assert system.store.head_position() == head
    # And signing in again gives a user's session
    again = system.sign_in(admin.user_id, Role.USER)
    forbidden = system.client.put(
        f"/v1/users/{user.user_id}/role", json={"role": "admin"}, headers=again.auth
    )
    assert forbidden.status_code == 403


def test_the_role_a_token_claims_grants_nothing_the_account_does_not_have(system: System) -> None:
    # Given a user's real session, and a token for it (signed by the server) that claims admin
    user, target = system.register(), system.register()
    granted = system.start_session(user.user_id)
    claims_admin = system.state.tokens.issue(Actor(user.user_id, Role.ADMIN), granted.session_id)
    # When it asks for what only admins may do
    response = system.client.put(
        f"/v1/users/{target.user_id}/role", json={"role": "admin"}, headers=bearer(claims_admin)
    )
    # Then the account's role decides
    assert response.status_code == 403, response.text


def test_a_password_change_ends_every_other_session_and_keeps_the_one_that_made_it(system: System) -> None:
    # Given one person signed in on two devices
    phone = system.register()
    laptop = system.sign_in(phone.user_id)
    assert works(system, phone)
    assert works(system, laptop)
    # When the password is changed on the phone
    changed = system.client.put(
        "/v1/me/password",
        json={"current_password": PASSWORD, "new_password": "a whole new secret"},
        headers=phone.auth,
    )
    # Then the laptop is signed out on its next request, refresh token and all; the phone goes on
    assert changed.status_code == 200, changed.text
    assert_refused(system.client.get("/v1/me/consent", headers=laptop.auth))
    assert_refused(refresh(system, laptop.refresh_token))
    assert works(system, phone)
    assert refresh(system, phone.refresh_token).status_code == 200


def test_an_erased_accounts_token_cannot_follow_block_record_activity_or_upload(system: System) -> None:
    # Given a user whose token works, with a draft of their own
    user, someone, another = system.register(), system.register(), system.register()
    assert system.client.put(f"/v1/users/{someone.user_id}/follow", headers=user.auth).status_code == 200
    draft = system.client.post("/v1/videos", headers=user.auth)
    assert draft.status_code == 201, draft.text
    video_id = draft.json()["video_id"]
    # When the account is erased
    assert system.client.delete("/v1/me", headers=user.auth).status_code == 202
    head = system.store.head_position()
    # Then the same token is refused everywhere, and nothing is recorded
    signal = {"kind": "view_start", "client_event_id": "a", "video_id": video_id}
    metadata = f"video_id {base64.b64encode(video_id.encode()).decode()}"
    upload = {"Tus-Resumable": "1.0.0", "Upload-Length": "10", "Upload-Metadata": metadata}
    for response in (
        system.client.put(f"/v1/users/{another.user_id}/follow", headers=user.auth),
        system.client.put(f"/v1/users/{another.user_id}/block", headers=user.auth),
        system.client.post("/v1/activity", json={"signals": [signal]}, headers=user.auth),
        system.client.post("/v1/uploads", headers={**upload, **user.auth}),
    ):
        assert_refused(response)
    assert system.store.head_position() == head
    assert_refused(refresh(system, user.refresh_token))


# -- signing out -----------------------------------------------------------------------------------


def test_signing_out_ends_that_session_and_no_other(system: System) -> None:
    # Given
    phone = system.register()
    laptop = system.sign_in(phone.user_id)
    # When
    response = system.client.post("/v1/auth/sign-out", headers=phone.auth)
    # Then
    assert response.status_code == 204
    assert_refused(system.client.get("/v1/me/consent", headers=phone.auth))
    assert_refused(refresh(system, phone.refresh_token))
    assert works(system, laptop)


def test_signing_out_everywhere_ends_every_session(system: System) -> None:
    # Given
    phone = system.register()
    laptop = system.sign_in(phone.user_id)
    # When
    response = system.client.delete("/v1/me/sessions", headers=laptop.auth)
    # Then
    assert response.status_code == 204
    for device in (phone, laptop):
        assert_refused(system.client.get("/v1/me/consent", headers=device.auth))
        assert_refused(refresh(system, device.refresh_token))


def test_the_holder_sees_their_live_sessions_and_which_is_asking(system: System) -> None:
    # Given three sessions, one of them ended
    phone = system.register()
    laptop, tablet = system.sign_in(phone.user_id), system.sign_in(phone.user_id)
    assert system.client.post("/v1/auth/sign-out", headers=tablet.auth).status_code == 204
    # When
    listed = system.client.get("/v1/me/sessions", headers=laptop.auth)
    # Then
    assert listed.status_code == 200
    items = listed.json()["items"]
    assert [(s["session_id"], s["current"]) for s in items] == [
        (laptop.session_id, True),
        (phone.session_id, False),
    ]
    assert {"started_at", "refreshed_at", "expires_at"} <= items[0].keys()
    assert_refused(system.client.get("/v1/me/sessions"))


# -- refreshing ------------------------------------------------------------------------------------


def test_signing_in_and_refreshing_rotate_a_pair_of_working_tokens(system: System) -> None:
    # Given a sign-in through the API
    user = system.register()
    first = sign_in(system, user)
    # When its refresh token is traded, and the new one after it
    second = refresh(system, first["refresh_token"])
    third = refresh(system, second.json()["refresh_token"])
    # Then each answer is a fresh pair that works, never stored by caches
    for response in (second, third):
        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "no-store"
        body = response.json()
        assert (body["user_id"], body["role"], body["expires_in"]) == (user.user_id, "user", 600)
        assert body["refresh_token"] != first["refresh_token"]
        assert system.client.get("/v1/me/consent", headers=bearer(body["access_token"])).status_code == 200
    listed = system.client.get("/v1/me/sessions", headers=bearer(third.json()["access_token"])).json()
    (current,) = [s for s in listed["items"] if s["current"]]
    assert current["refreshed_at"] is not None


def test_a_rotated_refresh_token_used_again_ends_the_session(system: System) -> None:
    # Given a session refreshed once (so its first refresh token is spent)
    user = system.register()
    first = sign_in(system, user)
    rotated = refresh(system, first["refresh_token"]).json()
    # When the spent token comes back (a copy someone else kept)
    reused = refresh(system, first["refresh_token"])
    # Then it is refused, and the session is over for whoever holds its newer tokens too
    assert_refused(reused)
    assert "already used" in reused.json()["detail"]
    assert_refused(system.client.get("/v1/me/consent", headers=bearer(rotated["access_token"])))
    assert_refused(refresh(system, rotated["refresh_token"]))
    types = [e.type for e in system.store.read_stream(f"user-{user.user_id}")]
    assert types[-1] == "SessionEnded"
    # And the person's other sessions go on
    assert works(system, user)


@pytest.mark.parametrize(
    "token",
    ["", "not-a-token", "x" * 201, "tampered"],
    ids=["empty", "garbage", "too-long", "tampered-mac"],
)
def test_a_refresh_token_the_server_did_not_make_is_refused(system: System, token: str) -> None:
    user = system.register()
    if token == "tampered":
        token = user.refresh_token[:-2] + ("AA" if not user.refresh_token.endswith("AA") else "BB")
    head = system.store.head_position()
    response = refresh(system, token)
    assert response.status_code in (401, 422), response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert system.store.head_position() == head
    assert works(system, user)


# -- several API processes -------------------------------------------------------------------------


def test_a_session_ended_through_one_api_process_is_refused_by_another_on_its_next_request(
    tmp_path: Path,
) -> None:
    # Given two API processes on one event store, and a token both have accepted
    one, two = System(tmp_path), System(tmp_path)
    try:
        user = one.register()
        assert works(one, user)
        assert works(two, user)
        # When the session ends through the first
        assert one.client.post("/v1/auth/sign-out", headers=user.auth).status_code == 204
        # Then the second refuses it on the very next request
        assert_refused(two.client.get("/v1/me/consent", headers=user.auth))
        # And a role change made through the second shows in the first at once
        admin, target = two.register(role=Role.ADMIN), two.register()
        assert works(one, target)
        changed = two.client.put(
            f"/v1/users/{target.user_id}/role", json={"role": "auditor"}, headers=admin.auth
        )
        assert changed.status_code == 200
        assert_refused(one.client.get("/v1/me/consent", headers=target.auth))
    finally:
        two.close()
        one.close()
