"""Accounts: registration, sessions and tokens, the signed-in user's own account, and what admins
do to others.

Every command that answers a body goes through ``run``, so an Idempotency-Key replays its first
response. The exceptions: ``POST /v1/auth/token`` and ``POST /v1/auth/refresh``, whose responses
are secrets that must never be stored, and the sign-outs, which answer nothing and change nothing
when repeated.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Response
from fastapi import Request as HttpRequest
from pydantic import BaseModel, ConfigDict, Field

from api.commanding import run
from api.deps import AppStateDep, CommandRequest, CurrentActor, CurrentSession, IdPath
from api.problems import Problem, problems
from api.responses import JSONBytes
from api.state import AppState
from commands import accounts as handlers
from commands import sessions
from commands.context import Request
from commands.idempotency import check_key
from domain import accounts
from domain.accounts import rules
from domain.actors import Role
from domain.errors import InvalidCommand

router = APIRouter(prefix="/v1", tags=["accounts"])

Position = Annotated[
    int, Field(description="Global position of the last event; pass as min_position to read it")
]
Handle = Annotated[
    str,
    Field(
        min_length=rules.HANDLE_MIN,
        max_length=rules.HANDLE_MAX,
        pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.]*$",
        description="Letters A-Z, digits, '_' and '.'; unique regardless of case",
    ),
]
Email = Annotated[str, Field(min_length=3, max_length=rules.EMAIL_MAX)]
Password = Annotated[str, Field(min_length=8, max_length=256, description="8..256 characters")]
DisplayName = Annotated[str, Field(min_length=1, max_length=rules.DISPLAY_NAME_MAX)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- requests --------------------------------------------------------------------------------------


class AccountCreate(_Body):
    handle: Handle
    email: Email
    password: Password
    display_name: DisplayName


class TokenCreate(_Body):
    login: Annotated[str, Field(min_length=1, max_length=254, description="Your handle or email address")]
    password: Annotated[str, Field(min_length=1, max_length=256)]


class TokenRefresh(_Body):
    refresh_token: Annotated[
        str, Field(min_length=1, max_length=200, description="The latest refresh_token you were given")
    ]


class ProfileUpdate(_Body):
    """The whole profile as it should stand: a blank bio clears it, no avatar_url removes it."""

    display_name: DisplayName
    bio: Annotated[str, Field(max_length=rules.BIO_MAX, description="Line breaks allowed")] = ""
    avatar_url: Annotated[str | None, Field(max_length=500, pattern=r"^https://[^\s/?#]+\S*$")] = None


class PasswordUpdate(_Body):
    current_password: Annotated[str, Field(min_length=1, max_length=256)]
    new_password: Password


class ConsentUpdate(_Body):
    personalisation: Annotated[
        bool, Field(strict=True, description="Whether the For You feed may learn from what you do")
    ]


class RoleUpdate(_Body):
    role: Role


# -- responses -------------------------------------------------------------------------------------


class AccountCreated(_Body):
    user_id: str
    position: Position


class TokenIssued(_Body):
    access_token: str
    token_type: str = Field(default="bearer", description="Always 'bearer'")
    expires_in: int = Field(description="Seconds the access token stays valid")
    refresh_token: str = Field(description="Trade it at POST /v1/auth/refresh for a new pair; once only")
    refresh_expires_in: int = Field(description="Seconds the session lasts unless refreshed before")
    user_id: str
    role: Role = Field(description="The role now; for display: the server judges each request afresh")
    position: Position


class SessionPublic(_Body):
    session_id: str
    started_at: datetime
    refreshed_at: datetime | None = Field(description="When its refresh token was last used")
    expires_at: datetime = Field(description="When it ends unless refreshed before")
    current: bool = Field(description="Whether this is the session asking")


class SessionsList(_Body):
    items: list[SessionPublic] = Field(description="Newest first")


class AccountResult(_Body):
    user_id: str
    position: Position


class ConsentState(_Body):
    personalisation: bool = Field(description="Whether consent stands now (it starts withdrawn)")


class ConsentResult(_Body):
    user_id: str
    personalisation: bool = Field(description="Whether consent stands now")
    position: Position


class RoleResult(_Body):
    user_id: str
    role: Role
    position: Position


class ExportAccepted(_Body):
    export_id: str = Field(description="Names the export once it is ready")
    position: Position


class ErasureAccepted(_Body):
    user_id: str
    erasure_id: str = Field(
        description="Your receipt: GET /v1/erasures/{erasure_id} shows which steps are done. Keep it: "
        "nothing else leads to it, and it says nothing of whose erasure it is"
    )
    status_url: str = Field(description="Where the erasure's progress is shown")
    position: Position


_SIGNED_IN = {"s401": "No valid bearer token", "s429": "Too many writes; see Retry-After"}
_INVALID = "The body does not match its schema, or breaks a rule (e.g. a control character)"


# -- who is asking ---------------------------------------------------------------------------------


def anonymous_request(
    state: AppStateDep,
    http: HttpRequest,
    idempotency_key: Annotated[
        str | None, Header(description="Retries with the same key apply once.")
    ] = None,
    x_correlation_id: Annotated[str | None, Header(max_length=128, pattern=r"^[\x21-\x7e]+$")] = None,
) -> Request:
    """``CommandRequest`` for someone not signed in yet: rate-limited by client address, and their
    Idempotency-Keys scoped to everyone anonymous (replays still need the same body)."""
    _limit(state, http)
    if idempotency_key is not None:
        try:
            check_key(idempotency_key)
        except InvalidCommand as exc:
            raise Problem(400, str(exc)) from exc
    extra = {"correlation_id": x_correlation_id} if x_correlation_id else {}
    return Request(actor=handlers.ANONYMOUS, idempotency_key=idempotency_key, **extra)


AnonymousRequest = Annotated[Request, Depends(anonymous_request)]


def _limit(state: AppState, http: HttpRequest) -> None:
    """Anonymous writes share the per-user rate, counted per client address."""
    state.limiter.check(f"anonymous@{http.client.host if http.client else 'unknown'}")


# -- registration and log-in -----------------------------------------------------------------------


@router.post(
    "/accounts",
    status_code=201,
    response_model=AccountCreated,
    summary="Create an account",
    responses=problems(
        s400="Malformed Idempotency-Key",
        s409="The handle or the email address is taken",
        s422=f"{_INVALID}, a weak password, or an Idempotency-Key reused for another body",
        s429="Too many requests from this address",
    ),
)
def create_account(
    body: AccountCreate, state: AppStateDep, http: HttpRequest, request: AnonymousRequest
) -> JSONBytes:
    """No sign-in needed. Handles are unique regardless of case, email addresses regardless of case
    and surrounding spaces. Send an Idempotency-Key to retry safely: the retry gets the same user_id.
    Then sign in with ``POST /v1/auth/token``."""
    cmd = handlers.NewAccount(body.handle, body.email, body.password, body.display_name)

    def action() -> BaseModel:
        registered = handlers.register_user(cmd, ports=state.ports, request=request)
        return AccountCreated(user_id=registered.user_id, position=registered.position)

    return run(state, http, request, body, action, status=201)


@router.post(
    "/auth/token",
    response_model=TokenIssued,
    summary="Sign in: exchange a handle or email and password for a bearer token",
    responses=problems(
        s401="Wrong login or password (which of them is not said)",
        s422=_INVALID,
        s429="Too many sign-ins from this address",
    ),
)
def issue_token(body: TokenCreate, state: AppStateDep, http: HttpRequest, response: Response) -> TokenIssued:
    """Starts a session: a short-lived access token for ``Authorization: Bearer``, and a refresh
    token to get the next one. Each request is judged on your account as it stands, so a role
    change, a password change or an erasure ends the session at once. No Idempotency-Key: a
    response holding a token is never stored, and signing in again is harmless."""
    _limit(state, http)
    credentials = handlers.Credentials(body.login, body.password)
    granted = handlers.log_in(
        credentials, ports=state.ports, request=Request(handlers.ANONYMOUS), sessions=state.sessions
    )
    return _issued(state, granted, response)


@router.post(
    "/auth/refresh",
    response_model=TokenIssued,
    summary="Trade a refresh token for a new access token and refresh token",
    responses=problems(
        s401="The refresh token is not valid, was already used, or its session ended",
        s422=_INVALID,
        s429="Too many refreshes from this address",
    ),
)
def refresh_token(
    body: TokenRefresh, state: AppStateDep, http: HttpRequest, response: Response
) -> TokenIssued:
    """Each refresh token works once: keep the new one. One already used that comes back (a copy
    someone else holds, or a retry) ends its session, so both holders must sign in again. The
    session's expiry slides forward with each refresh."""
    _limit(state, http)
    granted = sessions.refresh_session(
        body.refresh_token, ports=state.ports, request=Request(handlers.ANONYMOUS), config=state.sessions
    )
    return _issued(state, granted, response)


