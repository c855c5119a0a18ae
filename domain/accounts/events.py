"""What happens to an account (stream ``user-<id>``) and to the claims on its handle and email.

Personal fields are sealed with the account holder's key, so they read as ``None`` once it is erased.
The handle and the avatar address are among them: both point at the person as surely as a name.
Events recorded before they were sealed hold them in clear and still read as they were (the reader
unseals only what is sealed), so their shape, and ``schema_version``, did not change.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from domain.events import DomainEvent, event
from domain.upcasters import upcaster

# -- the account -----------------------------------------------------------------------------------


@event("UserRegistered", personal=("handle", "email", "password_hash", "display_name"), subject="user_id")
@dataclasses.dataclass(frozen=True, slots=True)
class UserRegistered(DomainEvent):
    user_id: str
    handle: str | None  # as the holder typed it; None once erased
    email: str | None  # normalised lower-case; None once erased
    password_hash: str | None  # None once erased
    display_name: str | None  # None once erased


@event("UserLoggedIn")
@dataclasses.dataclass(frozen=True, slots=True)
class UserLoggedIn(DomainEvent):
    user_id: str


@event("ProfileChanged", personal=("display_name", "bio", "avatar_url"), subject="user_id")
@dataclasses.dataclass(frozen=True, slots=True)
class ProfileChanged(DomainEvent):
    """The whole profile as it now stands."""

    user_id: str
    display_name: str | None  # None once erased
    bio: str | None  # None once erased
    avatar_url: str | None = None  # None when there is none, or once erased


@event("AvatarDiscarded")
@dataclasses.dataclass(frozen=True, slots=True)
class AvatarDiscarded(DomainEvent):
    """A picture the holder uploaded stopped being their avatar (another replaced it, or it was
    removed): the media cleanup deletes its files, and no profile will name it again. Recorded with
    the ``ProfileChanged`` that dropped it. The id is random and tells nothing of the person, so it
    is not sealed: the cleanup reads it whether or not the holder's key still exists."""

    user_id: str
    avatar_id: str


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


@event("ErasureRequested", version=2)
@dataclasses.dataclass(frozen=True, slots=True)
class ErasureRequested(DomainEvent):
    """The account is closed for good; the caller then deletes the holder's data key, and the
    erasure cascade (a process manager) does the rest, step by step on ``erasure-<erasure_id>``.

    ``erasure_id`` is unguessable: it is the person's receipt, which shows how far the erasure got
    without saying whose it was. ``claims`` names the claim streams to release (keyed digests; for
    an account registered before claims were keyed, also its legacy names): written down while the
    handle and address can still be read, since the cascade runs after the key is gone.
    """

    user_id: str
    requested_by: str
    erasure_id: str | None = None  # None in erasures recorded before version 2
    claims: list[str] = dataclasses.field(default_factory=list)


@upcaster("ErasureRequested", 1)
def _erasure_requested_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Version 1 had no receipt and named no claims: the cascade then names the record after the
    event and finds the claims it can (see ``projections/erasure_cascade.py``)."""
    return {**data, "erasure_id": None, "claims": []}


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
    | AvatarDiscarded
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

# -- claims (streams ``handle-<key>`` and ``email-<key>``, see ``rules.claim_key``) -----------------
#
# Version 2 holds no value: the stream name is the only trace of it, and that is a keyed digest.
# Version 1 held the handle in clear and an unkeyed digest of the address; the upcasters drop both,
# so nothing reading claims sees them (the bytes of those old records stay what they were).


@event("HandleClaimed", version=2)
@dataclasses.dataclass(frozen=True, slots=True)
class HandleClaimed(DomainEvent):
    user_id: str


@event("EmailClaimed", version=2)
@dataclasses.dataclass(frozen=True, slots=True)
class EmailClaimed(DomainEvent):
    user_id: str


@upcaster("HandleClaimed", 1)
def _handle_claimed_v2(data: dict[str, Any]) -> dict[str, Any]:
    return {"user_id": data["user_id"]}


@upcaster("EmailClaimed", 1)
def _email_claimed_v2(data: dict[str, Any]) -> dict[str, Any]:
    return {"user_id": data["user_id"]}


@event("HandleReleased")
@dataclasses.dataclass(frozen=True, slots=True)
class HandleReleased(DomainEvent):
    """The holder's claim ended (their account was erased): anyone may claim the handle again."""

    user_id: str
    reason: str  # a claims.ReleaseReason


@event("EmailReleased")
@dataclasses.dataclass(frozen=True, slots=True)
class EmailReleased(DomainEvent):
    """The holder's claim ended (their account was erased): the address may register again."""

    user_id: str
    reason: str  # a claims.ReleaseReason


ClaimEvent = HandleClaimed | EmailClaimed | HandleReleased | EmailReleased
