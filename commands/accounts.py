"""Accounts: registration with unique handles and email addresses, log-in, profile, role, consent,
data export and erasure (crypto-shredding). Sessions, which log-in starts, are in ``sessions``.

Handles and email addresses are kept unique by claim streams named by a keyed digest of the value
(``claim_streams``), appended with expected version "no stream" before the account itself
(DESIGN.md §3). A value claimed before the names were keyed is held under its legacy name: a
registration checks that name too, and a log-in falls back to it, but claims only under the keyed
one.

A claim is free again once released (the erasure cascade releases an erased account's claims), and
is treated as free, before that, in two cases: its holder's account was erased (the release may not
have been recorded yet, or, for an erasure recorded before claims were released, never will), or
it is *abandoned*: its holder never got an account, it is older than ``CLAIM_GRACE`` and
``user-<holder>`` still does not exist. The new claim is then appended after the old one, so the
stream says who holds the value now.

Erasure writes down the names of the account's claim streams in ``ErasureRequested`` before the
data key goes: afterwards nothing can tell the handle or the address, so nothing could find them.
"""

from __future__ import annotations

import dataclasses
import functools
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from commands import claim_streams, passwords, streams
from commands.aggregates import ACCOUNT, CLAIM
from commands.context import Outcome, Ports, Request
from commands.handling import execute, load, store_errors
from commands.passwords import check_strength, hash_password, matches
from commands.sessions import Granted, SessionConfig, start_session
from domain import accounts
from domain.accounts import ClaimEmail, ClaimHandle, ReleaseClaim, claims, rules
from domain.actors import Actor, Role
from domain.errors import Conflict, InvalidCommand, InvalidCredentials
from domain.screening import ensure_free_of_watched_words

Clock = Callable[[], datetime]


#: Whoever registers or logs in before they have a token; scopes their Idempotency-Keys.
ANONYMOUS = Actor("anonymous")
#: The operator at the shell (``strom users grant-role``), e.g. to make the first admin.
OPERATOR = Actor("system:operator", Role.ADMIN)
#: How long a claim whose holder has no account yet is held for a registration still in flight.
CLAIM_GRACE = timedelta(seconds=60)
LOGIN_FAILED = "wrong login or password"


def _now() -> datetime:
    return datetime.now(UTC)


# -- commands the domain does not have: they carry passwords in the clear -------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class NewAccount:
    handle: str
    email: str
    password: str
    display_name: str


@dataclasses.dataclass(frozen=True, slots=True)
class Credentials:
    login: str  # a handle or an email address
    password: str


@dataclasses.dataclass(frozen=True, slots=True)
class PasswordChange:
    """``session_id`` is the session asking: it goes on, every other session of the account ends."""

    actor: Actor
    current_password: str
    new_password: str
    session_id: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Registered:
    user_id: str
    position: int


@dataclasses.dataclass(frozen=True, slots=True)
class Erasing:
    """An erasure under way: ``erasure_id`` is the holder's receipt (``GET /v1/erasures/{id}``)."""

    user_id: str
    erasure_id: str
    position: int


Claim = ClaimHandle | ClaimEmail


# -- registration ---------------------------------------------------------------------------------


