"""The moderators' queue and cases: read the queue, read a case's full history, and work a case
(assign, escalate, resolve with an action, dismiss). Moderators and admins only: anyone else is
refused (403) before anything is looked up, so the routes tell nobody else what is reported.

A case is named by its target: ``video-<id>``, ``comment-<id>`` or ``user-<id>``. Commands answer
with the global position of their last event; pass it as ``min_position`` to read the queue after.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from fastapi import Request as HttpRequest
from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.commanding import run
from api.deps import UUID_PATTERN, AppStateDep, CommandRequest
from api.problems import Problem, problems
from api.reading import Cursor, Limit, MinPosition, ReadStoreDep, caught_up, query
from api.responses import JSONBytes
from api.routers.moderation_common import POSITION, Reason, require_staff
from commands import cases as handlers
from commands.context import Outcome
from domain.moderation.rules import MAX_DURATION, ActionKind, Capability
from domain.reports import ReportReason
from domain.screening import Label
from read_models import comment_threads
from read_models import moderation_queue as model
from read_models.errors import MissingTable
from read_models.port import ReadStore

router = APIRouter(prefix="/v1/moderation", tags=["moderation"], dependencies=[Depends(require_staff)])

CASE_PATTERN = r"^(video|comment|user)-" + UUID_PATTERN.removeprefix("^")
CasePath = Annotated[str, Path(pattern=CASE_PATTERN, description="video-<id>, comment-<id> or user-<id>")]
MAX_HOURS = int(MAX_DURATION.total_seconds() // 3600)


class QueueState(StrEnum):
    OPEN = "open"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"


#: Report reasons, plus ``any`` (every case) and ``appeal`` (cases whose action is appealed).
QUEUE_REASONS = (model.ANY, model.APPEAL, *(r.value for r in ReportReason))
QueueReason = Annotated[
    str,
    Query(pattern=f"^({'|'.join(QUEUE_REASONS)})$", description="One of: " + ", ".join(QUEUE_REASONS)),
]


# -- answers ---------------------------------------------------------------------------------------


class AppealRef(BaseModel):
    user_id: str
    action_id: str


class CaseSummary(BaseModel):
    case_id: str
    target_kind: str = Field(description="video, comment or user")
    target_id: str
    subject_id: str | None = Field(description="Who posted the target (the user, for a user case)")
    state: QueueState
    priority: int = Field(description="Weighted reports plus spread, in hundredths: higher goes first")
    reasons: list[str] = Field(description="What it was reported for in this round")
    reports: int = Field(description="Reports in this round")
    first_reported_at: datetime | None
    last_reported_at: datetime | None
    assignee_id: str | None
    appeal: AppealRef | None = Field(description="The appeal waiting for a decision, if any")


class QueuePage(BaseModel):
    items: list[CaseSummary]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null at the end")


class ReportPublic(BaseModel):
    report_id: str
    reporter_id: str | None = Field(description="Who filed it; null once they were erased")
    reason: str
    note: str | None = Field(description="The reporter's note; null when none or erased")
    note_erased: bool
    weight: float = Field(description="What the report counted for: lower from new or abusive reporters")
    reported_at: datetime


class HistoryEntry(BaseModel):
    position: int
    at: datetime
    kind: str = Field(description="The event, e.g. CaseAssigned, VideoHidden, AppealDecided")
    actor_id: str | None
    action: str | None
    action_id: str | None
    reason: str | None
    detail: str | None


class AppealPublic(BaseModel):
    user_id: str
    action_id: str
    appeal_id: str
    statement: str | None = Field(description="The appellant's words; null once erased")
    status: str = Field(description="pending, granted or denied")
    filed_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    decision: str | None


class CaseComment(BaseModel):
    """A comment case's comment as moderators need it: its words even once removed."""

    comment_id: str
    video_id: str
    author_id: str | None = Field(description="null once the author erased their account")
    text: str | None = Field(description="The comment's words; null once deleted by its author or erased")
    erased: bool
    deleted: bool = Field(description="Deleted by its author")
    removed: bool = Field(description="Removed by a moderator (restorable)")
    held: bool = Field(
        default=False,
        description="Held by screening for a watched word: only its author sees it until released "
        "(POST /v1/moderation/comments/{comment_id}/release)",
    )
    posted_at: datetime


