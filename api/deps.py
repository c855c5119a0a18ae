"""Dependencies routes declare: the write-side ports, the caller, and the command request."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Path
from fastapi import Request as HttpRequest
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.problems import Problem
from api.state import AppState
from api.tokens import unauthenticated
from commands.context import Ports, Request
from commands.idempotency import check_key
from domain.actors import Actor
from domain.errors import InvalidCommand, InvalidCredentials
from services.sessions import SignedIn

_bearer = HTTPBearer(auto_error=False, description="A token from POST /v1/auth/token")


async def app_state(http: HttpRequest) -> AppState:
    state: AppState = http.app.state.strom
    return state


AppStateDep = Annotated[AppState, Depends(app_state)]


async def ports(state: AppStateDep) -> Ports:
    return state.ports


PortsDep = Annotated[Ports, Depends(ports)]


Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


async def optional_session(http: HttpRequest, creds: Bearer) -> SignedIn | None:
    """The signed-in caller, if a bearer token came (``signed_in``). FastAPI resolves it once per
    request, however many dependencies ask for it."""
    return None if creds is None else signed_in(http.app.state.strom, creds.credentials)


async def optional_actor(session: Annotated[SignedIn | None, Depends(optional_session)]) -> Actor | None:
    return None if session is None else session.actor


async def current_session(http: HttpRequest, creds: Bearer) -> SignedIn:
    """As ``optional_session``, but a token is needed. Each is one dependency on the request and the
    bearer, not a chain: FastAPI's cost per request grows with every dependency it solves."""
    if creds is None:
        raise unauthenticated(_SIGN_IN)
    return signed_in(http.app.state.strom, creds.credentials)


def signed_in(state: AppState, token: str) -> SignedIn:
    """A bearer token is checked, then its session judged against the account as it stands now
    (ended, expired, erased: 401), so the actor carries the account's current role, never the
    token's."""
    claims = state.tokens.verify(token)
    try:
        return state.gate.admit(claims.user_id, claims.session_id)
    except InvalidCredentials as exc:
        raise unauthenticated(str(exc)) from exc


async def current_actor(session: Annotated[SignedIn, Depends(current_session)]) -> Actor:
    return session.actor


_SIGN_IN = "sign in first: send 'Authorization: Bearer <token>'"


CurrentSession = Annotated[SignedIn, Depends(current_session)]
CurrentActor = Annotated[Actor, Depends(current_actor)]


#: What a suspended person may still do: appeal, and what privacy law and their own security give
#: them (sign out, change their password, withdraw consent, export or erase their data, take their
#: picture down).
WHILE_SUSPENDED = frozenset(
    {
        ("POST", "/v1/me/appeals"),
        ("POST", "/v1/auth/sign-out"),
        ("DELETE", "/v1/me/sessions"),
        ("PUT", "/v1/me/password"),
        ("PUT", "/v1/me/consent"),
        ("POST", "/v1/me/export"),
        ("DELETE", "/v1/me"),
        ("DELETE", "/v1/me/avatar"),
    }
)


async def command_request(
    state: AppStateDep,
    session: CurrentSession,
    http: HttpRequest,
    idempotency_key: Annotated[
        str | None, Header(description="Retries with the same key apply once.")
    ] = None,
    x_correlation_id: Annotated[str | None, Header(max_length=128, pattern=r"^[\x21-\x7e]+$")] = None,
) -> Request:
    """The write request of a signed-in actor, after its rate limit; a suspended one is refused (403,
    naming the suspension and its end) but for ``WHILE_SUSPENDED``."""
    return write_request(state, session, http, idempotency_key, x_correlation_id)


def write_request(
    state: AppState,
    session: SignedIn,
    http: HttpRequest,
    idempotency_key: str | None,
    x_correlation_id: str | None = None,
) -> Request:
    """``command_request`` once its parameters are read (``api.short_path`` calls it too)."""
    actor = session.actor
    _ensure_not_suspended(session, http)
    state.limiter.check(actor.user_id)
    if idempotency_key is not None:
        try:
            check_key(idempotency_key)
        except InvalidCommand as exc:
            raise Problem(400, str(exc)) from exc
    extra = {"correlation_id": x_correlation_id} if x_correlation_id else {}
    return Request(actor=actor, idempotency_key=idempotency_key, **extra)


CommandRequest = Annotated[Request, Depends(command_request)]


def _ensure_not_suspended(session: SignedIn, http: HttpRequest) -> None:
    suspension = session.suspension
    route = http.scope.get("route")
    if suspension is None or (http.method, getattr(route, "path", http.url.path)) in WHILE_SUSPENDED:
        return
    until = None if suspension.until is None else suspension.until.isoformat()
    ending = "until a moderator lifts it" if until is None else f"until {until}"
    detail = f"your account is suspended {ending}; you may still read, and appeal (POST /v1/me/appeals)"
    raise Problem(403, detail, restriction="suspended", until=until)


#: Our ids are UUIDs (time-ordered v7); anything else is refused before it reaches a handler.
UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
IdPath = Annotated[str, Path(pattern=UUID_PATTERN)]
