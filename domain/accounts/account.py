"""The user account (stream ``user-<id>``): registration, log-in and sessions, profile, role,
consent, erasure.

A profile shows one avatar: an address its holder gives (``ChangeProfile``), or a picture they
uploaded (``SetAvatar``), which the profile names ``avatar:<id>``. Either replaces the other, and
changing the rest of the profile leaves an uploaded picture as it is. A picture that stops being the
avatar is discarded for good (``AvatarDiscarded``): its files go.

Self-service commands act on the actor's own account (``user-<actor.user_id>``); commands an admin
may give on someone else's account name it with ``user_id``. An erased account accepts nothing,
and log-in to it fails like any wrong password. A role change and an erasure end every session of
the account, a password change every session but the one that made it (see ``sessions``).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from domain.accounts.events import (
    AvatarDiscarded,
    DataExportRequested,
    ErasureRequested,
    Event,
    PasswordChanged,
    PersonalisationConsentGiven,
    PersonalisationConsentWithdrawn,
    ProfileChanged,
    SessionEnded,
    SessionRefreshed,
    SessionsEnded,
    SessionStarted,
    UserLoggedIn,
    UserRegistered,
    UserRoleChanged,
)
from domain.accounts.rules import (
    own_avatar,
    own_avatar_id,
    require_id,
    valid_avatar_url,
    valid_bio,
    valid_display_name,
    valid_email,
    valid_handle,
    valid_password_hash,
)
from domain.accounts.sessions import (
    EndReason,
    Session,
    ending_all,
    evolve_sessions,
    find,
    refreshing,
    starting,
)
from domain.actors import Actor, Role
from domain.errors import Conflict, InvalidCredentials, NotAllowed, NotFound

# -- commands --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class RegisterUser:
    """Sent after the handle and email claims succeeded; ``password_hash`` is computed by the caller."""

    user_id: str
    handle: str
    email: str
    password_hash: str
    display_name: str


@dataclasses.dataclass(frozen=True, slots=True)
class LogIn:
    """The caller verified the password against ``State.password_hash``; a log-in starts the
    session ``session_id``, lasting ``session_ttl`` from ``now`` unless refreshed."""

    user_id: str
    password_matches: bool
    session_id: str
    now: datetime
    session_ttl: timedelta


@dataclasses.dataclass(frozen=True, slots=True)
class RefreshSession:
    """The caller checked the refresh token's signature; ``generation`` is the one it names."""

    user_id: str
    session_id: str
    generation: int
    now: datetime
    session_ttl: timedelta


@dataclasses.dataclass(frozen=True, slots=True)
class SignOut:
    actor: Actor
    session_id: str


@dataclasses.dataclass(frozen=True, slots=True)
class SignOutEverywhere:
    actor: Actor


@dataclasses.dataclass(frozen=True, slots=True)
class ChangeProfile:
    """The whole profile as it should stand: a blank bio clears it, ``avatar_url=None`` removes an
    address (an uploaded picture stays: ``RemoveAvatar`` removes that), an address replaces either."""

    actor: Actor
    display_name: str
    bio: str = ""
    avatar_url: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class SetAvatar:
    """``avatar_id`` names a picture the caller already stored (``services/avatars.py``)."""

    actor: Actor
    avatar_id: str


@dataclasses.dataclass(frozen=True, slots=True)
class RemoveAvatar:
    """Removes the avatar, an uploaded picture or an address."""

    actor: Actor


@dataclasses.dataclass(frozen=True, slots=True)
class ChangePassword:
    """``session_id`` is the session making the change: the one session that goes on."""

    actor: Actor
    new_password_hash: str
    current_password_matches: bool
    session_id: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class SetRole:
    actor: Actor
    user_id: str
    role: Role


@dataclasses.dataclass(frozen=True, slots=True)
class GiveConsent:
    """Consent to a personalised feed, trained on what the holder does."""

    actor: Actor


@dataclasses.dataclass(frozen=True, slots=True)
class WithdrawConsent:
    actor: Actor


@dataclasses.dataclass(frozen=True, slots=True)
class RequestDataExport:
    actor: Actor
    export_id: str


@dataclasses.dataclass(frozen=True, slots=True)
class RequestErasure:
    """``erasure_id`` is the unguessable receipt the caller made up; ``claims`` the claim streams
    the account holds, which the cascade releases (the caller names them: only it has the key)."""

    actor: Actor
    user_id: str
    erasure_id: str = ""
    claims: tuple[str, ...] = ()


# -- state -----------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class State:
    """Personalisation consent starts withdrawn: it is given explicitly, never assumed."""

    user_id: str = ""
    registered: bool = False
    erased: bool = False
    erasure_id: str | None = None  # the erasure's receipt, once erased (None for an old erasure)
    handle: str | None = None  # None once erased
    email: str | None = None  # None once erased
    role: Role = Role.USER
    consent: bool = False
    password_hash: str | None = None  # what the caller verifies a log-in against
    display_name: str | None = None
    bio: str | None = None
    avatar_url: str | None = None
    sessions: tuple[Session, ...] = ()  # oldest first; at most sessions.MAX_SESSIONS


