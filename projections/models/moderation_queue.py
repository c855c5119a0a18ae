"""The moderators' queue, cases, reports and history (``read_models/moderation_queue.py``).

A case's row is its state with an ``applied_position``: an event at or below it was applied already
and is skipped, so report counts and weights never count twice. Queue rows are rendered from it and
written before it (``last``), each stamped with the event's position; a case whose state, reasons or
priority change leaves its old queue rows for the new ones.

- A report opens its target's case (or starts a new cycle of a closed one): counted, weighed by its
  reporter's age and record (``domain.moderation.trust``), its reason listed.
- A dismissal counts against the reporters of the cycle it closes: their later reports weigh less.
- Likes and shares of a video raise its case's priority as it spreads (``mod_spread``).
- Assignments, escalations, resolutions, actions on the target or its subject, and appeals are
  written to the case's history; an appeal opens the case again until it is decided.

Partitions: the entity is the case (the target reported). A report is weighed by its reporter's
record, which reports and dismissals in every case change, so what a record depends on is applied
by every partition (``EVERYWHERE``: registrations, reports, the case events that change a case's
state, appeals, erasures), each keeping its own copy of every reporter's record (``mod_reporters``)
and of what it needs of every case to keep those records: the case's round and state
(``mod_case_copies``), who reported in which round (``mod_case_reporters``), which case an appeal is
about (``mod_appeal_cases``). The case's own partition alone writes what moderators read (queue,
case, reports, history, appeals) and counts its spread; its case row, not its copy, is its guard.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.accounts.events import ErasureRequested, UserRegistered
from domain.engagement.likes import VideoLiked, VideoUnliked
from domain.engagement.shares import VideoShared
from domain.moderation.cases import CaseAssigned, CaseDismissed, CaseEscalated, CaseOpened, CaseResolved
from domain.moderation.standing import AppealDecided, AppealFiled
from domain.moderation.trust import priority, report_weight
from domain.reports import ReportFiled
from eventstore.codec import Decoded
from projections import erasure_marks
from projections import moderation_history as history
from projections.partition import EVERY, one_copy
from projections.projector import Projector
from projections.writer import Writer
from read_models.moderation_queue import (
    ANY,
    APPEAL,
    APPLIED,
    CLOSED,
    CLOSED_TTL,
    MAX_DETAILED,
    MOD_CASE_COPIES,
    MOD_CASES,
    MOD_ERASED,
    MOD_QUEUE,
    MOD_REPORTER_COPIES,
    MOD_REPORTER_REPORTS,
    TABLES,
    VERSION,
)
from read_models.tables import Row

NAME = "moderation_queue"
CASE_EVENTS = (CaseOpened, CaseAssigned, CaseEscalated, CaseResolved, CaseDismissed)
SPREAD = (VideoLiked, VideoUnliked, VideoShared)
HANDLES = (
    ReportFiled,
    *CASE_EVENTS,
    AppealFiled,
    AppealDecided,
    *SPREAD,
    *history.ACTIONS,
    UserRegistered,
    ErasureRequested,
)
#: What reporters' records depend on: every partition applies these (see the module docstring).
EVERYWHERE = (
    UserRegistered,
    ReportFiled,
    CaseEscalated,
    CaseResolved,
    CaseDismissed,
    AppealFiled,
    AppealDecided,
    ErasureRequested,
)
#: The copies every partition keeps: any one of them is the row.
ERASED = MOD_ERASED.name
COPIES = (
    "mod_reporters",
    "mod_case_copies",
    "mod_case_reporters",
    "mod_appeal_cases",
    "mod_reporter_copies",
    "mod_erased",
)


def project(decoded: Decoded, writer: Writer) -> None:
    event = decoded.event
    match event:
        case ReportFiled():
            _reported(writer, decoded, event)
        case UserRegistered(user_id=user_id):
            key = _reporter(writer, user_id)
            row = writer.get("mod_reporters", key) or {}
            known = {**row, **key, "registered_at": decoded.occurred_at}
            writer.upsert("mod_reporters", {**known, APPLIED: row.get(APPLIED) or 0})  # ``add`` reads it
        case VideoLiked() | VideoUnliked() | VideoShared():
            _spread(writer, decoded, event.video_id, -1 if isinstance(event, VideoUnliked) else 1)
        case ErasureRequested(user_id=user_id):
            _erase(writer, user_id)
        case AppealFiled() | AppealDecided():
            _appeal(writer, decoded, event)
        case _ if isinstance(event, CASE_EVENTS):
            _case_event(writer, decoded, event)
        case _:
            history.action(writer, decoded)


def entity(decoded: Decoded) -> str:
    """The case; what reporters' records depend on, every partition."""
    event = decoded.event
    match event:
        case _ if isinstance(event, EVERYWHERE):
            return EVERY
        case CaseOpened() | CaseAssigned():
            return event.case_id
        case VideoLiked() | VideoUnliked() | VideoShared():
            return f"video-{event.video_id}"
    return history.case_of(event)


