"""Appeals, on the appellant's standing stream: the person an adverse action fell on contests it,
once per action; a moderator other than the one who acted decides; the outcome is recorded and, if
granted, the action is undone.

An action on the account itself (restriction, strike, suspension) is undone in the same append as
the decision. An action on content is undone on the content's stream by the caller, which reads
what to undo from ``reversal_of``. Granting the appeal of a strike that suspended the account by
reaching a threshold also lifts that suspension, if it is still in force.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from domain.actors import Actor
from domain.errors import Conflict, InvalidCommand, NotAllowed, NotFound
from domain.moderation.rules import (
    ADVERSE,
    REVERSAL,
    ActionKind,
    Subject,
    ensure_may_act,
    require_id,
    valid_reason,
    valid_statement,
)
from domain.moderation.standing import (
    AccountUnsuspended,
    Appeal,
    AppealDecided,
    AppealFiled,
    Event,
    Record,
    RestrictionLifted,
    State,
    StrikeRemoved,
    record,
    suspension,
)


@dataclasses.dataclass(frozen=True, slots=True)
class FileAppeal:
    """Filed by the person themselves: ``actor`` names whose standing stream it goes on."""

    actor: Actor
    appeal_id: str
    action_id: str
    statement: str


@dataclasses.dataclass(frozen=True, slots=True)
class DecideAppeal:
    actor: Actor
    user_id: str
    action_id: str
    granted: bool
    reason: str


def decide_file_appeal(state: State, cmd: FileAppeal) -> list[Event]:
    if state.user_id not in ("", cmd.actor.user_id):
        raise ValueError(f"standing of {state.user_id!r} given for {cmd.actor.user_id!r}")
    found = _record(state, cmd.action_id)
    if found.action not in ADVERSE:
        raise InvalidCommand(f"a {found.action.value.replace('_', ' ')} cannot be appealed")
    if found.appeal_id is not None:
        raise Conflict("this action was already appealed: one appeal per action")
    if found.reversed:
        raise Conflict("this action was already undone")
    return [
        AppealFiled(
            user_id=cmd.actor.user_id,
            appeal_id=require_id(cmd.appeal_id, "appeal_id"),
            action_id=found.action_id,
            action=found.action.value,
            target_kind=found.target_kind,
            target_id=found.target_id,
            statement=valid_statement(cmd.statement),
        )
    ]


def decide_appeal(state: State, cmd: DecideAppeal, *, subject: Subject, now: datetime) -> list[Event]:
    """The decision, then (if granted) the undoing of an action on the account itself."""
    if subject.user_id != cmd.user_id or state.user_id not in ("", cmd.user_id):
        raise ValueError(f"standing of {state.user_id or subject.user_id!r} given for {cmd.user_id!r}")
    ensure_may_act(cmd.actor, subject)
    found = _record(state, cmd.action_id)
    if found.appeal != Appeal.PENDING or found.appeal_id is None:
        raise Conflict("no appeal of this action awaits a decision")
    if cmd.actor.user_id == found.moderator_id:
        raise NotAllowed("an appeal is decided by a moderator other than the one who acted")
    reason = valid_reason(cmd.reason)
    decided = AppealDecided(
        user_id=cmd.user_id,
        appeal_id=found.appeal_id,
        action_id=found.action_id,
        moderator_id=cmd.actor.user_id,
        granted=bool(cmd.granted),
        reason=reason,
    )
    if not cmd.granted:
        return [decided]
    return [decided, *_undo_on_account(state, found, cmd.actor, reason, now)]


def reversal_of(found: Record) -> ActionKind:
    """What undoes an adverse action (a granted appeal of a removal restores, and so on)."""
    return REVERSAL[found.action]


def _undo_on_account(state: State, found: Record, actor: Actor, reason: str, now: datetime) -> list[Event]:
    """Undoes what is still in force of an action on the account; content is the caller's."""
    user_id, by = state.user_id, actor.user_id
    match found.action:
        case ActionKind.RESTRICT if any(r.action_id == found.action_id for r in state.restrictions):
            (lifted,) = (r for r in state.restrictions if r.action_id == found.action_id)
            return [RestrictionLifted(user_id, found.action_id, lifted.capability.value, by, reason)]
        case ActionKind.STRIKE if any(s.action_id == found.action_id for s in state.strikes):
            removed: list[Event] = [StrikeRemoved(user_id, found.action_id, by, reason)]
            current = suspension(state, now)
            if current is not None and current.cause_id == found.action_id:
                removed.append(AccountUnsuspended(user_id, current.action_id, by, reason))
            return removed
        case ActionKind.SUSPEND:
            current = suspension(state, now)
            if current is not None and current.action_id == found.action_id:
                return [AccountUnsuspended(user_id, found.action_id, by, reason)]
    return []


def _record(state: State, action_id: str) -> Record:
    found = record(state, require_id(action_id, "action_id"))
    if found is None:
        raise NotFound("no such action was taken on this account")
    return found