initial = State()


def evolve(state: State, event: Event) -> State:
    match event:
        case UserRegistered():
            return State(
                user_id=event.user_id,
                registered=True,
                handle=event.handle,
                email=event.email,
                password_hash=event.password_hash,
                display_name=event.display_name,
                bio="",
            )
        case ProfileChanged(display_name=name, bio=bio, avatar_url=avatar):
            return dataclasses.replace(state, display_name=name, bio=bio, avatar_url=avatar)
        case PasswordChanged(password_hash=password_hash):
            return dataclasses.replace(state, password_hash=password_hash)
        case UserRoleChanged(role=role):
            return dataclasses.replace(state, role=Role(role))
        case PersonalisationConsentGiven():
            return dataclasses.replace(state, consent=True)
        case PersonalisationConsentWithdrawn():
            return dataclasses.replace(state, consent=False)
        case ErasureRequested(erasure_id=erasure_id):
            return _erased(state, erasure_id)
        case SessionStarted() | SessionRefreshed() | SessionEnded() | SessionsEnded():
            return dataclasses.replace(state, sessions=evolve_sessions(state.sessions, event))
        case UserLoggedIn() | DataExportRequested() | AvatarDiscarded():
            return state


def _erased(state: State, erasure_id: str | None) -> State:
    """What an erased account reads as: its id, role and erasure, nothing personal, no session."""
    return State(user_id=state.user_id, registered=True, erased=True, erasure_id=erasure_id, role=state.role)


# -- deciders --------------------------------------------------------------------------------------


def decide_register(state: State, cmd: RegisterUser) -> list[Event]:
    if state.registered:
        raise Conflict("this account is already registered")
    return [
        UserRegistered(
            user_id=require_id(cmd.user_id, "user_id"),
            handle=valid_handle(cmd.handle),
            email=valid_email(cmd.email),
            password_hash=valid_password_hash(cmd.password_hash),
            display_name=valid_display_name(cmd.display_name),
        )
    ]


def decide_log_in(state: State, cmd: LogIn) -> list[Event]:
    """Unknown, erased and wrong-password log-ins fail alike, so none reveals which it was."""
    if not state.registered or state.erased or not cmd.password_matches:
        raise InvalidCredentials("wrong handle or password")
    session_id = require_id(cmd.session_id, "session_id")
    if find(state.sessions, session_id) is not None:
        raise Conflict("this session was already started")
    started = starting(state.user_id, state.sessions, session_id, cmd.now, cmd.session_ttl)
    return [UserLoggedIn(user_id=state.user_id), *started]


def decide_refresh_session(state: State, cmd: RefreshSession) -> list[Event]:
    """A live session's current refresh token rotates. A rotated one presented again ends the
    session: the answer is a ``SessionEnded`` the caller records and then refuses the refresh on."""
    session = live_session(state, cmd.session_id, cmd.now)
    if session is None or cmd.user_id != state.user_id:
        raise InvalidCredentials(SESSION_ENDED)
    return refreshing(state.user_id, session, cmd.generation, cmd.now, cmd.session_ttl)


def decide_sign_out(state: State, cmd: SignOut) -> list[Event]:
    """Signing out of a session that already ended records nothing."""
    _ensure_holder(state, cmd.actor, "sign out of this account")
    if find(state.sessions, cmd.session_id) is None:
        return []
    return [SessionEnded(state.user_id, cmd.session_id, EndReason.SIGNED_OUT.value)]


def decide_sign_out_everywhere(state: State, cmd: SignOutEverywhere) -> list[Event]:
    _ensure_holder(state, cmd.actor, "sign out of this account")
    return ending_all(state.user_id, state.sessions, EndReason.SIGNED_OUT_EVERYWHERE)


SESSION_ENDED = "the session has ended; sign in again"


def live_session(state: State, session_id: str, now: datetime) -> Session | None:
    """The session, if it is live at ``now`` on an account that is open: what a request needs."""
    if not state.registered or state.erased:
        return None
    session = find(state.sessions, session_id)
    return session if session is not None and session.live_at(now) else None


def decide_change_profile(state: State, cmd: ChangeProfile) -> list[Event]:
    """The same profile again records nothing."""
    _ensure_holder(state, cmd.actor, "change this profile")
    name = valid_display_name(cmd.display_name)
    bio = valid_bio(cmd.bio)
    avatar = valid_avatar_url(cmd.avatar_url)
    if avatar is None and own_avatar_id(state.avatar_url) is not None:
        avatar = state.avatar_url
    if (name, bio, avatar) == (state.display_name, state.bio, state.avatar_url):
        return []
    changed = ProfileChanged(user_id=state.user_id, display_name=name, bio=bio, avatar_url=avatar)
    return [changed, *_discarding(state, avatar)]


