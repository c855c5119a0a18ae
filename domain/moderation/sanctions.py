"""Deciders for what moderators do to an account: restrict a capability for a while, suspend and
unsuspend, record and remove strikes (a strike that brings the count in force to a threshold
suspends the account), and tell the person of an action on their content.

Every decider is handed the ``Subject`` (the account's id and its role now, from its own stream) and
``now``; it checks who may act (``rules.ensure_may_act``) before anything else.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime, timedelta

from domain.actors import Actor
from domain.errors import Conflict, InvalidCommand, NotAllowed
from domain.moderation.policy import StrikePolicy
from domain.moderation.rules import (
    ADVERSE,
    ActionKind,
    Capability,
    Subject,
    ensure_may_act,
    require_id,
    stamp,
    valid_duration,
    valid_reason,
)
from domain.moderation.standing import (
    AccountSuspended,
    AccountUnsuspended,
    ContentModerated,
    Event,
    RestrictionImposed,
    RestrictionLifted,
    State,
    StrikeRecorded,
    StrikeRemoved,
    Suspension,
    record,
    restriction,
    strikes_in_force,
    suspension,
)

CONTENT_ACTIONS = frozenset(
    {
        ActionKind.REMOVE_VIDEO,
        ActionKind.RESTORE_VIDEO,
        ActionKind.REMOVE_COMMENT,
        ActionKind.RESTORE_COMMENT,
        ActionKind.DELETE_COMMENT,
        ActionKind.LABEL_VIDEO,
        ActionKind.UNLABEL_VIDEO,
    }
)

# -- commands --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class RestrictAccount:
    actor: Actor
    user_id: str
    action_id: str
    capability: Capability
    duration: timedelta
    reason: str


@dataclasses.dataclass(frozen=True, slots=True)
class LiftRestriction:
    actor: Actor
    user_id: str
    capability: Capability
    reason: str


@dataclasses.dataclass(frozen=True, slots=True)
class SuspendAccount:
    actor: Actor
    user_id: str
    action_id: str
    duration: timedelta | None  # None: until a moderator lifts it
    reason: str


@dataclasses.dataclass(frozen=True, slots=True)
class UnsuspendAccount:
    actor: Actor
    user_id: str
    reason: str


@dataclasses.dataclass(frozen=True, slots=True)
class RecordStrike:
    """``suspension_id`` names the suspension the strike causes, if it reaches a threshold."""

    actor: Actor
    user_id: str
    action_id: str
    reason: str
    suspension_id: str


@dataclasses.dataclass(frozen=True, slots=True)
class RemoveStrike:
    actor: Actor
    user_id: str
    action_id: str  # of the strike
    reason: str


@dataclasses.dataclass(frozen=True, slots=True)
class NoticeContentAction:
    """Tell the person who posted a video or comment what a moderator did to it."""

    actor: Actor
    user_id: str
    action_id: str
    action: ActionKind
    target_kind: str
    target_id: str
    reason: str
    labels: Sequence[str] = ()


# -- deciders --------------------------------------------------------------------------------------


def decide_restrict(state: State, cmd: RestrictAccount, *, subject: Subject, now: datetime) -> list[Event]:
    _ensure(state, cmd.actor, cmd.user_id, subject)
    until = now + valid_duration(cmd.duration)
    return [
        RestrictionImposed(
            user_id=cmd.user_id,
            action_id=require_id(cmd.action_id, "action_id"),
            capability=Capability(cmd.capability).value,
            until=stamp(until),
            moderator_id=cmd.actor.user_id,
            reason=valid_reason(cmd.reason),
        )
    ]


def decide_lift_restriction(
    state: State, cmd: LiftRestriction, *, subject: Subject, now: datetime
) -> list[Event]:
    _ensure(state, cmd.actor, cmd.user_id, subject)
    current = restriction(state, Capability(cmd.capability), now)
    if current is None:
        raise Conflict(f"no {cmd.capability} restriction is in force")
    return [
        RestrictionLifted(
            user_id=cmd.user_id,
            action_id=current.action_id,
            capability=current.capability.value,
            moderator_id=cmd.actor.user_id,
            reason=valid_reason(cmd.reason),
        )
    ]


def decide_suspend(state: State, cmd: SuspendAccount, *, subject: Subject, now: datetime) -> list[Event]:
    """A new suspension replaces one in force, unless that one lasts until lifted."""
    _ensure(state, cmd.actor, cmd.user_id, subject)
    current = suspension(state, now)
    if current is not None and current.until is None:
        raise Conflict("the account is already suspended until a moderator lifts it")
    until = None if cmd.duration is None else stamp(now + valid_duration(cmd.duration))
    return [
        AccountSuspended(
            user_id=cmd.user_id,
            action_id=require_id(cmd.action_id, "action_id"),
            until=until,
            moderator_id=cmd.actor.user_id,
            reason=valid_reason(cmd.reason),
        )
    ]


def decide_unsuspend(state: State, cmd: UnsuspendAccount, *, subject: Subject, now: datetime) -> list[Event]:
    _ensure(state, cmd.actor, cmd.user_id, subject)
    current = suspension(state, now)
    if current is None:
        raise Conflict("the account is not suspended")
    return [
        AccountUnsuspended(
            user_id=cmd.user_id,
            action_id=current.action_id,
            moderator_id=cmd.actor.user_id,
            reason=valid_reason(cmd.reason),
        )
    ]


def decide_strike(
    state: State, cmd: RecordStrike, *, subject: Subject, now: datetime, policy: StrikePolicy
) -> list[Event]:
    """The strike, and the suspension it causes when the strikes in force reach a threshold (unless
    a suspension in force already lasts as long)."""
    _ensure(state, cmd.actor, cmd.user_id, subject)
    reason = valid_reason(cmd.reason)
    strike = StrikeRecorded(
        user_id=cmd.user_id,
        action_id=require_id(cmd.action_id, "action_id"),
        moderator_id=cmd.actor.user_id,
        reason=reason,
        expires_at=stamp(now + policy.strike_lifetime),
    )
    count = len(strikes_in_force(state, now)) + 1
    threshold = policy.reached(count)
    if threshold is None:
        return [strike]
    until = None if threshold.suspension is None else now + threshold.suspension
    if _outlasts(suspension(state, now), until):
        return [strike]
    suspended = AccountSuspended(
        user_id=cmd.user_id,
        action_id=require_id(cmd.suspension_id, "suspension_id"),
        until=None if until is None else stamp(until),
        moderator_id=cmd.actor.user_id,
        reason=f"{count} strikes in force",
        cause_id=strike.action_id,
    )
    return [strike, suspended]


def decide_remove_strike(state: State, cmd: RemoveStrike, *, subject: Subject) -> list[Event]:
    _ensure(state, cmd.actor, cmd.user_id, subject)
    if all(s.action_id != cmd.action_id for s in state.strikes):
        raise Conflict("no such strike is on the account")
    return [
        StrikeRemoved(
            user_id=cmd.user_id,
            action_id=cmd.action_id,
            moderator_id=cmd.actor.user_id,
            reason=valid_reason(cmd.reason),
        )
    ]


def decide_notice_content_action(state: State, cmd: NoticeContentAction) -> list[Event]:
    """The notice of an action decided on the content's own stream; told once per action."""
    if not cmd.actor.moderates:
        raise NotAllowed("only a moderator can do this")
    if ActionKind(cmd.action) not in CONTENT_ACTIONS:
        raise InvalidCommand(f"{cmd.action} is not an action on content")
    if record(state, cmd.action_id) is not None:
        return []
    return [
        ContentModerated(
            user_id=require_id(cmd.user_id, "user_id"),
            action_id=require_id(cmd.action_id, "action_id"),
            action=ActionKind(cmd.action).value,
            target_kind=cmd.target_kind,
            target_id=require_id(cmd.target_id, "target_id"),
            moderator_id=cmd.actor.user_id,
            reason=valid_reason(cmd.reason),
            labels=list(cmd.labels),
        )
    ]


def appealable(kind: ActionKind) -> bool:
    return kind in ADVERSE


def _ensure(state: State, actor: Actor, user_id: str, subject: Subject) -> None:
    require_id(user_id, "user_id")
    if subject.user_id != user_id or state.user_id not in ("", user_id):
        raise ValueError(f"standing of {state.user_id or subject.user_id!r} given for {user_id!r}")
    ensure_may_act(actor, subject)


def _outlasts(current: Suspension | None, until: datetime | None) -> bool:
    """Whether the suspension in force already lasts at least until ``until``."""
    if current is None:
        return False
    if current.until is None:
        return True
    return until is not None and current.until >= until
