"""A person's standing (stream ``standing-<user>``): restrictions, strikes, suspension, and every
moderation action that fell on them or their content, with its appeal.

Each event is also a notice: the person's client shows it ("your video was removed: …", "you may not
comment until …"). Every action carries its own id, the moderator and a reason, so an appeal names
the action it contests and can be filed once for it. The write side enforces restrictions and
suspensions from this stream (never from a read model); the session gate reads the suspension.

The appeal statement is the person's own words: sealed with their key, it reads as ``None`` once
that key is erased.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from typing import Any

from domain.events import DomainEvent, event
from domain.moderation.rules import REVERSAL, ActionKind, Capability, Restricted, moment, stamp

# -- events ----------------------------------------------------------------------------------------


@event("RestrictionImposed")
@dataclasses.dataclass(frozen=True, slots=True)
class RestrictionImposed(DomainEvent):
    user_id: str
    action_id: str
    capability: str  # a Capability
    until: str  # ISO 8601
    moderator_id: str
    reason: str


@event("RestrictionLifted")
@dataclasses.dataclass(frozen=True, slots=True)
class RestrictionLifted(DomainEvent):
    user_id: str
    action_id: str  # of the restriction lifted
    capability: str
    moderator_id: str
    reason: str


@event("StrikeRecorded")
@dataclasses.dataclass(frozen=True, slots=True)
class StrikeRecorded(DomainEvent):
    user_id: str
    action_id: str
    moderator_id: str
    reason: str
    expires_at: str  # ISO 8601: when it stops counting towards a suspension


@event("StrikeRemoved")
@dataclasses.dataclass(frozen=True, slots=True)
class StrikeRemoved(DomainEvent):
    user_id: str
    action_id: str  # of the strike removed
    moderator_id: str
    reason: str


@event("AccountSuspended")
@dataclasses.dataclass(frozen=True, slots=True)
class AccountSuspended(DomainEvent):
    user_id: str
    action_id: str
    until: str | None  # ISO 8601; None until a moderator lifts it
    moderator_id: str
    reason: str
    cause_id: str | None = None  # the strike whose count reached a threshold, if that suspended it


@event("AccountUnsuspended")
@dataclasses.dataclass(frozen=True, slots=True)
class AccountUnsuspended(DomainEvent):
    user_id: str
    action_id: str  # of the suspension lifted
    moderator_id: str
    reason: str


@event("ContentModerated")
@dataclasses.dataclass(frozen=True, slots=True)
class ContentModerated(DomainEvent):
    """A moderator acted on a video or comment of this person's (the act itself is on its stream)."""

    user_id: str
    action_id: str
    action: str  # an ActionKind on content
    target_kind: str  # "video" or "comment"
    target_id: str
    moderator_id: str
    reason: str
    labels: list[str] = dataclasses.field(default_factory=list)


@event("AppealFiled", personal=("statement",), subject="user_id")
@dataclasses.dataclass(frozen=True, slots=True)
class AppealFiled(DomainEvent):
    user_id: str
    appeal_id: str
    action_id: str
    action: str
    target_kind: str
    target_id: str
    statement: str | None  # None once erased


@event("AppealDecided")
@dataclasses.dataclass(frozen=True, slots=True)
class AppealDecided(DomainEvent):
    user_id: str
    appeal_id: str
    action_id: str
    moderator_id: str
    granted: bool
    reason: str


Event = (
    RestrictionImposed
    | RestrictionLifted
    | StrikeRecorded
    | StrikeRemoved
    | AccountSuspended
    | AccountUnsuspended
    | ContentModerated
    | AppealFiled
    | AppealDecided
)
#: Events that record an action of their own (the others undo one or decide an appeal).
ACTIONS = (RestrictionImposed, StrikeRecorded, AccountSuspended, ContentModerated)

# -- state -----------------------------------------------------------------------------------------


class Appeal:
    PENDING = "pending"
    GRANTED = "granted"
    DENIED = "denied"


@dataclasses.dataclass(frozen=True, slots=True)
class Record:
    """One action that fell on the person, as an appeal needs to know it."""

    action_id: str
    action: ActionKind
    moderator_id: str
    target_kind: str
    target_id: str
    reversed: bool = False
    appeal_id: str | None = None
    appeal: str | None = None  # an Appeal value once appealed
    cause_id: str | None = None
    labels: tuple[str, ...] = ()  # of a label_video action


@dataclasses.dataclass(frozen=True, slots=True)
class Restriction:
    capability: Capability
    action_id: str
    until: datetime


@dataclasses.dataclass(frozen=True, slots=True)
class Strike:
    action_id: str
    expires_at: datetime


@dataclasses.dataclass(frozen=True, slots=True)
class Suspension:
    action_id: str
    until: datetime | None  # None: until lifted
    cause_id: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class State:
    user_id: str = ""
    restrictions: tuple[Restriction, ...] = ()  # one per capability at most
    strikes: tuple[Strike, ...] = ()  # recorded and not removed (expired ones included)
    suspension: Suspension | None = None  # the latest, which may have ended by now
    records: tuple[Record, ...] = ()


initial = State()


