"""The moderators' queue and each target's case, as the ``moderation_queue`` projector keeps them.

One table per access pattern (DESIGN.md §5):

- ``mod_queue``: cases by (state, reason), highest priority first. A case is listed under ``any``,
  under each reason it was reported for, and under ``appeal`` while an appeal of its action waits.
  Resolved and dismissed rows expire after ``CLOSED_TTL``: the case's own rows keep its history.
- ``mod_cases``: a case by id: its target and subject, state, counts, reasons, weight, priority,
  first and last report, assignee, last action, pending appeal.
- ``mod_case_reports``: a case's reports oldest first, with the reporters' notes (moderators only).
  The first ``MAX_DETAILED`` of a case are kept in detail, so the partition stays bounded; the
  counts go on.
- ``mod_history``: everything done about a case, in log order: opening, assignment, escalation,
  actions on the target and its subject, resolution, appeals.
- ``mod_appeals``: a person's appeals by action, with their statement.
- ``mod_reporters``, ``mod_reporter_reports``, ``mod_spread``: the projector's own state (a
  reporter's record and age, their reports, a video's likes and shares); not for queries.
- ``mod_case_copies``, ``mod_case_reporters``, ``mod_appeal_cases``: the projector's own state too:
  what each of its partitions knows of every case to keep reporters' records (its round and state,
  who reported in which round, the case an appeal is about). Each partition keeps its own copy of
  these and of ``mod_reporters``, under its ``shard``, and reads only that.
- ``mod_reporter_copies``: each partition's copy of who reported what, under the reporter's id, and
  ``mod_erased``, its erasure marks (``read_models/erasure_marks.py``): a reporter's erasure removes
  their record and copies, and their id from their reports, which stand (weights and counts too).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from read_models.erasure_marks import erasure_marks
from read_models.live import ReadModel
from read_models.port import ReadStore
from read_models.tables import (
    ASC,
    BOOL,
    DESC,
    FLOAT,
    INT,
    TEXT,
    TEXT_LIST,
    TIMESTAMP,
    Clustering,
    Row,
    Table,
    columns_of,
)

#: 2: each partition's copies of reporters' records and of what they depend on; 3: an erasure takes
#: the reporter's record and every link from them to their reports (``mod_reporter_copies``)
VERSION = 3
MODEL = ReadModel("moderation_queue", VERSION)
APPLIED = "applied_position"
CLOSED_TTL = int(timedelta(days=30).total_seconds())
MAX_DETAILED = 200
ANY, APPEAL = "any", "appeal"
STATES = ("open", "escalated", "resolved", "dismissed")
CLOSED = frozenset({"resolved", "dismissed"})

#: What a queue row tells of its case.
LISTED = columns_of(
    case_id=TEXT,
    target_kind=TEXT,
    target_id=TEXT,
    subject_id=TEXT,
    reasons=TEXT_LIST,
    reports=INT,
    first_reported_at=TIMESTAMP,
    last_reported_at=TIMESTAMP,
    assignee_id=TEXT,
    appeal_user_id=TEXT,
    appeal_action_id=TEXT,
)
MOD_QUEUE = Table(
    "mod_queue",
    columns=(*columns_of(state=TEXT, reason=TEXT, priority=INT), *LISTED),
    partition_key=("state", "reason"),
    clustering=(Clustering("priority", DESC), Clustering("case_id", ASC)),
)
MOD_CASES = Table(
    "mod_cases",
    columns=(
        *LISTED,
        *columns_of(
            state=TEXT,
            priority=INT,
            weight=FLOAT,
            cycle=INT,
            last_action=TEXT,
            last_action_id=TEXT,
            appeal_id=TEXT,
            updated_at=TIMESTAMP,
            **{APPLIED: INT},
        ),
    ),
    partition_key=("case_id",),
)
MOD_CASE_REPORTS = Table(
    "mod_case_reports",
    columns=columns_of(
        case_id=TEXT,
        reported_at=TIMESTAMP,
        report_id=TEXT,
        reporter_id=TEXT,
        reason=TEXT,
        note=TEXT,
        note_erased=BOOL,
        weight=FLOAT,
        cycle=INT,
    ),
    partition_key=("case_id",),
    clustering=(Clustering("reported_at"), Clustering("report_id")),
)
MOD_HISTORY = Table(
    "mod_history",
    columns=columns_of(
        case_id=TEXT,
        position=INT,
        at=TIMESTAMP,
        kind=TEXT,
        actor_id=TEXT,
        action=TEXT,
        action_id=TEXT,
        reason=TEXT,
        detail=TEXT,
    ),
    partition_key=("case_id",),
    clustering=(Clustering("position"),),
)
MOD_APPEALS = Table(
    "mod_appeals",
    columns=columns_of(
        user_id=TEXT,
        action_id=TEXT,
        appeal_id=TEXT,
        case_id=TEXT,
        statement=TEXT,
        erased=BOOL,
        status=TEXT,
        filed_at=TIMESTAMP,
        decided_at=TIMESTAMP,
        decided_by=TEXT,
        decision=TEXT,
    ),
    partition_key=("user_id",),
    clustering=(Clustering("action_id"),),
)
MOD_REPORTERS = Table(
    "mod_reporters",
    columns=columns_of(
        reporter_id=TEXT, shard=TEXT, registered_at=TIMESTAMP, filed=INT, dismissed=INT, **{APPLIED: INT}
    ),
    partition_key=("reporter_id",),
    clustering=(Clustering("shard"),),
)
MOD_REPORTER_REPORTS = Table(
    "mod_reporter_reports",
    columns=columns_of(reporter_id=TEXT, case_id=TEXT, report_id=TEXT, reported_at=TIMESTAMP),
    partition_key=("reporter_id",),
    clustering=(Clustering("case_id"), Clustering("report_id")),
)
MOD_SPREAD = Table(
    "mod_spread",
    columns=columns_of(video_id=TEXT, engagement=INT, **{APPLIED: INT}),
    partition_key=("video_id",),
)
MOD_CASE_COPIES = Table(
    "mod_case_copies",
    columns=columns_of(
        case_id=TEXT,
        shard=TEXT,
        state=TEXT,
        cycle=INT,
        reports=INT,
        appeal_action_id=TEXT,
        **{APPLIED: INT},
    ),
    partition_key=("case_id",),
    clustering=(Clustering("shard"),),
)
MOD_CASE_REPORTERS = Table(
    "mod_case_reporters",
    columns=columns_of(
        case_id=TEXT, shard=TEXT, reported_at=TIMESTAMP, report_id=TEXT, reporter_id=TEXT, cycle=INT
    ),
    partition_key=("case_id", "shard"),
    clustering=(Clustering("reported_at"), Clustering("report_id")),
)
MOD_APPEAL_CASES = Table(
    "mod_appeal_cases",
    columns=columns_of(user_id=TEXT, action_id=TEXT, shard=TEXT, case_id=TEXT),
    partition_key=("user_id", "action_id"),
    clustering=(Clustering("shard"),),
)
#: Each partition's copy of a reporter's reports, under their id, so their erasure finds its copies.
MOD_REPORTER_COPIES = Table(
    "mod_reporter_copies",
    columns=columns_of(reporter_id=TEXT, shard=TEXT, case_id=TEXT, reported_at=TIMESTAMP, report_id=TEXT),
    partition_key=("reporter_id", "shard"),
    clustering=(Clustering("case_id"), Clustering("reported_at"), Clustering("report_id")),
)
MOD_ERASED = erasure_marks("mod_erased")
TABLES = (
    MOD_QUEUE,
    MOD_CASES,
    MOD_CASE_REPORTS,
    MOD_HISTORY,
    MOD_APPEALS,
    MOD_REPORTERS,
    MOD_REPORTER_REPORTS,
    MOD_SPREAD,
    MOD_CASE_COPIES,
    MOD_CASE_REPORTERS,
    MOD_APPEAL_CASES,
    MOD_REPORTER_COPIES,
    MOD_ERASED,
)


@dataclasses.dataclass(frozen=True, slots=True)
class Case:
    case_id: str
    target_kind: str
    target_id: str
    subject_id: str | None
    state: str
    priority: int
    reasons: list[str]
    reports: int
    first_reported_at: datetime | None
    last_reported_at: datetime | None
    assignee_id: str | None
    last_action: str | None
    last_action_id: str | None
    appeal_user_id: str | None
    appeal_action_id: str | None


@dataclasses.dataclass(frozen=True, slots=True)
class Report:
    report_id: str
    #: ``None`` once the reporter was erased: the report stands, not who made it.
    reporter_id: str | None
    reason: str
    note: str | None
    note_erased: bool
    weight: float
    reported_at: datetime


@dataclasses.dataclass(frozen=True, slots=True)
class Entry:
    """One line of a case's history."""

    position: int
    at: datetime
    kind: str
    actor_id: str | None
    action: str | None
    action_id: str | None
    reason: str | None
    detail: str | None