def register_user(cmd: NewAccount, *, ports: Ports, request: Request, clock: Clock = _now) -> Registered:
    """Claim the email, then the handle, then record the account; each step is safe to retry.

    Everything is validated (and the password hashed) before anything is claimed, and both claims
    are checked before either is made, so a taken handle or email claims nothing. Only a race lost
    between the two claims leaves a claim without an account; it is abandoned (see the module).
    With an Idempotency-Key the user id and event ids come from the key, so a retry whose first
    attempt was cut short anywhere finishes it, and one that had finished records nothing new.
    """
    check_strength(cmd.password)
    handle, email = rules.valid_handle(cmd.handle), rules.valid_email(cmd.email)
    ensure_free_of_watched_words(handle, ports.screening.current().words, field="the handle")
    rules.valid_display_name(cmd.display_name)  # all refused before the (slow) hashing
    user_id = request.new_id("user")
    password_hash = hash_password(cmd.password)
    draft = accounts.RegisterUser(user_id, cmd.handle, cmd.email, password_hash, cmd.display_name)
    accounts.decide_register(accounts.initial, draft)  # every rule of the domain, before any claim
    wanted: list[tuple[claim_streams.ClaimStreams, Claim]] = [
        (claim_streams.of_email(ports.keys, email), ClaimEmail(email, user_id)),
        (claim_streams.of_handle(ports.keys, handle), ClaimHandle(handle, user_id)),
    ]
    now = clock()
    for names, claim in wanted:
        _decide_claim(ports, names.legacy, load(ports, names.legacy, CLAIM).state, claim, now)
        _decide_claim(ports, names.keyed, load(ports, names.keyed, CLAIM).state, claim, now)
    as_user = _acting_as(request, user_id)
    for names, claim in wanted:
        _claim(ports, as_user, names.keyed, claim, now)
    for names, claim in wanted:
        _ensure_still_held(ports, names.keyed, claim)

    def decide(state: accounts.State) -> list[accounts.Event]:
        if state.registered and state.handle == handle:
            return []  # this very registration, recorded by an earlier attempt with the same key
        return accounts.decide_register(state, draft)

    outcome = execute(ports, as_user, streams.user(user_id), ACCOUNT, decide)
    return Registered(user_id=user_id, position=outcome.position)


def _claim(ports: Ports, request: Request, stream: str, cmd: Claim, now: datetime) -> None:
    execute(ports, request, stream, CLAIM, lambda state: _decide_claim(ports, stream, state, cmd, now))


def _decide_claim(
    ports: Ports, stream: str, state: claims.State, cmd: Claim, now: datetime
) -> list[accounts.ClaimEvent]:
    holder = state.claimed_by
    if holder is not None and holder != cmd.user_id and _free(ports, stream, holder, now):
        state = claims.initial
    return claims.decide_claim(state, cmd)


def _free(ports: Ports, stream: str, holder: str, now: datetime) -> bool:
    """Held, but by an account that was erased, or abandoned (see the module)."""
    with store_errors():
        registered = ports.store.stream_version(streams.user(holder)) is not None
    if registered:
        return load(ports, streams.user(holder), ACCOUNT).state.erased
    with store_errors():
        (last,) = ports.store.read_stream(stream, backwards=True, limit=1)
    return now - datetime.fromisoformat(last.metadata.occurred_at) >= CLAIM_GRACE


def _ensure_still_held(ports: Ports, stream: str, cmd: Claim) -> None:
    """Just before the account is recorded: a registration stalled past the grace may have lost a
    claim to someone else, and must then not record an account with a value it no longer holds."""
    state = load(ports, stream, CLAIM).state
    if state.claimed_by != cmd.user_id:
        claims.decide_claim(state, cmd)  # raises the domain's words for a value someone else holds
        raise Conflict("the registration was interrupted; try again")


# -- log-in ---------------------------------------------------------------------------------------


def find_user_id(login: str, *, ports: Ports) -> str | None:
    """Who holds this handle or email address (``None``: nobody). Handles never contain ``@``."""
    try:
        if "@" in login:
            names = claim_streams.of_email(ports.keys, rules.valid_email(login))
        else:
            names = claim_streams.of_handle(ports.keys, rules.valid_handle(login))
    except InvalidCommand:
        return None  # nobody can hold what could never be claimed
    holder = load(ports, names.keyed, CLAIM).state.claimed_by
    return holder if holder is not None else load(ports, names.legacy, CLAIM).state.claimed_by


