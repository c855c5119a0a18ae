"""Claims on a handle or an email address: how the caller keeps both unique without a read model.

Before registering, the caller appends a claim to the value's claim stream (named by a keyed
digest, ``rules.claim_key``) with expected version "no stream". If the stream already exists, it
folds it and decides again here: a claim by the same user is a no-op (a retried registration), a
claim by anyone else is a conflict, and a claim after a release is a new claim like the first.

A claim ends only with a release, recorded when the holder's account is erased: the value is then
free for anyone, the former holder included. Releasing what someone else holds (a claim made after
the release being repeated) records nothing, so a release can be repeated safely.

Neither claim nor release holds the value: the stream name is its only trace.
"""

from __future__ import annotations

import dataclasses
import enum

from domain.accounts.events import ClaimEvent, EmailClaimed, EmailReleased, HandleClaimed, HandleReleased
from domain.accounts.rules import require_id, valid_email, valid_handle
from domain.errors import Conflict


class ClaimKind(enum.StrEnum):
    """What a claim stream holds; also the category of its name (``handle-…``, ``email-…``)."""

    HANDLE = "handle"
    EMAIL = "email"


class ReleaseReason(enum.StrEnum):
    ERASED = "erased"  # the holder's account was erased


# -- commands --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class ClaimHandle:
    handle: str
    user_id: str


@dataclasses.dataclass(frozen=True, slots=True)
class ClaimEmail:
    email: str
    user_id: str


@dataclasses.dataclass(frozen=True, slots=True)
class ReleaseClaim:
    """Ends ``user_id``'s claim on the stream it is decided on (a ``kind`` stream)."""

    kind: ClaimKind
    user_id: str
    reason: ReleaseReason = ReleaseReason.ERASED


# -- state -----------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class State:
    claimed_by: str | None = None  # None before any claim and after a release


initial = State()


def evolve(state: State, event: ClaimEvent) -> State:
    match event:
        case HandleClaimed(user_id=user_id) | EmailClaimed(user_id=user_id):
            return State(claimed_by=user_id)
        case HandleReleased() | EmailReleased():
            return State(claimed_by=None)


# -- deciders --------------------------------------------------------------------------------------


def decide_claim(state: State, cmd: ClaimHandle | ClaimEmail) -> list[ClaimEvent]:
    """The value is checked as a registration would check it, though only its digest is kept."""
    claim = _claim(cmd)
    if state.claimed_by == claim.user_id:
        return []
    if state.claimed_by is not None:
        raise Conflict(_TAKEN[type(claim)])
    return [claim]


def decide_release(state: State, cmd: ReleaseClaim) -> list[ClaimEvent]:
    """Only the holder's claim is released; anything else (released already, held by someone who
    claimed it since) records nothing."""
    user_id = require_id(cmd.user_id, "user_id")
    if state.claimed_by != user_id:
        return []
    reason = ReleaseReason(cmd.reason).value
    if cmd.kind is ClaimKind.HANDLE:
        return [HandleReleased(user_id=user_id, reason=reason)]
    return [EmailReleased(user_id=user_id, reason=reason)]


_TAKEN: dict[type[ClaimEvent], str] = {
    HandleClaimed: "this handle is taken",
    EmailClaimed: "this email address is already registered",
}


def _claim(cmd: ClaimHandle | ClaimEmail) -> HandleClaimed | EmailClaimed:
    user_id = require_id(cmd.user_id, "user_id")
    if isinstance(cmd, ClaimHandle):
        valid_handle(cmd.handle)
        return HandleClaimed(user_id=user_id)
    valid_email(cmd.email)
    return EmailClaimed(user_id=user_id)
