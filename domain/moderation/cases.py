"""A moderation case: one per reported target (stream ``case-<kind>-<target id>``).

The first report opens it (and a report after it was closed opens it again); reports themselves
stay on the reporters' streams ("no hot streams"), so a case takes one event per turn of its life,
not one per report. A moderator assigns it, escalates it to the admins, resolves it with an action
(the action itself lands on the target's stream and the subject's standing) or dismisses it.

A case with no event yet can be acted on: a moderator may act before anyone reports, and a report
whose opening was cut short by a crash must not lock its case. An escalated case is an admin's to
close. Who may act is ``rules.ensure_may_act`` against the case's subject (the target's owner).
"""

from __future__ import annotations

import dataclasses
import enum

from domain.actors import Actor, Role
from domain.errors import Conflict, InvalidCommand, NotAllowed
from domain.events import DomainEvent, event
from domain.moderation.rules import ActionKind, Subject, ensure_may_act, require_id, valid_reason
from domain.reports import TargetKind


def case_id(kind: str, target_id: str) -> str:
    """``video-<id>``: the case of a target, named by it, so finding it takes no lookup."""
    return f"{TargetKind(kind).value}-{require_id(target_id, 'target_id')}"


class Status(enum.StrEnum):
    NEW = "new"  # no event yet
    OPEN = "open"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"


CLOSED = frozenset({Status.RESOLVED, Status.DISMISSED})

# -- events ----------------------------------------------------------------------------------------


@event("CaseOpened")
@dataclasses.dataclass(frozen=True, slots=True)
class CaseOpened(DomainEvent):
    case_id: str
    target_kind: str
    target_id: str
    report_id: str  # the report that opened it


@event("CaseAssigned")
@dataclasses.dataclass(frozen=True, slots=True)
class CaseAssigned(DomainEvent):
    case_id: str
    assignee_id: str
    moderator_id: str


@event("CaseEscalated")
@dataclasses.dataclass(frozen=True, slots=True)
class CaseEscalated(DomainEvent):
    case_id: str
    moderator_id: str
    reason: str


@event("CaseResolved")
@dataclasses.dataclass(frozen=True, slots=True)
class CaseResolved(DomainEvent):
    case_id: str
    moderator_id: str
    action_id: str
    action: str  # an ActionKind
    subject_id: str
    reason: str


@event("CaseDismissed")
@dataclasses.dataclass(frozen=True, slots=True)
class CaseDismissed(DomainEvent):
    case_id: str
    moderator_id: str
    reason: str


Event = CaseOpened | CaseAssigned | CaseEscalated | CaseResolved | CaseDismissed

# -- commands --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class OpenCase:
    case_id: str
    target_kind: str
    target_id: str
    report_id: str


@dataclasses.dataclass(frozen=True, slots=True)
class AssignCase:
    actor: Actor
    case_id: str
    assignee: Subject  # the moderator it goes to, with their role now


@dataclasses.dataclass(frozen=True, slots=True)
class EscalateCase:
    actor: Actor
    case_id: str
    reason: str


@dataclasses.dataclass(frozen=True, slots=True)
class ResolveCase:
    actor: Actor
    case_id: str
    action_id: str
    action: ActionKind
    reason: str


@dataclasses.dataclass(frozen=True, slots=True)
class DismissCase:
    actor: Actor
    case_id: str
    reason: str


# -- state -----------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class State:
    case_id: str = ""
    status: Status = Status.NEW
    assignee_id: str | None = None


initial = State()


def evolve(state: State, event: Event) -> State:
    match event:
        case CaseOpened():
            return State(case_id=event.case_id, status=Status.OPEN)
        case CaseAssigned():
            return dataclasses.replace(state, case_id=event.case_id, assignee_id=event.assignee_id)
        case CaseEscalated():
            return dataclasses.replace(state, case_id=event.case_id, status=Status.ESCALATED)
        case CaseResolved():
            return dataclasses.replace(state, case_id=event.case_id, status=Status.RESOLVED)
        case CaseDismissed():
            return dataclasses.replace(state, case_id=event.case_id, status=Status.DISMISSED)


# -- deciders --------------------------------------------------------------------------------------


def decide_open_case(state: State, cmd: OpenCase) -> list[Event]:
    """Opens a new or closed case; a case already open records nothing (reports are counted by the
    read side, so a much-reported target costs its case no event per report)."""
    if state.status not in (Status.NEW, *CLOSED):
        return []
    expected = case_id(cmd.target_kind, cmd.target_id)
    if cmd.case_id != expected:
        raise ValueError(f"case {cmd.case_id!r} named for target {expected!r}")
    return [CaseOpened(expected, TargetKind(cmd.target_kind).value, cmd.target_id, cmd.report_id)]


def decide_assign_case(state: State, cmd: AssignCase, *, subject: Subject) -> list[Event]:
    """To a moderator who may act on the case's subject; assigning it again to them records nothing."""
    _ensure_open(state, cmd.actor, cmd.case_id, subject)
    assignee = Actor(cmd.assignee.user_id, cmd.assignee.role)
    if not assignee.moderates:
        raise InvalidCommand("a case is assigned to a moderator")
    try:
        ensure_may_act(assignee, subject)
    except NotAllowed as exc:
        raise InvalidCommand(f"the case cannot go to that moderator: {exc}") from None
    if state.assignee_id == assignee.user_id:
        return []
    return [CaseAssigned(cmd.case_id, assignee.user_id, cmd.actor.user_id)]


def decide_escalate_case(state: State, cmd: EscalateCase, *, subject: Subject) -> list[Event]:
    _ensure_open(state, cmd.actor, cmd.case_id, subject)
    if state.status is Status.ESCALATED:
        raise Conflict("the case is already escalated")
    return [CaseEscalated(cmd.case_id, cmd.actor.user_id, valid_reason(cmd.reason))]


def decide_resolve_case(state: State, cmd: ResolveCase, *, subject: Subject) -> list[Event]:
    """Records the resolution; the action itself is decided on the target's stream first."""
    ensure_closable(state, cmd.actor, cmd.case_id, subject)
    return [
        CaseResolved(
            case_id=cmd.case_id,
            moderator_id=cmd.actor.user_id,
            action_id=require_id(cmd.action_id, "action_id"),
            action=ActionKind(cmd.action).value,
            subject_id=subject.user_id,
            reason=valid_reason(cmd.reason),
        )
    ]


def decide_dismiss_case(state: State, cmd: DismissCase, *, subject: Subject) -> list[Event]:
    ensure_closable(state, cmd.actor, cmd.case_id, subject)
    return [CaseDismissed(cmd.case_id, cmd.actor.user_id, valid_reason(cmd.reason))]


def ensure_closable(state: State, actor: Actor, case: str, subject: Subject) -> None:
    """What resolving or dismissing needs: the caller checks it before acting on the target too."""
    _ensure_open(state, actor, case, subject)
    if state.status is Status.ESCALATED and actor.role is not Role.ADMIN:
        raise NotAllowed("an escalated case is closed by an admin")


def _ensure_open(state: State, actor: Actor, case: str, subject: Subject) -> None:
    if state.case_id not in ("", case):
        raise ValueError(f"state of case {state.case_id!r} given for {case!r}")
    ensure_may_act(actor, subject)
    if state.status in CLOSED:
        raise Conflict(f"the case is {state.status.value}; a new report opens it again")
