"""Reports: recorded on the reporter's stream (``reports-<reporter>``), never on the target's.

The target is only read, to know who is reported and that it is there for the reporter to see:
what the reporter cannot see reads as not found (as for engagement), so a report learns nothing
about a private, unpublished, hidden or deleted video. Reporting oneself, or one's own video or
comment, is left to the decider, which refuses it as invalid (422) rather than as missing.
"""

from __future__ import annotations

from commands import friction, streams
from commands.aggregates import COMMENT, FOLLOWS, REPORTS, VIDEO
from commands.cases import case_position, open_case
from commands.context import Outcome, Ports, Request
from commands.handling import execute, load, store_errors
from domain import reports, videos
from domain.access import Visibility
from domain.engagement.visibility import can_see
from domain.errors import NotFound
from domain.moderation.rules import Capability
from domain.reports import TargetKind


def file_report(
    cmd: reports.FileReport, *, ports: Ports, request: Request, clock: friction.Clock = friction.now
) -> Outcome:
    """``cmd.report_id`` comes from ``request.new_id("report")``; a target already reported by this
    reporter records nothing. The target is looked up once, before the reporter's stream is decided:
    who posted a video or comment never changes. A recorded report opens its target's case (or opens
    it again once closed); the queue itself is the read side's. Refused while the reporter may not
    report (a restriction or suspension), or is over the day's limit."""
    return friction.limited(
        ports, request, cmd.actor, Capability.REPORT, lambda: _file(cmd, ports, request), clock=clock
    )


def _file(cmd: reports.FileReport, ports: Ports, request: Request) -> Outcome:
    owner_id = _target_owner(ports, cmd)
    located = reports.FileReport(
        actor=cmd.actor,
        report_id=cmd.report_id,
        target_kind=cmd.target_kind,
        target_id=cmd.target_id,
        reason=cmd.reason,
        note=cmd.note,
        target_owner_id=owner_id,
    )
    filed = execute(
        ports,
        request,
        streams.reports(cmd.actor.user_id),
        REPORTS,
        lambda state: reports.decide_file_report(state, located),
    )
    if not filed.appended:  # reported before: answered as the first time was, opening nothing
        return Outcome(position=max(filed.position, case_position(ports, cmd.target_kind, cmd.target_id)))
    opened = open_case(ports, request, cmd.target_kind, cmd.target_id, cmd.report_id)
    return Outcome(position=max(filed.position, opened.position), appended=filed.appended + opened.appended)


def _target_owner(ports: Ports, cmd: reports.FileReport) -> str:
    kind = TargetKind(cmd.target_kind)
    if kind is TargetKind.USER:
        if cmd.target_id != cmd.actor.user_id:
            _ensure_user_exists(ports, cmd.target_id)
        return cmd.target_id
    if kind is TargetKind.VIDEO:
        return _seen_video_owner(ports, cmd.actor.user_id, cmd.target_id)
    comment = load(ports, streams.comment(cmd.target_id), COMMENT).state
    if not comment.posted or comment.deleted:
        raise NotFound("comment not found")
    if comment.author_id != cmd.actor.user_id:
        _seen_video_owner(ports, cmd.actor.user_id, comment.video_id)
    return comment.author_id


def _seen_video_owner(ports: Ports, viewer_id: str, video_id: str) -> str:
    """The owner of a video the viewer can watch now; its owner can always name it."""
    video = load(ports, streams.video(video_id), VIDEO).state
    if not video.exists:
        raise NotFound("video not found")
    if video.owner_id == viewer_id:
        return video.owner_id
    access = videos.access(video)
    follows = access.visibility is Visibility.FOLLOWERS and _follows(ports, viewer_id, video.owner_id)
    if not access.watchable or not can_see(access, viewer_id, follows_owner=follows):
        raise NotFound("video not found")
    return video.owner_id


def _follows(ports: Ports, follower_id: str, followee_id: str) -> bool:
    return followee_id in load(ports, streams.follows(follower_id), FOLLOWS).state.following


def _ensure_user_exists(ports: Ports, user_id: str) -> None:
    """An account is there when its stream has events."""
    with store_errors():
        version = ports.store.stream_version(streams.user(user_id))
    if version is None:
        raise NotFound("user not found")
