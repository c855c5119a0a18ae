"""Automatic screening's results, recorded on the video's stream, and the moderator's release.

``record_screening`` is how the screening job reports back. It records the verdict (the domain
judges the findings by the policy given), then, for a video held or blocked, files a report as
``SCREENER`` so the video lands in the moderators' queue. The two appends are on two streams, so
the report is filed from the verdict the video's stream holds, not from what this call appended:
a job killed between them, run again, records no second verdict but still files the report. The
report's stream is one per screened video (``reports-system:screening-<video>``): one reporter for
every video would make a stream that grows with all of them, and its reports dedupe per target.
A comment held for a watched word is reported the same way (``report_held_comment``).

Each report screening files opens its target's case on the write side, as a person's report does
(``commands.cases.open_case``), so the held or blocked upload or comment is a case moderators act
on. A report recorded by an earlier attempt whose case was never opened (a crash between the two
appends) has its case opened by the retry; a case already open or closed since records nothing new.
"""

from __future__ import annotations

from commands import streams
from commands.aggregates import CASE, REPORTS, VIDEO
from commands.cases import open_case
from commands.context import Outcome, Ports, Request
from commands.handling import execute, load
from domain import reports, videos
from domain.engagement import comments
from domain.moderation import cases
from domain.reports import ReportReason, TargetKind
from domain.screening import SCREENER, Label, Verdict
from eventstore.ids import id_from_key

#: What the moderators read on a report screening filed.
NOTES = {
    Verdict.BLOCKED: "blocked by automatic screening",
    Verdict.HELD: "held for review by automatic screening",
}


def record_screening(cmd: videos.RecordScreening, *, ports: Ports, request: Request) -> Outcome:
    outcome = execute(
        ports,
        request,
        streams.video(cmd.video_id),
        VIDEO,
        lambda state: videos.decide_record_screening(state, cmd),
    )
    state = load(ports, streams.video(cmd.video_id), VIDEO).state
    screening = videos.current_screening(state)
    if screening is None or screening.upload_id != cmd.upload_id or screening.verdict not in NOTES:
        return outcome
    filed = _file_report(ports, request, state, screening)
    return Outcome(position=max(outcome.position, filed.position), appended=outcome.appended + filed.appended)


def release_video(cmd: videos.ReleaseVideo, *, ports: Ports, request: Request) -> Outcome:
    """A moderator lets the owner publish an upload screening held."""
    return execute(
        ports,
        request,
        streams.video(cmd.video_id),
        VIDEO,
        lambda state: videos.decide_release_video(state, cmd),
    )


def report_held_comment(ports: Ports, request: Request, comment: comments.State) -> Outcome:
    """A comment held for a watched word goes before the moderators, as a held video does."""
    held = reports.FileReport(
        actor=SCREENER,
        report_id=id_from_key(SCREENER.user_id, "report", "comment", comment.comment_id),
        target_kind=TargetKind.COMMENT,
        target_id=comment.comment_id,
        reason=ReportReason.OTHER,
        note="held for review by automatic screening: it contains a watched word",
        target_owner_id=comment.author_id,
    )
    return _file(ports, request, screening_reports(comment.comment_id), held)


def screening_reports(target_id: str) -> str:
    """The stream of the reports screening filed about one video or comment."""
    return streams.reports(f"{SCREENER.user_id}-{target_id}")


def _file_report(ports: Ports, request: Request, state: videos.State, screening: videos.Screening) -> Outcome:
    verdict = Verdict(screening.verdict)
    file = reports.FileReport(
        actor=SCREENER,
        report_id=id_from_key(SCREENER.user_id, "report", state.video_id, screening.upload_id, verdict),
        target_kind=TargetKind.VIDEO,
        target_id=state.video_id,
        reason=ReportReason.NUDITY if Label.NUDITY in screening.labels else ReportReason.OTHER,
        note=_note(verdict, screening),
        target_owner_id=state.owner_id,
    )
    return _file(ports, request, screening_reports(state.video_id), file)


def _file(ports: Ports, request: Request, stream: str, file: reports.FileReport) -> Outcome:
    """Filed by ``SCREENER``, in the correlation of what led to it, then its case opened."""
    as_screener = Request(SCREENER, correlation_id=request.correlation_id, causation_id=request.causation_id)
    filed = execute(
        ports, as_screener, stream, REPORTS, lambda reported: reports.decide_file_report(reported, file)
    )
    kind, target_id = TargetKind(file.target_kind).value, file.target_id
    if not filed.appended and _case_opened(ports, kind, target_id):
        return filed  # a retry: the first attempt filed it and opened its case
    opened = open_case(ports, as_screener, kind, target_id, file.report_id)
    return Outcome(position=max(filed.position, opened.position), appended=filed.appended + opened.appended)


def _case_opened(ports: Ports, kind: str, target_id: str) -> bool:
    return (
        load(ports, streams.case(cases.case_id(kind, target_id)), CASE).state.status is not cases.Status.NEW
    )


def _note(verdict: Verdict, screening: videos.Screening) -> str:
    said = [NOTES[verdict]]
    if screening.hash_matches:
        said.append(f"frames match {len(screening.hash_matches)} blocklist entries")
    if screening.nsfw_score is not None and Label.NUDITY in screening.labels:
        said.append(f"nudity score {screening.nsfw_score:.2f}")
    if screening.failed:
        said.append(f"screening could not be done: {screening.failed}")
    return "; ".join(said)[: reports.MAX_NOTE]