# -- reports ---------------------------------------------------------------------------------------


def _reported(writer: Writer, decoded: Decoded, event: ReportFiled) -> None:
    if _raced(writer, event.reporter_id):
        return  # a report that raced its reporter's erasure: nobody stands behind it
    case_id = f"{event.target_kind}-{event.target_id}"
    old = _known(writer, case_id)
    if old is not None and _done(writer, old):
        return  # applied already (a replay)
    at = decoded.occurred_at
    new = _cycle(old, at) if old is None or old["state"] in CLOSED else dict(old)
    new.update(
        case_id=case_id,
        target_kind=event.target_kind,
        target_id=event.target_id,
        subject_id=event.target_owner_id,
        state="open",
        reasons=sorted({*(new.get("reasons") or []), event.reason}),
        reports=(new.get("reports") or 0) + 1,
        first_reported_at=new.get("first_reported_at") or at,
        last_reported_at=at,
    )
    weight = _weigh(writer, event.reporter_id, at)
    new["weight"] = (new.get("weight") or 0.0) + weight
    if new["reports"] <= MAX_DETAILED:
        _detail(writer, decoded, event, case_id, weight, new["cycle"])
    _save(writer, decoded, old, new)


def _cycle(old: Row | None, at: datetime) -> Row:
    """A new case, or a closed one starting over: counts, reasons and assignment begin again."""
    blank: Row = dict.fromkeys(MOD_CASES.names)
    cycle = 0 if old is None else (old.get("cycle") or 0) + 1
    kept = {} if old is None else {k: old.get(k) for k in ("last_action", "last_action_id")}
    return {**blank, **kept, "cycle": cycle, "reports": 0, "weight": 0.0, "reasons": [], "updated_at": at}


def _weigh(writer: Writer, reporter_id: str, at: datetime) -> float:
    """The report's weight by its reporter's age and record before it; the record then counts it."""
    key = _reporter(writer, reporter_id)
    row = writer.get("mod_reporters", key) or {}
    registered = row.get("registered_at")
    weight = report_weight(
        reporter_id=reporter_id,
        age=None if registered is None else at - registered,
        filed=row.get("filed") or 0,
        dismissed=row.get("dismissed") or 0,
    )
    writer.add("mod_reporters", key, {"filed": 1})
    return weight


def _detail(
    writer: Writer, decoded: Decoded, event: ReportFiled, case_id: str, weight: float, cycle: int
) -> None:
    """Who reported in which round, in every partition's copy; the report itself where the case is."""
    at = decoded.occurred_at
    reported = {"reported_at": at, "report_id": event.report_id, "reporter_id": event.reporter_id}
    copy = {"case_id": case_id, "shard": writer.shard, **reported, "cycle": cycle}
    writer.upsert("mod_reporter_copies", {name: copy[name] for name in MOD_REPORTER_COPIES.names})
    writer.upsert("mod_case_reporters", copy)
    if not writer.owns(case_id):
        return
    writer.upsert(
        "mod_case_reports",
        {
            "case_id": case_id,
            **reported,
            "reason": event.reason,
            "note": event.note,
            "note_erased": "note" in decoded.erased,
            "weight": weight,
            "cycle": cycle,
        },
    )
    index = {
        "reporter_id": event.reporter_id,
        "case_id": case_id,
        "report_id": event.report_id,
        "reported_at": at,
    }
    writer.upsert("mod_reporter_reports", index)


# -- the case's life -------------------------------------------------------------------------------


