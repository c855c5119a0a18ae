"""Claims on a handle or an email address: how the caller keeps both unique without a read model.

Before registering, the caller appends a claim to ``handle-<handle_key(handle)>`` and to
``email-<email_key(email)>`` with expected version "no stream". If a stream already exists, it
folds it and decides again here: a claim by the same user is a no-op (a retried registration),
a claim by anyone else is a conflict.
"""

from __future__ import annotations

import dataclasses

from domain.accounts.events import ClaimEvent, EmailClaimed, HandleClaimed
from domain.accounts.rules import email_key, require_id, valid_email, valid_handle
from domain.errors import Conflict

# -- commands --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class ClaimHandle:
    handle: str
    user_id: str


@dataclasses.dataclass(frozen=True, slots=True)
class ClaimEmail:
    email: str
    user_id: str


# -- state -----------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class State:
    claimed_by: str | None = None


initial = State()


def evolve(state: State, event: ClaimEvent) -> State:
    return State(claimed_by=event.user_id)


# -- deciders --------------------------------------------------------------------------------------


def decide_claim(state: State, cmd: ClaimHandle | ClaimEmail) -> list[ClaimEvent]:
    claim = _claim(cmd)
    if state.claimed_by == claim.user_id:
        return []
    if state.claimed_by is not None:
        raise Conflict(_TAKEN[type(claim)])
    return [claim]


_TAKEN: dict[type[ClaimEvent], str] = {
    HandleClaimed: "this handle is taken",
    EmailClaimed: "this email address is already registered",
}


def _claim(cmd: ClaimHandle | ClaimEmail) -> ClaimEvent:
    user_id = require_id(cmd.user_id, "user_id")
    if isinstance(cmd, ClaimHandle):
        return HandleClaimed(handle=valid_handle(cmd.handle), user_id=user_id)
    return EmailClaimed(email_key=email_key(valid_email(cmd.email)), user_id=user_id)
