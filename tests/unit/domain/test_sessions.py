"""Sessions on the account stream: started by log-in, rotated by refresh, ended by sign-out, by a
reused refresh token, and by every change that must not leave an old session behind."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from domain.accounts import (
    MAX_SESSIONS,
    ChangePassword,
    ErasureRequested,
    Event,
    LogIn,
    PasswordChanged,
    RefreshSession,
    RequestErasure,
    SessionEnded,
    SessionRefreshed,
    SessionsEnded,
    SessionStarted,
    SetRole,
    SignOut,
    SignOutEverywhere,
    State,
    UserLoggedIn,
    UserRegistered,
    UserRoleChanged,
    decide_change_password,
    decide_log_in,
    decide_refresh_session,
    decide_request_erasure,
    decide_set_role,
    decide_sign_out,
    decide_sign_out_everywhere,
    evolve,
    initial,
    live_session,
)
from domain.actors import Actor, Role
from domain.decider import fold
from domain.errors import InvalidCredentials, NotAllowed

ANN = Actor("ann")
ADMIN = Actor("root", Role.ADMIN)
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
TTL = timedelta(days=30)
MINUTE = timedelta(minutes=1)
REGISTERED = UserRegistered("ann", "ann_b", "ann@example.com", "h1", "Ann")


def given(*events: Event) -> State:
    return fold(evolve, initial, [REGISTERED, *events])


def then(state: State, events: list[Event]) -> State:
    return fold(evolve, state, events)


def log_in(state: State, session_id: str, at: datetime = NOW, ttl: timedelta = TTL) -> list[Event]:
    return decide_log_in(state, LogIn("ann", True, session_id, at, ttl))


def signed_in(*session_ids: str, at: datetime = NOW) -> State:
    """Ann, logged in once per session id, a minute apart."""
    state = given()
    for i, session_id in enumerate(session_ids):
        state = then(state, log_in(state, session_id, at + i * MINUTE))
    return state


def refresh(session_id: str, generation: int, at: datetime = NOW + MINUTE) -> RefreshSession:
    return RefreshSession("ann", session_id, generation, at, TTL)


def ids(state: State) -> list[str]:
    return [s.session_id for s in state.sessions]


# -- starting --------------------------------------------------------------------------------------


def test_a_log_in_starts_a_live_session_of_generation_zero() -> None:
    # Given
    state = given()
    # When
    events = log_in(state, "s1")
    after = then(state, events)
    # Then
    assert [type(e) for e in events] == [UserLoggedIn, SessionStarted]
    (session,) = after.sessions
    assert (session.session_id, session.generation, session.started_at) == ("s1", 0, NOW)
    assert session.expires_at == NOW + TTL
    assert live_session(after, "s1", NOW + TTL - MINUTE) == session


def test_one_log_in_past_the_limit_ends_the_oldest_session_explicitly() -> None:
    # Given
    state = signed_in(*(f"s{i}" for i in range(MAX_SESSIONS)))
    # When
    events = log_in(state, "newest", NOW + timedelta(hours=1))
    after = then(state, events)
    # Then
    assert events[1] == SessionEnded("ann", "s0", "session_limit")
    assert len(after.sessions) == MAX_SESSIONS
    assert ids(after)[-1] == "newest"
    assert "s0" not in ids(after)


def test_expired_sessions_do_not_count_and_are_forgotten_when_another_starts() -> None:
    # Given: a full set that has since expired
    state = signed_in(*(f"s{i}" for i in range(MAX_SESSIONS)))
    later = NOW + TTL + timedelta(days=1)
    # When
    events = log_in(state, "fresh", later)
    after = then(state, events)
    # Then: no limit ending is needed, and the state keeps only what is live
    assert [type(e) for e in events] == [UserLoggedIn, SessionStarted]
    assert ids(after) == ["fresh"]


def test_a_naive_time_is_a_wiring_bug() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        log_in(given(), "s1", datetime(2025, 3, 1, 12, 0))


# -- refreshing ------------------------------------------------------------------------------------


def test_refreshing_rotates_the_token_and_slides_the_expiry() -> None:
    # Given
    state = signed_in("s1")
    at = NOW + timedelta(days=20)
    # When
    events = decide_refresh_session(state, refresh("s1", 0, at))
    after = then(state, events)
    # Then
    assert events == [
        SessionRefreshed("ann", "s1", 1, "2025-03-21T12:00:00.000+00:00", "2025-04-20T12:00:00.000+00:00")
    ]
    (session,) = after.sessions
    assert (session.generation, session.refreshed_at, session.expires_at) == (1, at, at + TTL)


def test_a_rotated_refresh_token_presented_again_ends_the_session() -> None:
    # Given: s1 was refreshed once, so generation 0 is spent
    state = signed_in("s1", "s2")
    state = then(state, decide_refresh_session(state, refresh("s1", 0)))
    # When
    events = decide_refresh_session(state, refresh("s1", 0))
    after = then(state, events)
    # Then
    assert events == [SessionEnded("ann", "s1", "refresh_token_reused")]
    assert ids(after) == ["s2"]
    # And the thief's newer token is no good either
    with pytest.raises(InvalidCredentials, match="session has ended"):
        decide_refresh_session(after, refresh("s1", 1))


@pytest.mark.parametrize(
    ("state", "cmd"),
    [
        (signed_in("s1"), refresh("unknown", 0)),
        (signed_in("s1"), refresh("s1", 0, NOW + TTL)),
        (then(signed_in("s1"), [ErasureRequested("ann", "ann")]), refresh("s1", 0)),
        (initial, refresh("s1", 0)),
    ],
    ids=["unknown-session", "expired", "erased-account", "unknown-account"],
)
def test_a_refresh_of_a_session_that_is_not_live_is_refused(state: State, cmd: RefreshSession) -> None:
    with pytest.raises(InvalidCredentials, match="session has ended"):
        decide_refresh_session(state, cmd)


def test_a_refresh_names_the_account_it_was_issued_for() -> None:
    state = signed_in("s1")
    with pytest.raises(InvalidCredentials):
        decide_refresh_session(state, dataclasses.replace(refresh("s1", 0), user_id="bob"))


# -- signing out -----------------------------------------------------------------------------------


def test_signing_out_ends_that_session_only_and_once() -> None:
    # Given
    state = signed_in("s1", "s2")
    # When
    events = decide_sign_out(state, SignOut(ANN, "s1"))
    after = then(state, events)
    # Then
    assert events == [SessionEnded("ann", "s1", "signed_out")]
    assert ids(after) == ["s2"]
    assert decide_sign_out(after, SignOut(ANN, "s1")) == []


def test_only_the_holder_signs_out_of_their_sessions() -> None:
    with pytest.raises(NotAllowed, match="only the account holder"):
        decide_sign_out(signed_in("s1"), SignOut(ADMIN, "s1"))


def test_signing_out_everywhere_ends_every_session() -> None:
    # Given
    state = signed_in("s1", "s2")
    # When
    events = decide_sign_out_everywhere(state, SignOutEverywhere(ANN))
    # Then
    assert events == [SessionsEnded("ann", "signed_out_everywhere", None)]
    assert then(state, events).sessions == ()
    assert decide_sign_out_everywhere(then(state, events), SignOutEverywhere(ANN)) == []


# -- changes that end sessions ---------------------------------------------------------------------


def test_a_role_change_ends_every_session_of_the_account() -> None:
    # Given
    state = signed_in("s1", "s2")
    # When
    events = decide_set_role(state, SetRole(ADMIN, "ann", Role.MODERATOR))
    after = then(state, events)
    # Then
    assert events == [
        UserRoleChanged("ann", "moderator", "root"),
        SessionsEnded("ann", "role_changed", None),
    ]
    assert (after.role, after.sessions) == (Role.MODERATOR, ())


def test_a_password_change_ends_every_session_but_the_one_that_made_it() -> None:
    # Given
    state = signed_in("s1", "s2", "s3")
    # When
    events = decide_change_password(state, ChangePassword(ANN, "h2", True, session_id="s2"))
    # Then
    assert events == [PasswordChanged("ann", "h2"), SessionsEnded("ann", "password_changed", "s2")]
    assert ids(then(state, events)) == ["s2"]


def test_a_password_change_from_the_only_session_ends_nothing() -> None:
    state = signed_in("s1")
    events = decide_change_password(state, ChangePassword(ANN, "h2", True, session_id="s1"))
    assert events == [PasswordChanged("ann", "h2")]


def test_erasure_ends_every_session_and_none_is_live_after() -> None:
    # Given
    state = signed_in("s1", "s2")
    # When
    events = decide_request_erasure(state, RequestErasure(ANN, "ann", "e1"))
    after = then(state, events)
    # Then
    assert events == [ErasureRequested("ann", "ann", "e1"), SessionsEnded("ann", "erased", None)]
    assert after.sessions == ()
    assert live_session(after, "s1", NOW) is None


# -- what is stored --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [SessionStarted, SessionRefreshed, SessionEnded, SessionsEnded])
def test_session_events_hold_nothing_personal_and_no_secret(kind: type[Event]) -> None:
    fields = {f.name for f in dataclasses.fields(kind)}
    assert kind.personal_fields == ()
    assert not {name for name in fields if "token" in name or "secret" in name or "hash" in name}