def _case_event(writer: Writer, decoded: Decoded, event: Any) -> None:
    if isinstance(event, CaseOpened) and _raced(writer, decoded.record.metadata.actor):
        return  # opened by a report that raced its reporter's erasure, itself not counted
    if writer.owns(event.case_id):
        history.case_event(writer, decoded, event)
    if isinstance(event, CaseOpened):
        return  # the report that opened it is counted by itself
    old = _known(writer, event.case_id)
    if old is not None and _done(writer, old):
        return
    new = dict(old) if old is not None else _unreported(event.case_id, decoded.occurred_at)
    match event:
        case CaseAssigned(assignee_id=assignee_id):
            new["assignee_id"] = assignee_id
        case CaseEscalated():
            new["state"] = "escalated"
        case CaseResolved():
            new.update(state="resolved", last_action=event.action, last_action_id=event.action_id)
            new["subject_id"] = new.get("subject_id") or event.subject_id
        case CaseDismissed():
            new["state"] = "dismissed"
            _count_against_reporters(writer, event.case_id, new.get("cycle") or 0)
    new["updated_at"] = decoded.occurred_at
    _save(writer, decoded, old, new)


def _unreported(case_id: str, at: datetime) -> Row:
    """The case of a target a moderator acted on before anyone reported it."""
    kind, _, target_id = case_id.partition("-")
    subject = target_id if kind == "user" else None
    return {
        **_cycle(None, at),
        "case_id": case_id,
        "target_kind": kind,
        "target_id": target_id,
        "subject_id": subject,
        "state": "open",
    }


def _count_against_reporters(writer: Writer, case_id: str, cycle: int) -> None:
    """In this partition's copy of each reporter's record."""
    for report in writer.rows("mod_case_reporters", {"case_id": case_id, "shard": writer.shard}):
        if (report.get("cycle") or 0) == cycle:
            writer.add("mod_reporters", _reporter(writer, report["reporter_id"]), {"dismissed": 1})


def _appeal(writer: Writer, decoded: Decoded, event: AppealFiled | AppealDecided) -> None:
    """The appeal's case from this partition's copy (a decision names only the action appealed)."""
    key = {"user_id": event.user_id, "action_id": event.action_id, "shard": writer.shard}
    if isinstance(event, AppealFiled):
        case_id: str | None = f"{event.target_kind}-{event.target_id}"
        writer.upsert("mod_appeal_cases", {**key, "case_id": case_id})
    else:
        found = writer.get("mod_appeal_cases", key)
        case_id = None if found is None else str(found["case_id"])
    if case_id is None:
        return  # a decision on an appeal never seen filed
    if writer.owns(case_id):
        history.appeal(writer, decoded, event)
    old = _known(writer, case_id)
    if old is not None and _done(writer, old):
        return
    new = dict(old) if old is not None else _unreported(case_id, decoded.occurred_at)
    if isinstance(event, AppealFiled):
        new.update(state="open", appeal_user_id=event.user_id, appeal_action_id=event.action_id)
        new["appeal_id"] = event.appeal_id
    elif new.get("appeal_action_id") == event.action_id:
        new.update(state="resolved", appeal_user_id=None, appeal_action_id=None, appeal_id=None)
    new["updated_at"] = decoded.occurred_at
    _save(writer, decoded, old, new)


def _spread(writer: Writer, decoded: Decoded, video_id: str, delta: int) -> None:
    """A video's likes and shares; its case's priority follows when it is being decided."""
    writer.add("mod_spread", {"video_id": video_id}, {"engagement": delta})
    old = _known(writer, f"video-{video_id}")
    if old is None or old["state"] in CLOSED or _done(writer, old):
        return
    new = dict(old)
    if priority(new.get("weight") or 0.0, _engagement(writer, video_id)) != old.get("priority"):
        _save(writer, decoded, old, new)


# -- rows ------------------------------------------------------------------------------------------


def _raced(writer: Writer, reporter_id: str | None) -> bool:
    """Whether the act reached the log after its reporter's erasure."""
    return reporter_id is not None and erasure_marks.erased(writer, ERASED, reporter_id)


def _done(writer: Writer, row: Row) -> bool:
    """Whether this event was applied to the case already (a replay)."""
    return (row.get(APPLIED) or -1) >= writer.position


def _known(writer: Writer, case_id: str) -> Row | None:
    """The case as this partition knows it before the event: the whole case where it is owned, this
    partition's copy of its round and state elsewhere."""
    if writer.owns(case_id):
        return writer.get("mod_cases", {"case_id": case_id})
    return writer.get("mod_case_copies", {"case_id": case_id, "shard": writer.shard})


