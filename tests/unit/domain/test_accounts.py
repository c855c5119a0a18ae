"""User accounts (``user-<id>``) and the claims that keep handles and email addresses unique."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from domain.accounts import (
    ChangePassword,
    ChangeProfile,
    ClaimEmail,
    ClaimEvent,
    ClaimHandle,
    ClaimKind,
    DataExportRequested,
    EmailClaimed,
    EmailReleased,
    ErasureRequested,
    Event,
    GiveConsent,
    HandleClaimed,
    HandleReleased,
    LogIn,
    PasswordChanged,
    PersonalisationConsentGiven,
    PersonalisationConsentWithdrawn,
    ProfileChanged,
    RegisterUser,
    ReleaseClaim,
    RequestDataExport,
    RequestErasure,
    SessionEnded,
    SessionRefreshed,
    SessionsEnded,
    SessionStarted,
    SetRole,
    State,
    UserLoggedIn,
    UserRegistered,
    UserRoleChanged,
    WithdrawConsent,
    claim_key,
    claims,
    decide_change_password,
    decide_change_profile,
    decide_claim,
    decide_give_consent,
    decide_log_in,
    decide_register,
    decide_release,
    decide_request_data_export,
    decide_request_erasure,
    decide_set_role,
    decide_withdraw_consent,
    email_key,
    evolve,
    handle_key,
    initial,
)
from domain.actors import Actor, Role
from domain.decider import fold
from domain.errors import Conflict, InvalidCommand, InvalidCredentials, NotAllowed, NotFound
from domain.events import DomainEvent, event_from_data
from domain.upcasters import UPCASTERS

ANN = Actor("ann")
BOB = Actor("bob")
ADMIN = Actor("root", Role.ADMIN)
MODERATOR = Actor("mod", Role.MODERATOR)
REGISTERED = UserRegistered(
    user_id="ann", handle="Ann.B", email="ann@example.com", password_hash="h1", display_name="Ann"
)


def given(*events: Event) -> State:
    return fold(evolve, initial, events)


def registered(*events: Event) -> State:
    return given(REGISTERED, *events)


def register(**changes: str) -> RegisterUser:
    fields = {
        "user_id": "ann",
        "handle": "Ann.B",
        "email": "ann@example.com",
        "password_hash": "h1",
        "display_name": "Ann",
        **changes,
    }
    return RegisterUser(**fields)


# -- register --------------------------------------------------------------------------------------


def test_registering_records_the_account_with_a_lower_case_email() -> None:
    # Given
    state = given()
    # When
    events = decide_register(state, register(email="  Ann@Example.COM ", display_name=" Ann "))
    # Then
    assert events == [REGISTERED]
    after = fold(evolve, state, events)
    assert (after.registered, after.handle, after.password_hash) == (True, "Ann.B", "h1")
    assert after.role is Role.USER


def test_a_new_account_has_not_given_personalisation_consent() -> None:
    # Given / When
    state = registered()
    # Then
    assert state.consent is False


def test_registering_an_account_twice_is_refused() -> None:
    # Given
    state = registered()
    # When / Then
    with pytest.raises(Conflict, match="already registered"):
        decide_register(state, register())


def test_registering_without_a_user_id_is_refused() -> None:
    # Given
    state = given()
    # When / Then
    with pytest.raises(InvalidCommand, match="user_id is required"):
        decide_register(state, register(user_id=" "))


@pytest.mark.parametrize("handle", ["ann", "a.b", "A_1", "ann.", "x" * 24, "__init__", "0zero"])
def test_a_handle_of_3_to_24_letters_digits_underscores_and_dots_is_accepted(handle: str) -> None:
    # Given
    state = given()
    # When
    (event,) = decide_register(state, register(handle=handle))
    # Then
    assert isinstance(event, UserRegistered)
    assert event.handle == handle


@pytest.mark.parametrize(
    ("handle", "message"),
    [
        ("ab", "at least 3"),
        ("x" * 25, "at most 24"),
        (".ann", "must not start with '.'"),
        ("ann-b", "only letters"),
        ("ann b", "only letters"),
        ("änn", "only letters"),
        ("ann\u202e", "control characters"),
    ],
)
def test_a_malformed_handle_is_refused(handle: str, message: str) -> None:
    # Given
    state = given()
    # When / Then
    with pytest.raises(InvalidCommand, match=message):
        decide_register(state, register(handle=handle))


@pytest.mark.parametrize(
    "email",
    ["ann", "ann@", "@example.com", "ann@example", "ann b@example.com", "ann@@example.com",
     "ann@-example.com", "ann@example.c0m", "a" * 65 + "@example.com", "ann@" + "a" * 250 + ".com"],
)  # fmt: skip
def test_an_implausible_email_address_is_refused(email: str) -> None:
    # Given
    state = given()
    # When / Then
    with pytest.raises(InvalidCommand, match="email"):
        decide_register(state, register(email=email))


@pytest.mark.parametrize("email", ["a@b.co", "ann.b+strom@mail.example.org", "jürgen@münchen.de"])
def test_a_plausible_email_address_is_accepted(email: str) -> None:
    # Given
    state = given()
    # When
    (event,) = decide_register(state, register(email=email))
    # Then
    assert isinstance(event, UserRegistered)
    assert event.email == email


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "at least 1"), ("   ", "at least 1"), ("x" * 51, "at most 50"), ("a\nb", "control")],
)
def test_a_display_name_that_is_blank_too_long_or_multiline_is_refused(name: str, message: str) -> None:
    # Given
    state = given()
    # When / Then
    with pytest.raises(InvalidCommand, match=message):
        decide_register(state, register(display_name=name))


def test_registering_without_a_password_hash_is_refused() -> None:
    # Given
    state = given()
    # When / Then
    with pytest.raises(InvalidCommand, match="password hash is required"):
        decide_register(state, register(password_hash=""))


# -- claims ----------------------------------------------------------------------------------------


def test_claiming_a_free_handle_records_the_claim() -> None:
    # Given
    state = claims.initial
    # When
    events = decide_claim(state, ClaimHandle(handle=" Ann.B ", user_id="ann"))
    # Then: the claim holds no handle (its stream's keyed name is the only trace)
    assert events == [HandleClaimed(user_id="ann")]
    assert "ann.b" not in json.dumps(events[0].to_data()).lower()
    assert fold(claims.evolve, state, events).claimed_by == "ann"


def test_claiming_a_handle_again_for_the_same_user_records_nothing() -> None:
    # Given
    state = fold(claims.evolve, claims.initial, [HandleClaimed("ann")])
    # When
    events = decide_claim(state, ClaimHandle(handle="ann.b", user_id="ann"))
    # Then
    assert events == []


def test_a_handle_claimed_by_someone_else_is_refused() -> None:
    # Given
    state = fold(claims.evolve, claims.initial, [HandleClaimed("ann")])
    # When / Then
    with pytest.raises(Conflict, match="handle is taken"):
        decide_claim(state, ClaimHandle(handle="ANN.B", user_id="bob"))


def test_claiming_a_malformed_handle_is_refused() -> None:
    # Given
    state = claims.initial
    # When / Then
    with pytest.raises(InvalidCommand, match="handle"):
        decide_claim(state, ClaimHandle(handle=".ann", user_id="ann"))


def test_claiming_an_email_records_neither_the_address_nor_a_digest_of_it() -> None:
    # Given
    state = claims.initial
    # When
    events = decide_claim(state, ClaimEmail(email="Ann@Example.com", user_id="ann"))
    # Then
    assert events == [EmailClaimed(user_id="ann")]
    assert events[0].to_data() == {"user_id": "ann"}


def test_claiming_an_email_again_for_the_same_user_records_nothing() -> None:
    # Given
    state = fold(claims.evolve, claims.initial, [EmailClaimed("ann")])
    # When
    events = decide_claim(state, ClaimEmail(email="ann@example.com", user_id="ann"))
    # Then
    assert events == []


def test_an_email_claimed_by_someone_else_is_refused() -> None:
    # Given
    state = fold(claims.evolve, claims.initial, [EmailClaimed("ann")])
    # When / Then
    with pytest.raises(Conflict, match="email address is already registered"):
        decide_claim(state, ClaimEmail(email="ANN@example.com", user_id="bob"))


def test_claiming_an_implausible_email_is_refused() -> None:
    # Given
    state = claims.initial
    # When / Then
    with pytest.raises(InvalidCommand, match="email"):
        decide_claim(state, ClaimEmail(email="ann@", user_id="ann"))


def test_claiming_without_a_user_id_is_refused() -> None:
    # Given
    state = claims.initial
    # When / Then
    with pytest.raises(InvalidCommand, match="user_id is required"):
        decide_claim(state, ClaimHandle(handle="ann", user_id=""))


@pytest.mark.parametrize(
    ("kind", "claimed", "released"),
    [
        (ClaimKind.HANDLE, HandleClaimed("ann"), HandleReleased("ann", "erased")),
        (ClaimKind.EMAIL, EmailClaimed("ann"), EmailReleased("ann", "erased")),
    ],
    ids=["handle", "email"],
)
def test_the_holders_claim_is_released(kind: ClaimKind, claimed: ClaimEvent, released: ClaimEvent) -> None:
    # Given
    state = fold(claims.evolve, claims.initial, [claimed])
    # When
    events = decide_release(state, ReleaseClaim(kind, "ann"))
    # Then
    assert events == [released]
    assert fold(claims.evolve, state, events).claimed_by is None


def test_a_released_handle_is_claimed_by_anyone_the_former_holder_too() -> None:
    # Given
    history: list[ClaimEvent] = [HandleClaimed("ann"), HandleReleased("ann", "erased")]
    state = fold(claims.evolve, claims.initial, history)
    # When
    bob = decide_claim(state, ClaimHandle(handle="ann.b", user_id="bob"))
    ann = decide_claim(state, ClaimHandle(handle="ann.b", user_id="ann"))
    # Then
    assert bob == [HandleClaimed("bob")]
    assert ann == [HandleClaimed("ann")]


def test_a_released_email_can_be_registered_again() -> None:
    # Given
    history: list[ClaimEvent] = [EmailClaimed("ann"), EmailReleased("ann", "erased")]
    state = fold(claims.evolve, claims.initial, history)
    # When
    events = decide_claim(state, ClaimEmail(email="ann@example.com", user_id="bob"))
    # Then
    assert events == [EmailClaimed("bob")]


@pytest.mark.parametrize(
    "history",
    [
        [],
        [HandleClaimed("ann"), HandleReleased("ann", "erased")],
        [HandleClaimed("ann"), HandleClaimed("bob")],
    ],
    ids=["never claimed", "released already", "claimed by someone else since"],
)
def test_releasing_what_the_person_does_not_hold_records_nothing(history: list[ClaimEvent]) -> None:
    # Given
    state = fold(claims.evolve, claims.initial, history)
    # When
    events = decide_release(state, ReleaseClaim(ClaimKind.HANDLE, "ann"))
    # Then
    assert events == []


def test_releasing_without_a_user_id_is_refused() -> None:
    # Given
    state = fold(claims.evolve, claims.initial, [HandleClaimed("ann")])
    # When / Then
    with pytest.raises(InvalidCommand, match="user_id is required"):
        decide_release(state, ReleaseClaim(ClaimKind.HANDLE, ""))


def test_claim_keys_are_keyed_digests_that_hold_no_value() -> None:
    # Given
    secret, other = b"s" * 32, b"t" * 32
    # When
    key = claim_key(secret, "handle", handle_key(" Ann.B "))
    # Then: the same value under the same secret, never the value or its plain digest
    assert key == claim_key(secret, "handle", "ann.b")
    assert len(key) == 64
    assert set(key) <= set("0123456789abcdef")
    assert key != claim_key(other, "handle", "ann.b")
    assert key != claim_key(secret, "email", "ann.b")
    assert key != hashlib.sha256(b"ann.b").hexdigest()


def test_a_short_claim_secret_is_refused() -> None:
    # Given / When / Then
    with pytest.raises(ValueError, match="secret"):
        claim_key(b"short", "handle", "ann.b")


def test_handle_keys_ignore_case() -> None:
    # Given / When / Then
    assert handle_key(" Ann.B ") == handle_key("ann.b") == "ann.b"


def test_email_keys_ignore_case_and_spaces_and_hold_no_address() -> None:
    # Given / When
    key = email_key(" Ann@Example.COM ")
    # Then
    assert key == email_key("ann@example.com")
    assert len(key) == 64
    assert set(key) <= set("0123456789abcdef")


# -- log in ----------------------------------------------------------------------------------------


NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def log_in(matches: bool = True) -> LogIn:
    return LogIn(user_id="ann", password_matches=matches, session_id="s1", now=NOW, session_ttl=DAY)


def test_logging_in_with_the_right_password_is_recorded_and_starts_a_session() -> None:
    # Given
    state = registered()
    # When
    events = decide_log_in(state, log_in())
    # Then
    assert events == [
        UserLoggedIn(user_id="ann"),
        SessionStarted("ann", "s1", "2025-03-01T12:00:00.000+00:00", "2025-03-02T12:00:00.000+00:00"),
    ]


@pytest.mark.parametrize(
    ("state", "matches"),
    [(registered(), False), (given(), True), (registered(ErasureRequested("ann", "ann")), True)],
    ids=["wrong-password", "unknown-account", "erased-account"],
)
def test_a_failed_log_in_does_not_say_why(state: State, matches: bool) -> None:
    # Given: the state
    # When / Then
    with pytest.raises(InvalidCredentials, match="wrong handle or password"):
        decide_log_in(state, log_in(matches))


# -- profile ---------------------------------------------------------------------------------------


def test_changing_the_profile_records_the_whole_new_profile() -> None:
    # Given
    state = registered()
    cmd = ChangeProfile(
        ANN, display_name="Ann B", bio=" line one\r\nline two ", avatar_url="https://cdn/a.png"
    )
    # When
    events = decide_change_profile(state, cmd)
    # Then
    assert events == [ProfileChanged("ann", "Ann B", "line one\nline two", "https://cdn/a.png")]
    assert fold(evolve, state, events).bio == "line one\nline two"


def test_the_same_profile_again_records_nothing() -> None:
    # Given
    state = registered(ProfileChanged("ann", "Ann B", "hi", None))
    # When
    events = decide_change_profile(
        state, ChangeProfile(ANN, display_name=" Ann B", bio="hi ", avatar_url=" ")
    )
    # Then
    assert events == []


def test_a_fresh_account_with_its_own_name_and_no_bio_changes_nothing() -> None:
    # Given
    state = registered()
    # When
    events = decide_change_profile(state, ChangeProfile(ANN, display_name="Ann"))
    # Then
    assert events == []


@pytest.mark.parametrize(
    ("cmd", "message"),
    [
        (ChangeProfile(ANN, display_name=""), "display name must be at least 1"),
        (ChangeProfile(ANN, display_name="Ann", bio="x" * 161), "bio must be at most 160"),
        (ChangeProfile(ANN, display_name="Ann", bio="a\x00b"), "bio contains control"),
        (ChangeProfile(ANN, display_name="Ann", avatar_url="javascript:alert(1)"), "http or https"),
        (ChangeProfile(ANN, display_name="Ann", avatar_url="https://cdn/a b.png"), "http or https"),
    ],
    ids=["blank-name", "long-bio", "control-in-bio", "script-avatar", "space-in-avatar"],
)
def test_an_invalid_profile_is_refused(cmd: ChangeProfile, message: str) -> None:
    # Given
    state = registered()
    # When / Then
    with pytest.raises(InvalidCommand, match=message):
        decide_change_profile(state, cmd)


# -- password --------------------------------------------------------------------------------------


def test_changing_the_password_records_the_new_hash() -> None:
    # Given
    state = registered()
    # When
    events = decide_change_password(state, ChangePassword(ANN, "h2", current_password_matches=True))
    # Then
    assert events == [PasswordChanged("ann", "h2")]
    assert fold(evolve, state, events).password_hash == "h2"


def test_changing_the_password_without_the_current_one_is_refused() -> None:
    # Given
    state = registered()
    # When / Then
    with pytest.raises(NotAllowed, match="current password is wrong"):
        decide_change_password(state, ChangePassword(ANN, "h2", current_password_matches=False))


def test_changing_to_an_empty_password_hash_is_refused() -> None:
    # Given
    state = registered()
    # When / Then
    with pytest.raises(InvalidCommand, match="password hash is required"):
        decide_change_password(state, ChangePassword(ANN, " ", current_password_matches=True))


# -- role ------------------------------------------------------------------------------------------


def test_an_admin_sets_a_role() -> None:
    # Given
    state = registered()
    # When
    events = decide_set_role(state, SetRole(ADMIN, "ann", Role.MODERATOR))
    # Then
    assert events == [UserRoleChanged("ann", "moderator", changed_by="root")]
    assert fold(evolve, state, events).role is Role.MODERATOR


def test_setting_the_role_an_account_already_has_records_nothing() -> None:
    # Given
    state = registered(UserRoleChanged("ann", "moderator", "root"))
    # When
    events = decide_set_role(state, SetRole(ADMIN, "ann", Role.MODERATOR))
    # Then
    assert events == []


@pytest.mark.parametrize(
    "actor", [BOB, MODERATOR, Actor("ann", Role.AUDITOR)], ids=["user", "mod", "auditor"]
)
def test_only_an_admin_sets_roles(actor: Actor) -> None:
    # Given
    state = registered()
    # When / Then
    with pytest.raises(NotAllowed, match="only an admin"):
        decide_set_role(state, SetRole(actor, "ann", Role.ADMIN))


def test_an_admin_cannot_change_their_own_role() -> None:
    # Given
    state = registered(UserRoleChanged("ann", "admin", "root"))
    # When / Then
    with pytest.raises(NotAllowed, match="your own role"):
        decide_set_role(state, SetRole(Actor("ann", Role.ADMIN), "ann", Role.USER))


def test_state_of_another_account_is_a_wiring_bug() -> None:
    # Given
    state = registered()
    # When / Then
    with pytest.raises(ValueError, match="given for 'bob'"):
        decide_set_role(state, SetRole(ADMIN, "bob", Role.MODERATOR))


# -- consent ---------------------------------------------------------------------------------------


def test_giving_consent_is_recorded() -> None:
    # Given
    state = registered()
    # When
    events = decide_give_consent(state, GiveConsent(ANN))
    # Then
    assert events == [PersonalisationConsentGiven("ann")]
    assert fold(evolve, state, events).consent is True


def test_giving_consent_again_records_nothing() -> None:
    # Given
    state = registered(PersonalisationConsentGiven("ann"))
    # When / Then
    assert decide_give_consent(state, GiveConsent(ANN)) == []


def test_withdrawing_consent_is_recorded() -> None:
    # Given
    state = registered(PersonalisationConsentGiven("ann"))
    # When
    events = decide_withdraw_consent(state, WithdrawConsent(ANN))
    # Then
    assert events == [PersonalisationConsentWithdrawn("ann")]
    assert fold(evolve, state, events).consent is False


def test_withdrawing_consent_never_given_records_nothing() -> None:
    # Given
    state = registered()
    # When / Then
    assert decide_withdraw_consent(state, WithdrawConsent(ANN)) == []


# -- data export -----------------------------------------------------------------------------------


def test_requesting_a_data_export_is_recorded() -> None:
    # Given
    state = registered()
    # When
    events = decide_request_data_export(state, RequestDataExport(ANN, export_id="x1"))
    # Then
    assert events == [DataExportRequested("ann", "x1", requested_by="ann")]
    assert fold(evolve, state, events) == state


def test_requesting_a_data_export_without_an_id_is_refused() -> None:
    # Given
    state = registered()
    # When / Then
    with pytest.raises(InvalidCommand, match="export_id is required"):
        decide_request_data_export(state, RequestDataExport(ANN, export_id=""))


# -- erasure ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", [ANN, ADMIN], ids=["holder", "admin"])
def test_the_holder_or_an_admin_requests_erasure(actor: Actor) -> None:
    # Given
    state = registered()
    # When
    events = decide_request_erasure(state, RequestErasure(actor, "ann", "e1", ("handle-k1", "email-k2")))
    # Then
    assert events == [ErasureRequested("ann", actor.user_id, "e1", ["handle-k1", "email-k2"])]


def test_an_erasure_without_an_id_is_refused() -> None:
    # Given
    state = registered()
    # When / Then
    with pytest.raises(InvalidCommand, match="erasure_id is required"):
        decide_request_erasure(state, RequestErasure(ANN, "ann"))


@pytest.mark.parametrize("actor", [BOB, MODERATOR], ids=["user", "moderator"])
def test_nobody_else_requests_erasure(actor: Actor) -> None:
    # Given
    state = registered()
    # When / Then
    with pytest.raises(NotAllowed, match="holder or an admin"):
        decide_request_erasure(state, RequestErasure(actor, "ann", "e1"))


def test_an_erased_account_reads_as_erased_with_nothing_personal() -> None:
    # Given
    state = registered(ProfileChanged("ann", "Ann", "bio", "https://a"), PersonalisationConsentGiven("ann"))
    # When
    after = fold(evolve, state, decide_request_erasure(state, RequestErasure(ANN, "ann", "e1")))
    # Then
    assert after == State(user_id="ann", registered=True, erased=True, erasure_id="e1")


def test_an_account_whose_key_was_erased_still_folds() -> None:
    # Given: the sealed fields read back as None
    erased = {"handle": None, "email": None, "password_hash": None, "display_name": None}
    erased_data = {**REGISTERED.to_data(), **erased}
    restored = event_from_data("UserRegistered", erased_data)
    assert isinstance(restored, UserRegistered)
    # When
    state = given(restored)
    # Then
    assert (state.registered, state.handle, state.password_hash, state.display_name) == (
        True,
        None,
        None,
        None,
    )


ERASED = registered(ErasureRequested("ann", "ann", "e1"))
EVERY_ACCOUNT_COMMAND: dict[str, Callable[[State], list[Event]]] = {
    "register": lambda s: decide_register(s, register()),
    "profile": lambda s: decide_change_profile(s, ChangeProfile(ANN, "Ann")),
    "password": lambda s: decide_change_password(s, ChangePassword(ANN, "h2", True)),
    "role": lambda s: decide_set_role(s, SetRole(ADMIN, "ann", Role.MODERATOR)),
    "give-consent": lambda s: decide_give_consent(s, GiveConsent(ANN)),
    "withdraw-consent": lambda s: decide_withdraw_consent(s, WithdrawConsent(ANN)),
    "export": lambda s: decide_request_data_export(s, RequestDataExport(ANN, "x1")),
    "erasure": lambda s: decide_request_erasure(s, RequestErasure(ANN, "ann", "e2")),
}
SELF_SERVICE = ["profile", "password", "give-consent", "withdraw-consent", "export"]


@pytest.mark.parametrize("command", sorted(EVERY_ACCOUNT_COMMAND))
def test_an_erased_account_accepts_nothing(command: str) -> None:
    # Given
    state = ERASED
    # When / Then
    with pytest.raises(Conflict, match=r"already registered|was erased"):
        EVERY_ACCOUNT_COMMAND[command](state)


@pytest.mark.parametrize("command", sorted(set(EVERY_ACCOUNT_COMMAND) - {"register"}))
def test_an_unknown_account_is_not_found(command: str) -> None:
    # Given
    state = given()
    # When / Then
    with pytest.raises(NotFound, match="account not found"):
        EVERY_ACCOUNT_COMMAND[command](state)


@pytest.mark.parametrize("command", SELF_SERVICE)
def test_only_the_holder_acts_on_their_own_account(command: str) -> None:
    # Given: bob's account, and commands from ann
    state = fold(evolve, initial, [UserRegistered("bob", "bob", "bob@example.com", "h", "Bob")])
    # When / Then
    with pytest.raises(NotAllowed, match="only the account holder"):
        EVERY_ACCOUNT_COMMAND[command](state)


def test_not_even_an_admin_acts_on_someone_elses_profile() -> None:
    # Given
    state = registered()
    # When / Then
    with pytest.raises(NotAllowed, match="only the account holder"):
        decide_change_profile(state, ChangeProfile(ADMIN, "Ann"))


# -- stored shape ----------------------------------------------------------------------------------

EVENTS: list[DomainEvent] = [
    REGISTERED,
    UserLoggedIn("ann"),
    ProfileChanged("ann", "Ann", "bio", None),
    PasswordChanged("ann", "h2"),
    UserRoleChanged("ann", "admin", "root"),
    PersonalisationConsentGiven("ann"),
    PersonalisationConsentWithdrawn("ann"),
    DataExportRequested("ann", "x1", "ann"),
    ErasureRequested("ann", "root", "e1", ["handle-k1", "email-k2"]),
    SessionStarted("ann", "s1", "2025-03-01T12:00:00.000+00:00", "2025-03-31T12:00:00.000+00:00"),
    SessionRefreshed("ann", "s1", 1, "2025-03-01T12:10:00.000+00:00", "2025-03-31T12:10:00.000+00:00"),
    SessionEnded("ann", "s1", "signed_out"),
    SessionsEnded("ann", "password_changed", "s2"),
    HandleClaimed("ann"),
    EmailClaimed("ann"),
    HandleReleased("ann", "erased"),
    EmailReleased("ann", "erased"),
]


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: type(e).__name__)
def test_each_event_round_trips_through_its_stored_data(event: DomainEvent) -> None:
    # Given
    data = json.loads(json.dumps(event.to_data()))
    # When
    restored = event_from_data(event.event_type, data)
    # Then
    assert restored == event


def test_personal_fields_are_sealed_with_the_account_holders_key() -> None:
    # Given / When / Then
    assert REGISTERED.personal_fields == ("handle", "email", "password_hash", "display_name")
    assert ProfileChanged.personal_fields == ("display_name", "bio", "avatar_url")
    assert PasswordChanged.personal_fields == ("password_hash",)
    assert REGISTERED.subject() == "ann"
    assert EmailClaimed.personal_fields == HandleClaimed.personal_fields == ()  # they hold no value


@pytest.mark.parametrize(
    ("event_type", "old", "new"),
    [
        ("HandleClaimed", {"handle": "Ann.B", "user_id": "ann"}, HandleClaimed("ann")),
        ("EmailClaimed", {"email_key": email_key("ann@example.com"), "user_id": "ann"}, EmailClaimed("ann")),
        (
            "ErasureRequested",
            {"user_id": "ann", "requested_by": "ann"},
            ErasureRequested("ann", "ann", None, []),
        ),
    ],
    ids=["handle claim", "email claim", "erasure"],
)
def test_version_1_events_read_as_the_newest_shape(
    event_type: str, old: dict[str, str], new: DomainEvent
) -> None:
    # Given
    upcast = UPCASTERS[(event_type, 1)]
    # When
    restored = event_from_data(event_type, upcast(old))
    # Then: a claim's value is dropped; an old erasure has no receipt and names no claims
    assert restored == new
