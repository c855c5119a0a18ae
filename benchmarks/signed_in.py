"""People with accounts and live sessions, written straight into a log before the API opens it, and
access tokens that API (run with the same secret) accepts: every request is judged by the session
gate against the account, so a benchmark's users must be as real as anyone's."""

from __future__ import annotations

from api.tokens import Tokens
from commands import streams
from commands.accounts import ANONYMOUS
from commands.aggregates import ACCOUNT
from commands.context import Ports, Request
from commands.handling import execute
from commands.sessions import SessionConfig, start_session
from domain import accounts
from domain.actors import Actor
from eventstore.ids import uuid7

#: Longer than any run: the benchmarks measure requests, not renewals.
TOKEN_TTL_S = 3600
#: Refresh tokens are not used by the benchmarks; their key only has to be some key.
_SESSIONS = SessionConfig(refresh_key=b"benchmarks do not refresh".ljust(32, b"."))


def account(ports: Ports, user_id: str | None = None) -> str:
    """An account recorded through the domain, with no claims and no password that works (no argon2)."""
    user_id = user_id or str(uuid7())
    handle = f"b{user_id.replace('-', '')[-12:]}"
    cmd = accounts.RegisterUser(user_id, handle, f"{handle}@example.com", "no-password", handle)
    decide = lambda state: accounts.decide_register(state, cmd)  # noqa: E731
    execute(ports, Request(Actor(user_id)), streams.user(user_id), ACCOUNT, decide)
    return user_id


def access_token(ports: Ports, secret: str, user_id: str) -> str:
    """Starts a session of an existing account, as a verified log-in does, and signs its token."""
    granted = start_session(
        user_id, verified=lambda _: True, ports=ports, request=Request(ANONYMOUS), config=_SESSIONS
    )
    return Tokens(secret, TOKEN_TTL_S).issue(granted.actor, granted.session_id)


def bearer_headers(ports: Ports, secret: str, count: int) -> list[dict[str, str]]:
    """``count`` new people, each signed in once."""
    return [{"Authorization": f"Bearer {access_token(ports, secret, account(ports))}"} for _ in range(count)]