def _reporter(writer: Writer, reporter_id: str) -> dict[str, str]:
    """The key of this partition's copy of the reporter's record."""
    return {"reporter_id": reporter_id, "shard": writer.shard}


def _save(writer: Writer, decoded: Decoded, old: Row | None, new: Row) -> None:
    """Every partition's copy of the case, for an event they all apply; then, where the case is, its
    queue rows (the old ones gone, the new ones listed) and its state, last."""
    if isinstance(decoded.event, EVERYWHERE):
        copy = {name: new.get(name) for name in MOD_CASE_COPIES.names}
        writer.upsert("mod_case_copies", {**copy, "shard": writer.shard, APPLIED: writer.position})
    if writer.owns(new["case_id"]):
        _list(writer, old, new)


def _list(writer: Writer, old: Row | None, new: Row) -> None:
    """Queue rows first (the old ones gone, the new ones listed), the case's state last."""
    engagement = _engagement(writer, new["target_id"]) if new.get("target_kind") == "video" else 0
    new["priority"] = priority(new.get("weight") or 0.0, engagement)
    if old is not None:
        for reason in _listed_under(old):
            key = {
                "state": old["state"],
                "reason": reason,
                "priority": old.get("priority") or 0,
                "case_id": old["case_id"],
            }
            writer.delete("mod_queue", key)
    ttl = CLOSED_TTL if new["state"] in CLOSED else None
    listed = {name: new.get(name) for name in MOD_QUEUE.names if name != "reason"}
    for reason in _listed_under(new):
        writer.upsert("mod_queue", {**listed, "reason": reason}, ttl=ttl)
    writer.upsert("mod_cases", {**{n: new.get(n) for n in MOD_CASES.names}, APPLIED: writer.position})


def _listed_under(case: Row) -> list[str]:
    appealed = [APPEAL] if case.get("appeal_action_id") else []
    return [ANY, *(case.get("reasons") or []), *appealed]


def _engagement(writer: Writer, video_id: str) -> int:
    row = writer.get("mod_spread", {"video_id": video_id}) or {}
    return int(row.get("engagement") or 0)


def _erase(writer: Writer, user_id: str) -> None:
    """The person's reports stand without their notes or their id (in the cases' history too: the
    report that opened a case), and the statements of their
    appeals read as erased, each by the partition of its case (the index and the appeals list every
    partition's); each partition drops its copies of their record and of who reported what."""
    erasure_marks.mark(writer, ERASED, user_id)
    for index in writer.rows("mod_reporter_reports", {"reporter_id": user_id}):
        if not writer.owns(index["case_id"]):
            continue
        key = {
            "case_id": index["case_id"],
            "reported_at": index["reported_at"],
            "report_id": index["report_id"],
        }
        report = writer.get("mod_case_reports", key)
        if report is not None:
            erased = {"note": None, "note_erased": True, "reporter_id": None}
            writer.upsert("mod_case_reports", {**report, **erased})
        history.unsign(writer, index["case_id"], user_id)
        writer.delete("mod_reporter_reports", {name: index[name] for name in MOD_REPORTER_REPORTS.key_names})
    _forget_reporter(writer, user_id)
    for appeal in writer.rows("mod_appeals", {"user_id": user_id}):
        if writer.owns(appeal["case_id"]):
            writer.upsert("mod_appeals", {**appeal, "statement": None, "erased": True})


def _forget_reporter(writer: Writer, user_id: str) -> None:
    """This partition's copies of the person's record and of their place among each case's
    reporters (a later dismissal then counts against nobody)."""
    reporter = _reporter(writer, user_id)
    for copy in writer.rows("mod_reporter_copies", reporter):
        key = {name: copy[name] for name in ("case_id", "reported_at", "report_id")}
        writer.delete("mod_case_reporters", {**key, "shard": writer.shard})
        writer.delete("mod_reporter_copies", {**reporter, **key})
    writer.delete("mod_reporters", reporter)


PROJECTOR = Projector(
    name=NAME,
    version=VERSION,
    tables=TABLES,
    handles=tuple(cls.event_type for cls in HANDLES),
    project=project,
    entity=entity,
    last=("mod_reporter_reports", "mod_reporter_copies", "mod_case_copies", "mod_cases"),
    combine=tuple((table, one_copy) for table in COPIES),
)