@dataclasses.dataclass(frozen=True, slots=True)
class Appeal:
    user_id: str
    action_id: str
    appeal_id: str
    case_id: str
    statement: str | None
    erased: bool
    status: str
    filed_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    decision: str | None


def queue(
    store: ReadStore, state: str, reason: str, limit: int, cursor: str | None = None
) -> tuple[list[Case], str | None]:
    """Cases in ``state`` reported for ``reason`` (``any``: all; ``appeal``: appealed), highest
    priority first."""
    page = store.page(
        MODEL.table(store, MOD_QUEUE), {"state": state, "reason": reason}, limit=limit, cursor=cursor
    )
    return [case_of(row) for row in page.rows], page.cursor


def case(store: ReadStore, case_id: str) -> Case | None:
    row = store.get(MODEL.table(store, MOD_CASES), {"case_id": case_id})
    return None if row is None else case_of(row)


def reports(
    store: ReadStore, case_id: str, limit: int, cursor: str | None = None
) -> tuple[list[Report], str | None]:
    page = store.page(MODEL.table(store, MOD_CASE_REPORTS), {"case_id": case_id}, limit=limit, cursor=cursor)
    return [_report(row) for row in page.rows], page.cursor


def history(
    store: ReadStore, case_id: str, limit: int, cursor: str | None = None
) -> tuple[list[Entry], str | None]:
    page = store.page(MODEL.table(store, MOD_HISTORY), {"case_id": case_id}, limit=limit, cursor=cursor)
    return [_entry(row) for row in page.rows], page.cursor