def log_in(cmd: Credentials, *, ports: Ports, request: Request, sessions: SessionConfig) -> Granted:
    """Starts a session. Unknown login, erased account and wrong password fail alike, in words
    and in time."""
    user_id = find_user_id(cmd.login, ports=ports)
    if user_id is None:
        _verify(None, cmd.password)
        raise InvalidCredentials(LOGIN_FAILED)
    verified = functools.cache(lambda password_hash: _verify(password_hash, cmd.password))
    try:
        return start_session(
            user_id,
            verified=lambda state: verified(state.password_hash),
            ports=ports,
            request=request,
            config=sessions,
        )
    except InvalidCredentials:
        raise InvalidCredentials(LOGIN_FAILED) from None


@functools.cache
def _decoy_hash() -> str:
    return passwords.hash_password("no account has this password 7f3a")


def _verify(password_hash: str | None, password: str) -> bool:
    """Always runs argon2, so a login without an account takes as long as one with a wrong password."""
    return matches(password_hash or _decoy_hash(), password) and password_hash is not None


def _acting_as(request: Request, user_id: str) -> Request:
    return dataclasses.replace(request, actor=Actor(user_id))


# -- the account holder's own changes --------------------------------------------------------------


def change_profile(cmd: accounts.ChangeProfile, *, ports: Ports, request: Request) -> Outcome:
    return _on_account(ports, request, cmd.actor.user_id, lambda s: accounts.decide_change_profile(s, cmd))


def change_password(cmd: PasswordChange, *, ports: Ports, request: Request) -> Outcome:
    """The current password is checked against the freshest hash; the new one is hashed only once
    the current one was right (a wrong one is refused before the hash is looked at). Every session
    but ``cmd.session_id`` ends with the change."""
    check_strength(cmd.new_password)
    verified = functools.cache(lambda password_hash: matches(password_hash, cmd.current_password))
    new_hash = functools.cache(lambda: hash_password(cmd.new_password))

    def decide(state: accounts.State) -> list[accounts.Event]:
        right = verified(state.password_hash)
        change = accounts.ChangePassword(cmd.actor, new_hash() if right else "", right, cmd.session_id)
        return accounts.decide_change_password(state, change)

    return _on_account(ports, request, cmd.actor.user_id, decide)


def give_consent(cmd: accounts.GiveConsent, *, ports: Ports, request: Request) -> Outcome:
    return _on_account(ports, request, cmd.actor.user_id, lambda s: accounts.decide_give_consent(s, cmd))


def consent_of(user_id: str, *, ports: Ports) -> bool:
    """Read from the account itself, the one authority on it (the feed reads a projection of it)."""
    return load(ports, streams.user(user_id), ACCOUNT).state.consent


def withdraw_consent(cmd: accounts.WithdrawConsent, *, ports: Ports, request: Request) -> Outcome:
    return _on_account(ports, request, cmd.actor.user_id, lambda s: accounts.decide_withdraw_consent(s, cmd))


def request_data_export(cmd: accounts.RequestDataExport, *, ports: Ports, request: Request) -> Outcome:
    """Recorded here; the export itself is a job a process manager starts from the event."""
    return _on_account(
        ports, request, cmd.actor.user_id, lambda s: accounts.decide_request_data_export(s, cmd)
    )


# -- roles and erasure -----------------------------------------------------------------------------


def set_role(cmd: accounts.SetRole, *, ports: Ports, request: Request) -> Outcome:
    """Admins only. Every session of the account ends with the change, so the holder signs in
    again; until then, each request is judged on the role the account has now."""
    return _on_account(ports, request, cmd.user_id, lambda s: accounts.decide_set_role(s, cmd))


def grant_role(user_id: str, role: Role, *, ports: Ports) -> Outcome:
    """The operator's way in, e.g. for the first admin: decided like an admin's, as ``OPERATOR``."""
    return set_role(accounts.SetRole(OPERATOR, user_id, role), ports=ports, request=Request(OPERATOR))


