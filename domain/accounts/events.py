"""What happens to an account (stream ``user-<id>``) and to the claims on its handle and email.

Personal fields are sealed with the account holder's key, so they read as ``None`` once it is erased.
"""

from __future__ import annotations

import dataclasses

from domain.events import DomainEvent, event

# -- the account -----------------------------------------------------------------------------------


@event("UserRegistered", personal=("email", "password_hash", "display_name"), subject="user_id")
@dataclasses.dataclass(frozen=True, slots=True)
class UserRegistered(DomainEvent):
    user_id: str
    handle: str
    email: str | None  # normalised lower-case; None once erased
    password_hash: str | None  # None once erased
    display_name: str | None  # None once erased


@event("UserLoggedIn")
@dataclasses.dataclass(frozen=True, slots=True)
class UserLoggedIn(DomainEvent):
    user_id: str


@event("ProfileChanged", personal=("display_name", "bio"), subject="user_id")
@dataclasses.dataclass(frozen=True, slots=True)
class ProfileChanged(DomainEvent):
    """The whole profile as it now stands."""

    user_id: str
    display_name: str | None  # None once erased
    bio: str | None  # None once erased
    avatar_url: str | None = None


@event("PasswordChanged", personal=("password_hash",), subject="user_id")
@dataclasses.dataclass(frozen=True, slots=True)
class PasswordChanged(DomainEvent):
    user_id: str
    password_hash: str | None  # None once erased


@event("UserRoleChanged")
@dataclasses.dataclass(frozen=True, slots=True)
class UserRoleChanged(DomainEvent):
    user_id: str
    role: str  # a Role
    changed_by: str


@event("PersonalisationConsentGiven")
@dataclasses.dataclass(frozen=True, slots=True)
class PersonalisationConsentGiven(DomainEvent):
    user_id: str


@event("PersonalisationConsentWithdrawn")
@dataclasses.dataclass(frozen=True, slots=True)
class PersonalisationConsentWithdrawn(DomainEvent):
    user_id: str


@event("DataExportRequested")
@dataclasses.dataclass(frozen=True, slots=True)
class DataExportRequested(DomainEvent):
    user_id: str
    export_id: str
    requested_by: str


@event("ErasureRequested")
@dataclasses.dataclass(frozen=True, slots=True)
class ErasureRequested(DomainEvent):
    """The account is closed for good; the caller then deletes the holder's data key."""

    user_id: str
    requested_by: str


# -- sessions (on the account stream, so a role change or erasure ends them in the same append) ------


@event("SessionStarted")
@dataclasses.dataclass(frozen=True, slots=True)
class SessionStarted(DomainEvent):
    """A verified log-in opened a session; its refresh token is of generation 0. Times are ISO 8601
    UTC, as the command's clock read them. No secret: a refresh token is an HMAC the server keeps."""

    user_id: str
    session_id: str
    started_at: str
    expires_at: str


@event("SessionRefreshed")
@dataclasses.dataclass(frozen=True, slots=True)
class SessionRefreshed(DomainEvent):
    """The refresh token of ``generation - 1`` was used: only ``generation`` is good from now on."""

    user_id: str
    session_id: str
    generation: int
    refreshed_at: str
    expires_at: str


@event("SessionEnded")
@dataclasses.dataclass(frozen=True, slots=True)
class SessionEnded(DomainEvent):
    user_id: str
    session_id: str
    reason: str  # a sessions.EndReason


@event("SessionsEnded")
@dataclasses.dataclass(frozen=True, slots=True)
class SessionsEnded(DomainEvent):
    """Every session of the account but ``kept_session_id`` (if any) ended at once."""

    user_id: str
    reason: str  # a sessions.EndReason
    kept_session_id: str | None = None


Event = (
    UserRegistered
    | UserLoggedIn
    | ProfileChanged
    | PasswordChanged
    | UserRoleChanged
    | PersonalisationConsentGiven
    | PersonalisationConsentWithdrawn
    | DataExportRequested
    | ErasureRequested
    | SessionStarted
    | SessionRefreshed
    | SessionEnded
    | SessionsEnded
)

# -- claims (streams ``handle-<handle_key>`` and ``email-<email_key>``) ------------------------------


@event("HandleClaimed")
@dataclasses.dataclass(frozen=True, slots=True)
class HandleClaimed(DomainEvent):
    handle: str  # as the holder typed it; the stream name carries the lower-case key
    user_id: str


@event("EmailClaimed")
@dataclasses.dataclass(frozen=True, slots=True)
class EmailClaimed(DomainEvent):
    email_key: str  # sha256 of the normalised address, never the address itself
    user_id: str


ClaimEvent = HandleClaimed | EmailClaimed