def _issued(state: AppState, granted: sessions.Granted, response: Response) -> TokenIssued:
    response.headers["Cache-Control"] = "no-store"
    return TokenIssued(
        access_token=state.tokens.issue(granted.actor, granted.session_id),
        expires_in=state.tokens.ttl_s,
        refresh_token=granted.refresh_token,
        refresh_expires_in=int(state.sessions.ttl.total_seconds()),
        user_id=granted.actor.user_id,
        role=granted.actor.role,
        position=granted.position,
    )


@router.post(
    "/auth/sign-out",
    status_code=204,
    response_class=Response,
    summary="Sign out: end the session this token belongs to",
    responses=problems(**_SIGNED_IN),
)
def sign_out(state: AppStateDep, request: CommandRequest, session: CurrentSession) -> Response:
    """Its access and refresh tokens stop working on the next request; other sessions go on."""
    cmd = accounts.SignOut(request.actor, session.session_id)
    sessions.sign_out(cmd, ports=state.ports, request=request)
    return Response(status_code=204)


# -- the signed-in user's own account --------------------------------------------------------------


@router.put(
    "/me/profile",
    response_model=AccountResult,
    summary="Change your profile",
    responses=problems(**_SIGNED_IN, s404="No account", s409="The account was erased", s422=_INVALID),
)
def update_profile(
    body: ProfileUpdate, state: AppStateDep, http: HttpRequest, request: CommandRequest
) -> JSONBytes:
    """Replaces display name, bio and avatar; the same profile again records nothing."""
    cmd = accounts.ChangeProfile(request.actor, body.display_name, body.bio, body.avatar_url)

    def action() -> BaseModel:
        outcome = handlers.change_profile(cmd, ports=state.ports, request=request)
        return AccountResult(user_id=request.actor.user_id, position=outcome.position)

    return run(state, http, request, body, action)