class CaseDetail(BaseModel):
    case: CaseSummary
    last_action: str | None
    last_action_id: str | None
    comment: CaseComment | None = Field(
        default=None, description="For a comment case: the comment reported; null for other cases"
    )
    reports: list[ReportPublic] = Field(description="The first reports, oldest first (at most 100 here)")
    history: list[HistoryEntry] = Field(description="Everything done about it, in order (at most 100 here)")
    appeal: AppealPublic | None = Field(description="The appeal waiting for a decision, if any")


class CaseCommand(BaseModel):
    case_id: str
    action_id: str | None = Field(
        default=None, description="The action a resolution took: what an appeal names"
    )
    recorded: bool = Field(description="False when nothing changed (e.g. assigned to the same moderator)")
    position: int = Field(description=POSITION)


# -- bodies ----------------------------------------------------------------------------------------


class Assignment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    assignee_id: Annotated[
        str, Field(pattern=UUID_PATTERN, description="A moderator (an admin for cases about a moderator)")
    ]


class Note(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Reason


class ResolutionBody(BaseModel):
    """The action the case is resolved with. A video case takes remove_video or label_video, a
    comment case remove_comment; any case may restrict, suspend or strike the subject."""

    model_config = ConfigDict(extra="forbid")
    action: ActionKind
    reason: Reason
    labels: list[Label] = Field(default_factory=list, max_length=len(Label), description="For label_video")
    capability: Capability | None = Field(default=None, description="For restrict")
    duration_hours: int | None = Field(
        default=None,
        ge=1,
        le=MAX_HOURS,
        description="For restrict (required) and suspend (null: until lifted)",
    )
    strike: bool = Field(default=False, description="Also record a strike on the subject")

    @model_validator(mode="after")
    def _complete(self) -> ResolutionBody:
        if self.action is ActionKind.LABEL_VIDEO and not self.labels:
            raise ValueError("label_video needs labels")
        if self.action is ActionKind.RESTRICT and (self.capability is None or self.duration_hours is None):
            raise ValueError("restrict needs a capability and duration_hours")
        return self


# -- reads -----------------------------------------------------------------------------------------


@router.get(
    "/queue",
    response_model=QueuePage,
    summary="The moderation queue, highest priority first (moderators)",
    responses=problems(s400="The cursor is not one this queue handed out", s403="Not a moderator"),
)
async def moderation_queue(
    store: ReadStoreDep,
    state: QueueState = QueueState.OPEN,
    reason: QueueReason = model.ANY,
    limit: Limit = 20,
    cursor: Cursor = None,
    min_position: MinPosition = None,
) -> QueuePage:
    """Cases in a state, filtered by reason. Resolved and dismissed cases stay listed for 30 days."""
    await caught_up(store, model.MODEL, min_position)
    found, next_cursor = await query(
        model.MODEL, lambda: model.queue(store, state.value, reason, limit, cursor)
    )
    return QueuePage(items=[_summary(c) for c in found], next_cursor=next_cursor)


@router.get(
    "/cases/{case_id}",
    response_model=CaseDetail,
    summary="A case: its target, reports with notes, full history and pending appeal (moderators)",
    responses=problems(s403="Not a moderator", s404="No case about this target"),
)
async def moderation_case(
    case_id: CasePath, store: ReadStoreDep, min_position: MinPosition = None
) -> CaseDetail:
    await caught_up(store, model.MODEL, min_position)
    detail = await query(model.MODEL, lambda: _detail(store, case_id))
    if detail is None:
        raise Problem(404, "no case about this target")
    return detail


def _detail(store: ReadStore, case_id: str) -> CaseDetail | None:
    found = model.case(store, case_id)
    if found is None:
        return None
    reports, _ = model.reports(store, case_id, 100)
    entries, _ = model.history(store, case_id, 100)
    appeal = None
    if found.appeal_user_id and found.appeal_action_id:
        appeal = model.appeal(store, found.appeal_user_id, found.appeal_action_id)
    return CaseDetail(
        case=_summary(found),
        last_action=found.last_action,
        last_action_id=found.last_action_id,
        comment=_comment(store, found.target_id) if found.target_kind == "comment" else None,
        reports=[ReportPublic.model_validate(r, from_attributes=True) for r in reports],
        history=[HistoryEntry.model_validate(e, from_attributes=True) for e in entries],
        appeal=None if appeal is None else AppealPublic.model_validate(appeal, from_attributes=True),
    )


def _comment(store: ReadStore, comment_id: str) -> CaseComment | None:
    """The comment as its thread's projector keeps it; ``None`` while that read model lags or lacks it."""
    try:
        row = store.get(
            comment_threads.MODEL.table(store, comment_threads.COMMENT_ROWS), {"comment_id": comment_id}
        )
    except MissingTable:
        return None
    if row is None:
        return None
    deleted = bool(row.get("deleted"))
    return CaseComment(
        comment_id=comment_id,
        video_id=row["video_id"],
        author_id=row["author_id"],
        text=None if deleted else row.get("text"),
        erased=bool(row.get("erased")),
        deleted=deleted,
        removed=bool(row.get("removed")),
        held=bool(row.get("held")),
        posted_at=row["posted_at"],
    )


def _summary(case: model.Case) -> CaseSummary:
    appeal = None
    if case.appeal_user_id and case.appeal_action_id:
        appeal = AppealRef(user_id=case.appeal_user_id, action_id=case.appeal_action_id)
    return CaseSummary(
        case_id=case.case_id,
        target_kind=case.target_kind,
        target_id=case.target_id,
        subject_id=case.subject_id,
        state=QueueState(case.state),
        priority=case.priority,
        reasons=case.reasons,
        reports=case.reports,
        first_reported_at=case.first_reported_at,
        last_reported_at=case.last_reported_at,
        assignee_id=case.assignee_id,
        appeal=appeal,
    )


# -- commands --------------------------------------------------------------------------------------

_CASE_PROBLEMS = problems(
    s403="Not a moderator, or not one who may act on this case's subject (nobody on themselves; "
    "a moderator's case is an admin's; an escalated case is closed by an admin)",
    s404="The target is unknown or gone",
    s409="The case is closed (a new report opens it again), or already escalated",
)


@router.post(
    "/cases/{case_id}/assign",
    response_model=CaseCommand,
    summary="Assign a case to a moderator",
    responses=_CASE_PROBLEMS,
)
def assign_case(
    case_id: CasePath, body: Assignment, state: AppStateDep, http: HttpRequest, request: CommandRequest
) -> JSONBytes:
    """Assigning it again to the same moderator records nothing (``recorded`` false)."""
    return run(
        state,
        http,
        request,
        body,
        lambda: _answer(case_id, handlers.assign_case(state.ports, request, case_id, body.assignee_id)),
    )


@router.post(
    "/cases/{case_id}/escalate",
    response_model=CaseCommand,
    summary="Escalate a case to the admins",
    responses=_CASE_PROBLEMS,
)
def escalate_case(
    case_id: CasePath, body: Note, state: AppStateDep, http: HttpRequest, request: CommandRequest
) -> JSONBytes:
    return run(
        state,
        http,
        request,
        body,
        lambda: _answer(case_id, handlers.escalate_case(state.ports, request, case_id, body.reason)),
    )


@router.post(
    "/cases/{case_id}/dismiss", response_model=CaseCommand, summary="Dismiss a case", responses=_CASE_PROBLEMS
)
def dismiss_case(
    case_id: CasePath, body: Note, state: AppStateDep, http: HttpRequest, request: CommandRequest
) -> JSONBytes:
    """Nothing wrong found. Its reporters' later reports weigh less if most of theirs are dismissed."""
    return run(
        state,
        http,
        request,
        body,
        lambda: _answer(case_id, handlers.dismiss_case(state.ports, request, case_id, body.reason)),
    )


@router.post(
    "/cases/{case_id}/resolve",
    response_model=CaseCommand,
    summary="Resolve a case with an action",
    responses={
        **_CASE_PROBLEMS,
        **problems(s422="The action does not fit the target, or misses what it needs"),
    },
)
def resolve_case(
    case_id: CasePath, body: ResolutionBody, state: AppStateDep, http: HttpRequest, request: CommandRequest
) -> JSONBytes:
    """Takes the action (remove or label the video, remove the comment, restrict, suspend or strike
    the subject), tells the subject, and closes the case. The answer's ``action_id`` is what the
    subject's appeal names."""
    resolution = handlers.Resolution(
        action=body.action,
        reason=body.reason,
        labels=body.labels,
        capability=body.capability,
        duration=None if body.duration_hours is None else timedelta(hours=body.duration_hours),
        strike=body.strike,
    )

    def act() -> CaseCommand:
        action_id, outcome = handlers.resolve_case(state.ports, request, case_id, resolution)
        return CaseCommand(
            case_id=case_id, action_id=action_id, recorded=outcome.appended > 0, position=outcome.position
        )

    return run(state, http, request, body, act)


def _answer(case_id: str, outcome: Outcome) -> CaseCommand:
    return CaseCommand(case_id=case_id, recorded=outcome.appended > 0, position=outcome.position)
