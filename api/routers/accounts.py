"""Accounts: registration, tokens, the signed-in user's own account, and what admins do to others.

Every command goes through ``run``, so an Idempotency-Key replays its first response; the one
exception is ``POST /v1/auth/token``, whose response is a secret that must never be stored.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Response
from fastapi import Request as HttpRequest
from pydantic import BaseModel, ConfigDict, Field

from api.commanding import run
from api.deps import AppStateDep, CommandRequest, CurrentActor, IdPath
from api.problems import Problem, problems
from api.responses import JSONBytes
from api.state import AppState
from commands import accounts as handlers
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
    expires_in: int = Field(description="Seconds the token stays valid")
    user_id: str
    role: Role
    position: Position


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
    """The token names you and your role; a role change shows in tokens issued after it. No
    Idempotency-Key: a response holding a token is never stored, and signing in again is harmless."""
    _limit(state, http)
    credentials = handlers.Credentials(body.login, body.password)
    logged_in = handlers.log_in(credentials, ports=state.ports, request=Request(handlers.ANONYMOUS))
    response.headers["Cache-Control"] = "no-store"
    return TokenIssued(
        access_token=state.tokens.issue(logged_in.actor),
        expires_in=state.tokens.ttl_s,
        user_id=logged_in.actor.user_id,
        role=logged_in.actor.role,
        position=logged_in.position,
    )


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
    body: PasswordUpdate, state: AppStateDep, http: HttpRequest, request: CommandRequest
) -> JSONBytes:
    """Needs the current password. Tokens issued before stay valid until they expire."""
    cmd = handlers.PasswordChange(request.actor, body.current_password, body.new_password)

    def action() -> BaseModel:
        outcome = handlers.change_password(cmd, ports=state.ports, request=request)
        return AccountResult(user_id=request.actor.user_id, position=outcome.position)

    return run(state, http, request, body, action)


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
    """For good: your personal data (email, name, bio, what you wrote) becomes unreadable, and you
    can no longer sign in. Asking again changes nothing."""
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
    """Takes effect in the user's tokens from their next sign-in. Admins cannot change their own role."""
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
        outcome = handlers.request_erasure(cmd, ports=state.ports, request=request)
        return ErasureAccepted(user_id=cmd.user_id, position=outcome.position)

    return run(state, http, request, None, action, status=202)