@router.put(
    "/me/password",
    response_model=AccountResult,
    summary="Change your password",
    responses=problems(
        **_SIGNED_IN,
        s403="The current password is wrong",
        s404="No account",
        s409="The account was erased",
        s422=f"{_INVALID}, or a weak new password",
    ),
)
def update_password(
    body: PasswordUpdate,
    state: AppStateDep,
    http: HttpRequest,
    request: CommandRequest,
    session: CurrentSession,
) -> JSONBytes:
    """Needs the current password. Every other session of the account ends with the change (their
    tokens are refused from the next request on); the one making the change goes on."""
    cmd = handlers.PasswordChange(request.actor, body.current_password, body.new_password, session.session_id)

    def action() -> BaseModel:
        outcome = handlers.change_password(cmd, ports=state.ports, request=request)
        return AccountResult(user_id=request.actor.user_id, position=outcome.position)

    return run(state, http, request, body, action)


@router.get(
    "/me/sessions",
    response_model=SessionsList,
    summary="Your live sessions",
    responses=problems(**_SIGNED_IN),
)
def list_sessions(state: AppStateDep, session: CurrentSession) -> SessionsList:
    """Every device or browser signed in to your account, as the account records them now."""
    live = state.gate.live_sessions(session.actor.user_id)
    items = [
        SessionPublic(
            session_id=s.session_id,
            started_at=s.started_at,
            refreshed_at=s.refreshed_at,
            expires_at=s.expires_at,
            current=s.session_id == session.session_id,
        )
        for s in reversed(live)
    ]
    return SessionsList(items=items)


@router.delete(
    "/me/sessions",
    status_code=204,
    response_class=Response,
    summary="Sign out everywhere: end every session of your account",
    responses=problems(**_SIGNED_IN),
)
def sign_out_everywhere(state: AppStateDep, request: CommandRequest) -> Response:
    """This session included; every token of the account is refused from the next request on."""
    cmd = accounts.SignOutEverywhere(request.actor)
    sessions.sign_out_everywhere(cmd, ports=state.ports, request=request)
    return Response(status_code=204)


@router.get(
    "/me/consent",
    response_model=ConsentState,
    summary="Whether you consent to a personalised feed",
    responses=problems(**_SIGNED_IN),
)
def read_consent(state: AppStateDep, actor: CurrentActor) -> ConsentState:
    return ConsentState(personalisation=handlers.consent_of(actor.user_id, ports=state.ports))