def decide_set_avatar(state: State, cmd: SetAvatar) -> list[Event]:
    """The same picture again records nothing."""
    _ensure_holder(state, cmd.actor, "change this profile's picture")
    return _with_avatar(state, own_avatar(cmd.avatar_id))


def decide_remove_avatar(state: State, cmd: RemoveAvatar) -> list[Event]:
    """No avatar to remove records nothing."""
    _ensure_holder(state, cmd.actor, "remove this profile's picture")
    return _with_avatar(state, None)


def _with_avatar(state: State, avatar: str | None) -> list[Event]:
    if avatar == state.avatar_url:
        return []
    changed = ProfileChanged(
        user_id=state.user_id, display_name=state.display_name, bio=state.bio, avatar_url=avatar
    )
    return [changed, *_discarding(state, avatar)]


def _discarding(state: State, avatar: str | None) -> list[Event]:
    """The uploaded picture the profile shows now, if ``avatar`` replaces it."""
    current = own_avatar_id(state.avatar_url)
    if current is None or avatar == state.avatar_url:
        return []
    return [AvatarDiscarded(user_id=state.user_id, avatar_id=current)]


def decide_change_password(state: State, cmd: ChangePassword) -> list[Event]:
    """A wrong current password is refused as 403, not 401: the bearer token itself is fine."""
    _ensure_holder(state, cmd.actor, "change this password")
    if not cmd.current_password_matches:
        raise NotAllowed("the current password is wrong")
    changed = PasswordChanged(user_id=state.user_id, password_hash=valid_password_hash(cmd.new_password_hash))
    ended = ending_all(state.user_id, state.sessions, EndReason.PASSWORD_CHANGED, keep=cmd.session_id)
    return [changed, *ended]


def decide_set_role(state: State, cmd: SetRole) -> list[Event]:
    """Admins set roles, never their own (so the last admin cannot demote themselves by accident).
    The holder's sessions end: whatever they were let do under the old role, they sign in again."""
    if cmd.actor.role is not Role.ADMIN:
        raise NotAllowed("only an admin can set roles")
    _ensure_open(state, cmd.user_id)
    if cmd.actor.user_id == state.user_id:
        raise NotAllowed("you cannot change your own role")
    if cmd.role == state.role:
        return []
    changed = UserRoleChanged(user_id=state.user_id, role=Role(cmd.role).value, changed_by=cmd.actor.user_id)
    return [changed, *ending_all(state.user_id, state.sessions, EndReason.ROLE_CHANGED)]


def decide_give_consent(state: State, cmd: GiveConsent) -> list[Event]:
    _ensure_holder(state, cmd.actor, "give consent for this account")
    return [] if state.consent else [PersonalisationConsentGiven(user_id=state.user_id)]


def decide_withdraw_consent(state: State, cmd: WithdrawConsent) -> list[Event]:
    _ensure_holder(state, cmd.actor, "withdraw consent for this account")
    return [PersonalisationConsentWithdrawn(user_id=state.user_id)] if state.consent else []


def decide_request_data_export(state: State, cmd: RequestDataExport) -> list[Event]:
    _ensure_holder(state, cmd.actor, "export this account's data")
    export_id = require_id(cmd.export_id, "export_id")
    return [DataExportRequested(user_id=state.user_id, export_id=export_id, requested_by=cmd.actor.user_id)]


def decide_request_erasure(state: State, cmd: RequestErasure) -> list[Event]:
    """The holder or an admin may erase an account, once."""
    _ensure_open(state, cmd.user_id)
    if cmd.actor.user_id != state.user_id and cmd.actor.role is not Role.ADMIN:
        raise NotAllowed("only the account holder or an admin can erase this account")
    erased = ErasureRequested(
        user_id=state.user_id,
        requested_by=cmd.actor.user_id,
        erasure_id=require_id(cmd.erasure_id, "erasure_id"),
        claims=[require_id(stream, "claim stream") for stream in cmd.claims],
    )
    return [erased, *ending_all(state.user_id, state.sessions, EndReason.ERASED)]


def _ensure_open(state: State, user_id: str | None = None) -> None:
    """The account exists and is not erased; ``user_id``, when given, must name this account."""
    if not state.registered:
        raise NotFound("account not found")
    if user_id is not None and user_id != state.user_id:
        raise ValueError(f"state of account {state.user_id!r} given for {user_id!r}")
    if state.erased:
        raise Conflict("the account was erased")


def _ensure_holder(state: State, actor: Actor, what: str) -> None:
    _ensure_open(state)
    if actor.user_id != state.user_id:
        raise NotAllowed(f"only the account holder can {what}")
