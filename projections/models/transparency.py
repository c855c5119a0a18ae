"""The public transparency report (``read_models/transparency.py``): per calendar month, reports by
reason and by whom (screening or people), actions by kind and by whom, appeals and their outcomes,
and how long reported cases waited for the action that resolved them.

Every count is an ``add`` (its row's ``applied_position`` skips a replayed event), so the report
stays exact under at-least-once delivery. What counts as an action:

- manual: every action a moderator took, as the person affected is told of it on their standing
  stream (content removed, restored, labelled, unlabelled, deleted; restrictions, strikes,
  suspensions and their lifting), counted once there and never again from the case that led to it;
- automatic: screening's verdicts that act (a video held, blocked or labelled, a comment held).

The time to action runs from a case's first report (of its current cycle: a case closed and
reported again starts over) to its resolution; a dismissal ends the wait without an action, and a
case acted on before anyone reported it has no wait to measure.

Entity: the case (``video-<id>``, ``comment-<id>``, ``user-<id>``) for reports and the case's own
events, so one partition keeps each case's wait; an action or an appeal names the case of what it
acted on. Every month's counts gather events of every case, so each partition adds into its own shard
of them (``Writer.shard``) and the report adds the shards up.
"""

from __future__ import annotations

from datetime import datetime

from domain.engagement.comments import CommentHeld
from domain.events import DomainEvent
from domain.moderation.cases import CaseDismissed, CaseResolved
from domain.moderation.rules import ActionKind
from domain.moderation.standing import (
    AccountSuspended,
    AccountUnsuspended,
    AppealDecided,
    AppealFiled,
    ContentModerated,
    RestrictionImposed,
    RestrictionLifted,
    StrikeRecorded,
    StrikeRemoved,
)
from domain.reports import ReportFiled
from domain.screening import Verdict
from domain.videos.events import VideoScreened
from eventstore.codec import Decoded
from projections.projector import Projector
from projections.writer import Writer
from read_models.transparency import (
    ACTIONS,
    ACTIONS_BY,
    APPEALS,
    APPLIED,
    AUTOMATIC,
    MANUAL,
    MONTHS_KEY,
    REPORTS,
    REPORTS_BY,
    TABLES,
    TIME_TO_ACTION,
    VERSION,
    bucket_key,
    bucket_of,
    month_of,
)

NAME = "transparency"
#: What a moderator's action on an account is called, by the event that records it.
ACCOUNT_ACTIONS: dict[type[DomainEvent], ActionKind] = {
    RestrictionImposed: ActionKind.RESTRICT,
    RestrictionLifted: ActionKind.LIFT_RESTRICTION,
    StrikeRecorded: ActionKind.STRIKE,
    StrikeRemoved: ActionKind.REMOVE_STRIKE,
    AccountSuspended: ActionKind.SUSPEND,
    AccountUnsuspended: ActionKind.UNSUSPEND,
}
#: Screening's verdicts that act, and what the report calls them.
SCREENING_ACTIONS = {
    Verdict.HELD: "hold_video",
    Verdict.BLOCKED: "block_video",
    Verdict.LABELLED: "label_video",
}
HANDLES: tuple[type[DomainEvent], ...] = (
    ReportFiled,
    CaseResolved,
    CaseDismissed,
    ContentModerated,
    *ACCOUNT_ACTIONS,
    AppealFiled,
    AppealDecided,
    VideoScreened,
    CommentHeld,
)


def project(decoded: Decoded, writer: Writer) -> None:
    event, at = decoded.event, decoded.occurred_at
    match event:
        case ReportFiled():
            by = AUTOMATIC if event.reporter_id.startswith("system:") else MANUAL
            _count(writer, at, (REPORTS, event.reason), (REPORTS_BY, by))
            _reported(writer, f"{event.target_kind}-{event.target_id}", at)
        case CaseResolved():
            _closed(writer, event.case_id, at, acted=True)
        case CaseDismissed():
            _closed(writer, event.case_id, at, acted=False)
        case ContentModerated():
            _count(writer, at, (ACTIONS, event.action), (ACTIONS_BY, MANUAL))
        case AppealFiled():
            _count(writer, at, (APPEALS, "filed"))
        case AppealDecided():
            _count(writer, at, (APPEALS, "granted" if event.granted else "denied"))
        case VideoScreened() if event.verdict in SCREENING_ACTIONS:
            _count(writer, at, (ACTIONS, SCREENING_ACTIONS[Verdict(event.verdict)]), (ACTIONS_BY, AUTOMATIC))
        case CommentHeld():
            _count(writer, at, (ACTIONS, "hold_comment"), (ACTIONS_BY, AUTOMATIC))
        case _ if type(event) in ACCOUNT_ACTIONS:
            _count(writer, at, (ACTIONS, ACCOUNT_ACTIONS[type(event)].value), (ACTIONS_BY, MANUAL))


def entity(decoded: Decoded) -> str:
    """The case the event is about: its reports and resolution meet in one partition."""
    event = decoded.event
    match event:
        case ReportFiled() | AppealFiled() | ContentModerated():
            return f"{event.target_kind}-{event.target_id}"
        case CaseResolved() | CaseDismissed():
            return event.case_id
        case VideoScreened():
            return f"video-{event.video_id}"
        case CommentHeld():
            return f"comment-{event.comment_id}"
    return f"user-{event.to_data()['user_id']}"  # an action on an account, or the decision on an appeal


def _count(writer: Writer, at: datetime, *counted: tuple[str, str]) -> None:
    """Into this partition's shard of the month: each shard row has one writer."""
    month, shard = month_of(at), writer.shard
    writer.upsert("transparency_months", {"list": MONTHS_KEY, "month": month, "shard": shard})
    for metric, key in counted:
        counts = {"month": month, "metric": metric, "key": key, "shard": shard}
        writer.add("transparency_counts", counts, {"count": 1})


def _reported(writer: Writer, case_id: str, at: datetime) -> None:
    """The first report of a case's cycle starts its wait; later ones leave it as it is."""
    row = writer.get("transparency_cases", {"case_id": case_id})
    if row is None or (not _done(writer, row) and row["first_reported_at"] is None):
        writer.upsert(
            "transparency_cases", {"case_id": case_id, "first_reported_at": at, APPLIED: writer.position}
        )


def _closed(writer: Writer, case_id: str, at: datetime, *, acted: bool) -> None:
    """Ends the case's wait; a resolution counts it in the month it was resolved."""
    row = writer.get("transparency_cases", {"case_id": case_id})
    if row is None or _done(writer, row) or row["first_reported_at"] is None:
        return
    if acted:
        bucket = bucket_key(bucket_of(at - row["first_reported_at"]))
        _count(writer, at, (TIME_TO_ACTION, bucket))
    writer.upsert(
        "transparency_cases", {"case_id": case_id, "first_reported_at": None, APPLIED: writer.position}
    )


def _done(writer: Writer, row: dict[str, object]) -> bool:
    applied = row.get(APPLIED)
    return isinstance(applied, int) and applied >= writer.position


PROJECTOR = Projector(
    name=NAME,
    version=VERSION,
    tables=TABLES,
    handles=tuple(cls.event_type for cls in HANDLES),
    project=project,
    entity=entity,
    last=("transparency_cases",),
)