@router.put(
    "/me/consent",
    response_model=ConsentResult,
    summary="Give or withdraw consent to a personalised feed",
    responses=problems(**_SIGNED_IN, s404="No account", s409="The account was erased", s422=_INVALID),
)
def update_consent(
    body: ConsentUpdate, state: AppStateDep, http: HttpRequest, request: CommandRequest
) -> JSONBytes:
    """Consent starts withdrawn. Without it the feed is not personalised and learns nothing about
    you. Setting what already stands records nothing."""

    def action() -> BaseModel:
        if body.personalisation:
            outcome = handlers.give_consent(
                accounts.GiveConsent(request.actor), ports=state.ports, request=request
            )
        else:
            outcome = handlers.withdraw_consent(
                accounts.WithdrawConsent(request.actor), ports=state.ports, request=request
            )
        return ConsentResult(
            user_id=request.actor.user_id, personalisation=body.personalisation, position=outcome.position
        )

    return run(state, http, request, body, action)


@router.post(
    "/me/export",
    status_code=202,
    response_model=ExportAccepted,
    summary="Ask for a copy of your data",
    responses=problems(**_SIGNED_IN, s404="No account", s409="The account was erased"),
)
def request_export(state: AppStateDep, http: HttpRequest, request: CommandRequest) -> JSONBytes:
    """Accepted now, prepared in the background; each request is a new export unless retried with
    the same Idempotency-Key."""
    cmd = accounts.RequestDataExport(request.actor, request.new_id("export"))

    def action() -> BaseModel:
        outcome = handlers.request_data_export(cmd, ports=state.ports, request=request)
        return ExportAccepted(export_id=cmd.export_id, position=outcome.position)

    return run(state, http, request, None, action, status=202)


@router.delete(
    "/me",
    status_code=202,
    response_model=ErasureAccepted,
    summary="Erase your account",
    responses=problems(**_SIGNED_IN, s404="No account"),
)
def erase_me(state: AppStateDep, http: HttpRequest, request: CommandRequest) -> JSONBytes:
    """For good: your personal data (email, handle, name, bio, avatar, what you wrote) becomes
    unreadable, every session ends, and you can no longer sign in. Then, in the background, your
    videos and their media are deleted and your handle and email address released; the answer's
    ``erasure_id`` is your receipt to follow it (``GET /v1/erasures/{erasure_id}``). Asking again
    changes nothing and answers the same receipt."""
    cmd = accounts.RequestErasure(request.actor, request.actor.user_id)
    return _erase(cmd, state, http, request)


# -- admins ----------------------------------------------------------------------------------------


@router.put(
    "/users/{user_id}/role",
    response_model=RoleResult,
    summary="Set a user's role (admins)",
    responses=problems(
        **_SIGNED_IN,
        s403="Not an admin, or your own role",
        s404="No such account",
        s409="The account was erased",
        s422=_INVALID,
    ),
)
def set_role(
    user_id: IdPath, body: RoleUpdate, state: AppStateDep, http: HttpRequest, request: CommandRequest
) -> JSONBytes:
    """Takes effect on the user's next request: every session of theirs ends, so they sign in again
    with the new role. Admins cannot change their own role."""
    cmd = accounts.SetRole(request.actor, user_id, body.role)

    def action() -> BaseModel:
        outcome = handlers.set_role(cmd, ports=state.ports, request=request)
        return RoleResult(user_id=user_id, role=body.role, position=outcome.position)

    return run(state, http, request, body, action)


@router.delete(
    "/users/{user_id}",
    status_code=202,
    response_model=ErasureAccepted,
    summary="Erase a user's account (admins, or the holder)",
    responses=problems(**_SIGNED_IN, s403="Neither an admin nor the holder", s404="No such account"),
)
def erase_user(user_id: IdPath, state: AppStateDep, http: HttpRequest, request: CommandRequest) -> JSONBytes:
    """As ``DELETE /v1/me``, on someone else's account. Asking again changes nothing."""
    return _erase(accounts.RequestErasure(request.actor, user_id), state, http, request)


def _erase(cmd: accounts.RequestErasure, state: AppState, http: HttpRequest, request: Request) -> JSONBytes:
    def action() -> BaseModel:
        erasing = handlers.request_erasure(cmd, ports=state.ports, request=request)
        return ErasureAccepted(
            user_id=cmd.user_id,
            erasure_id=erasing.erasure_id,
            status_url=f"/v1/erasures/{erasing.erasure_id}",
            position=erasing.position,
        )

    return run(state, http, request, None, action, status=202)