def appeal(store: ReadStore, user_id: str, action_id: str) -> Appeal | None:
    row = store.get(MODEL.table(store, MOD_APPEALS), {"user_id": user_id, "action_id": action_id})
    return None if row is None else _appeal(row)


def case_of(row: Row) -> Case:
    return Case(
        case_id=row["case_id"],
        target_kind=row["target_kind"],
        target_id=row["target_id"],
        subject_id=row["subject_id"],
        state=row["state"],
        priority=row["priority"] or 0,
        reasons=list(row["reasons"] or []),
        reports=row["reports"] or 0,
        first_reported_at=row["first_reported_at"],
        last_reported_at=row["last_reported_at"],
        assignee_id=row["assignee_id"],
        last_action=row.get("last_action"),
        last_action_id=row.get("last_action_id"),
        appeal_user_id=row["appeal_user_id"],
        appeal_action_id=row["appeal_action_id"],
    )


def _report(row: Row) -> Report:
    return Report(
        report_id=row["report_id"],
        reporter_id=row["reporter_id"],
        reason=row["reason"],
        note=row["note"],
        note_erased=bool(row["note_erased"]),
        weight=row["weight"] or 0.0,
        reported_at=row["reported_at"],
    )


def _entry(row: Row) -> Entry:
    return Entry(
        position=row["position"],
        at=row["at"],
        kind=row["kind"],
        actor_id=row["actor_id"],
        action=row["action"],
        action_id=row["action_id"],
        reason=row["reason"],
        detail=row["detail"],
    )


def _appeal(row: Row) -> Appeal:
    return Appeal(
        user_id=row["user_id"],
        action_id=row["action_id"],
        appeal_id=row["appeal_id"],
        case_id=row["case_id"],
        statement=row["statement"],
        erased=bool(row["erased"]),
        status=row["status"],
        filed_at=row["filed_at"],
        decided_at=row["decided_at"],
        decided_by=row["decided_by"],
        decision=row["decision"],
    )