def request_erasure(cmd: accounts.RequestErasure, *, ports: Ports, request: Request) -> Erasing:
    """Record the erasure, then delete the holder's data key: their sealed fields read as erased
    everywhere, while every stream's hash chain still verifies. The erasure cascade does the rest.

    The erasure gets an unguessable id (random, not derived from anything a caller knows), unless
    the command brings one. Asked again by someone allowed to (the holder or an admin), it records
    nothing, deletes the key again (so a request cut short between the event and the key deletion
    can be finished) and answers the first request's erasure id.
    """
    erasure_id = cmd.erasure_id or str(uuid.uuid4())

    def decide(state: accounts.State) -> list[accounts.Event]:
        allowed = cmd.actor.user_id == state.user_id or cmd.actor.role is Role.ADMIN
        if state.erased and state.user_id == cmd.user_id and allowed:
            return []
        held = tuple(claims_held(state, ports=ports)) if state.registered else ()
        erasing = dataclasses.replace(cmd, erasure_id=erasure_id, claims=held)
        return accounts.decide_request_erasure(state, erasing)

    outcome = _on_account(ports, request, cmd.user_id, decide)
    with store_errors():
        ports.keys.erase(cmd.user_id)
    return Erasing(cmd.user_id, erasure_id_of(cmd.user_id, ports=ports), outcome.position)


def claims_held(state: accounts.State, *, ports: Ports) -> list[str]:
    """The claim streams to release when this account is erased: the keyed names of its handle and
    address, and any legacy name the account holds. Needs the handle and the address, so it is
    asked before the key goes; for an account erased before (whose handle may be on record in
    clear, and whose address is not), whatever can still be told."""
    found: list[claim_streams.ClaimStreams] = []
    if state.handle is not None:
        found.append(claim_streams.of_handle(ports.keys, state.handle))
    if state.email is not None:
        found.append(claim_streams.of_email(ports.keys, state.email))
    held = [names.keyed for names in found]
    held += [n.legacy for n in found if load(ports, n.legacy, CLAIM).state.claimed_by == state.user_id]
    return held


def as_registered(user_id: str, *, ports: Ports) -> accounts.State:
    """The account as its registration reads now: what ``claims_held`` can still tell of an account
    erased before erasures named their claims (its handle, if that was recorded in clear)."""
    with store_errors():
        records = ports.store.read_stream(streams.user(user_id), limit=1)
    state = accounts.initial
    for record in records:
        event = ports.codec.decode(record).event
        if isinstance(event, accounts.UserRegistered):
            state = accounts.evolve(state, event)
    return state


def erasure_id_of(user_id: str, *, ports: Ports) -> str:
    """The id of the account's erasure: its own, or for an erasure recorded before erasures had
    ids, that of its ``ErasureRequested`` event (``domain.erasures.record_id``)."""
    state = load(ports, streams.user(user_id), ACCOUNT).state
    if state.erasure_id is not None:
        return state.erasure_id
    with store_errors():
        records = ports.store.read_stream(streams.user(user_id))
    requested = [r for r in records if r.type == accounts.ErasureRequested.event_type]
    if not requested:
        raise Conflict("the account was not erased")
    return requested[0].event_id


def release_claim(stream: str, user_id: str, *, ports: Ports, request: Request) -> Outcome:
    """Ends ``user_id``'s claim on ``stream``; what they do not hold (any more) records nothing."""
    kind = claim_streams.kind_of(stream)
    if kind is None:
        raise InvalidCommand(f"{stream!r} is not a claim stream")
    cmd = ReleaseClaim(kind, user_id)
    return execute(ports, request, stream, CLAIM, lambda state: claims.decide_release(state, cmd))


def _on_account(
    ports: Ports,
    request: Request,
    user_id: str,
    decide: Callable[[accounts.State], Sequence[accounts.Event]],
) -> Outcome:
    return execute(ports, request, streams.user(user_id), ACCOUNT, decide)
