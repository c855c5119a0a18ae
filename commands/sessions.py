"""Sessions: started by a verified log-in, rotated by refresh, ended by sign-out.

A refresh token is ``<user_id>.<session_id>.<generation>.<mac>``, the mac an HMAC-SHA256 (with a
key only the server holds) over the other three parts. The log records sessions and generations,
never a token, so reading the log does not let anyone in; and since only the current generation
is accepted, a rotated token that comes back (stolen, or replayed) ends its session.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from commands import streams
from commands.aggregates import ACCOUNT
from commands.context import Outcome, Ports, Request
from commands.handling import execute
from domain import accounts
from domain.actors import Actor
from domain.errors import InvalidCredentials

Clock = Callable[[], datetime]

#: A session not refreshed for this long ends by itself; each refresh slides it.
DEFAULT_SESSION_TTL = timedelta(days=30)
REFRESH_REFUSED = "the refresh token is not valid; sign in again"
REFRESH_REUSED = "this refresh token was already used, so its session was ended; sign in again"
_ID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_REFRESH_TOKEN = re.compile(rf"({_ID})\.({_ID})\.(0|[1-9][0-9]{{0,8}})\.([A-Za-z0-9_-]{{43}})")


def _now() -> datetime:
    return datetime.now(UTC)


@dataclasses.dataclass(frozen=True, slots=True)
class SessionConfig:
    """What the session handlers need besides the ports: the refresh-token key, how long an
    unrefreshed session lasts, and the clock whose ``now`` the domain is given."""

    refresh_key: bytes
    ttl: timedelta = DEFAULT_SESSION_TTL
    clock: Clock = _now


@dataclasses.dataclass(frozen=True, slots=True)
class Granted:
    """A session started or refreshed: whom to issue an access token for, and the refresh token."""

    actor: Actor
    session_id: str
    refresh_token: str
    expires_at: datetime  # the session's, unless refreshed before
    position: int


@dataclasses.dataclass(frozen=True, slots=True)
class RefreshClaim:
    user_id: str
    session_id: str
    generation: int


# -- refresh tokens --------------------------------------------------------------------------------


def refresh_token(key: bytes, claim: RefreshClaim) -> str:
    body = f"{claim.user_id}.{claim.session_id}.{claim.generation}"
    return f"{body}.{_mac(key, body)}"


def read_refresh_token(key: bytes, token: str) -> RefreshClaim:
    """The claim of a token this server made; anything else is refused alike."""
    match = _REFRESH_TOKEN.fullmatch(token)
    if match is None:
        raise InvalidCredentials(REFRESH_REFUSED)
    user_id, session_id, generation, mac = match.groups()
    if not hmac.compare_digest(mac, _mac(key, f"{user_id}.{session_id}.{generation}")):
        raise InvalidCredentials(REFRESH_REFUSED)
    return RefreshClaim(user_id, session_id, int(generation))


def _mac(key: bytes, body: str) -> str:
    digest = hmac.new(key, body.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


# -- handlers --------------------------------------------------------------------------------------


def start_session(
    user_id: str,
    *,
    verified: Callable[[accounts.State], bool],
    ports: Ports,
    request: Request,
    config: SessionConfig,
) -> Granted:
    """Records the log-in and its new session. ``verified`` says whether the password was right
    against the account as loaded (the log-in's argon2 check; always true for a caller that has
    already verified the person some other way)."""
    session_id = request.new_id("session")
    now = config.clock()
    decided: list[accounts.State] = []

    def decide(state: accounts.State) -> list[accounts.Event]:
        decided.append(state)
        log_in = accounts.LogIn(user_id, verified(state), session_id, now, config.ttl)
        return accounts.decide_log_in(state, log_in)

    outcome = execute(ports, _acting_as(request, user_id), streams.user(user_id), ACCOUNT, decide)
    claim = RefreshClaim(user_id, session_id, 0)
    return _granted(decided[-1], claim, now + config.ttl, outcome, config)


def refresh_session(token: str, *, ports: Ports, request: Request, config: SessionConfig) -> Granted:
    """Rotates the session's refresh token; a token already rotated away ends the session (the
    end is recorded, then the refresh refused)."""
    claim = read_refresh_token(config.refresh_key, token)
    now = config.clock()
    cmd = accounts.RefreshSession(claim.user_id, claim.session_id, claim.generation, now, config.ttl)
    decided: list[tuple[accounts.State, list[accounts.Event]]] = []

    def decide(state: accounts.State) -> list[accounts.Event]:
        decided.append((state, accounts.decide_refresh_session(state, cmd)))
        return decided[-1][1]

    stream = streams.user(claim.user_id)
    outcome = execute(ports, _acting_as(request, claim.user_id), stream, ACCOUNT, decide)
    state, events = decided[-1]
    if not events or not isinstance(events[-1], accounts.SessionRefreshed):
        raise InvalidCredentials(REFRESH_REUSED)
    rotated = dataclasses.replace(claim, generation=events[-1].generation)
    return _granted(state, rotated, now + config.ttl, outcome, config)


def sign_out(cmd: accounts.SignOut, *, ports: Ports, request: Request) -> Outcome:
    return _on_account(ports, request, cmd.actor.user_id, lambda s: accounts.decide_sign_out(s, cmd))


def sign_out_everywhere(cmd: accounts.SignOutEverywhere, *, ports: Ports, request: Request) -> Outcome:
    return _on_account(
        ports, request, cmd.actor.user_id, lambda s: accounts.decide_sign_out_everywhere(s, cmd)
    )


def _granted(
    state: accounts.State, claim: RefreshClaim, expires_at: datetime, outcome: Outcome, config: SessionConfig
) -> Granted:
    actor = Actor(claim.user_id, state.role)
    token = refresh_token(config.refresh_key, claim)
    return Granted(actor, claim.session_id, token, expires_at, outcome.position)


def _on_account(
    ports: Ports, request: Request, user_id: str, decide: Callable[[accounts.State], list[accounts.Event]]
) -> Outcome:
    return execute(ports, request, streams.user(user_id), ACCOUNT, decide)


def _acting_as(request: Request, user_id: str) -> Request:
    return dataclasses.replace(request, actor=Actor(user_id))