def evolve(state: State, event: Event) -> State:
    state = dataclasses.replace(state, user_id=event.user_id)
    match event:
        case RestrictionImposed():
            kept = tuple(r for r in state.restrictions if r.capability != event.capability)
            imposed = Restriction(Capability(event.capability), event.action_id, moment(event.until))
            return _recorded(dataclasses.replace(state, restrictions=(*kept, imposed)), event)
        case RestrictionLifted():
            kept = tuple(r for r in state.restrictions if r.action_id != event.action_id)
            return _reversed(dataclasses.replace(state, restrictions=kept), event.action_id)
        case StrikeRecorded():
            strike = Strike(event.action_id, moment(event.expires_at))
            return _recorded(dataclasses.replace(state, strikes=(*state.strikes, strike)), event)
        case StrikeRemoved():
            left = tuple(s for s in state.strikes if s.action_id != event.action_id)
            return _reversed(dataclasses.replace(state, strikes=left), event.action_id)
        case AccountSuspended():
            until = None if event.until is None else moment(event.until)
            suspended = Suspension(event.action_id, until, event.cause_id)
            return _recorded(dataclasses.replace(state, suspension=suspended), event)
        case AccountUnsuspended():
            return _reversed(dataclasses.replace(state, suspension=None), event.action_id)
        case ContentModerated():
            return _undo_earlier(_recorded(state, event), event)
        case AppealFiled():
            return _appealed(state, event.action_id, appeal_id=event.appeal_id, appeal=Appeal.PENDING)
        case AppealDecided():
            appeal = Appeal.GRANTED if event.granted else Appeal.DENIED
            decided = _appealed(state, event.action_id, appeal=appeal)
            return _reversed(decided, event.action_id) if event.granted else decided


ActionEvent = RestrictionImposed | StrikeRecorded | AccountSuspended | ContentModerated


def _recorded(state: State, event: ActionEvent) -> State:
    kind, target_kind, target_id = _what(event)
    cause = event.cause_id if isinstance(event, AccountSuspended) else None
    labels = tuple(event.labels) if isinstance(event, ContentModerated) else ()
    record = Record(
        event.action_id, kind, event.moderator_id, target_kind, target_id, cause_id=cause, labels=labels
    )
    return dataclasses.replace(state, records=(*state.records, record))


def _what(event: ActionEvent) -> tuple[ActionKind, str, str]:
    match event:
        case RestrictionImposed():
            return ActionKind.RESTRICT, "user", event.user_id
        case StrikeRecorded():
            return ActionKind.STRIKE, "user", event.user_id
        case AccountSuspended():
            return ActionKind.SUSPEND, "user", event.user_id
        case ContentModerated():
            return ActionKind(event.action), event.target_kind, event.target_id


def _undo_earlier(state: State, event: ContentModerated) -> State:
    """A restore (or unlabel) of content undoes the adverse actions on it still in force."""
    undone = {kind for kind, undo in REVERSAL.items() if undo == event.action}
    return _replace_records(
        state,
        lambda r: r.target_id == event.target_id and r.action in undone and not r.reversed,
        reversed=True,
    )


def _reversed(state: State, action_id: str) -> State:
    return _replace_records(state, lambda r: r.action_id == action_id, reversed=True)


def _appealed(state: State, action_id: str, **changes: Any) -> State:
    return _replace_records(state, lambda r: r.action_id == action_id, **changes)


def _replace_records(state: State, which: Callable[[Record], bool], **changes: Any) -> State:
    records = tuple(dataclasses.replace(r, **changes) if which(r) else r for r in state.records)
    return dataclasses.replace(state, records=records)


# -- what the state says now -----------------------------------------------------------------------


def record(state: State, action_id: str) -> Record | None:
    return next((r for r in state.records if r.action_id == action_id), None)


def restriction(state: State, capability: Capability, now: datetime) -> Restriction | None:
    """The restriction of ``capability`` in force at ``now``, if any."""
    return next((r for r in state.restrictions if r.capability == capability and r.until > now), None)


def suspension(state: State, now: datetime) -> Suspension | None:
    """The suspension in force at ``now``, if any."""
    current = state.suspension
    if current is None or (current.until is not None and current.until <= now):
        return None
    return current


def strikes_in_force(state: State, now: datetime) -> tuple[Strike, ...]:
    return tuple(s for s in state.strikes if s.expires_at > now)


#: How a suspension names itself in a refusal (beside the capabilities a restriction names).
SUSPENDED = "suspended"


def ensure_may(state: State, capability: Capability, now: datetime) -> None:
    """Raises ``Restricted`` while the account is suspended or restricted from ``capability``."""
    suspended = suspension(state, now)
    if suspended is not None:
        ending = (
            "until a moderator lifts it" if suspended.until is None else f"until {stamp(suspended.until)}"
        )
        raise Restricted(f"your account is suspended {ending}", restriction=SUSPENDED, until=suspended.until)
    restricted = restriction(state, capability, now)
    if restricted is not None:
        raise Restricted(
            f"you may not {capability.value} until {stamp(restricted.until)}: a moderator restricted it",
            restriction=capability.value,
            until=restricted.until,
        )
