"""Reports: recorded on the reporter's stream (``reports-<reporter>``), never on the target's.

The target is only read, to know who is reported and that it is there for the reporter to see:
what the reporter cannot see reads as not found, in the words a missing target gets (as for
engagement), so a report learns nothing about a private, unpublished, hidden or deleted video, a
comment under one, a video whose owner blocked the reporter, or a person who blocked them.
Reporting oneself, or one's own video or comment, is left to the decider, which refuses it as
invalid (422) rather than as missing.
"""

from __future__ import annotations

from commands import friction, streams
from commands.aggregates import COMMENT, FOLLOWS, REPORTS
from commands.cases import case_position, open_case
from commands.context import Outcome, Ports, Request
from commands.engagement import audience
from commands.handling import execute, load, store_errors
from domain import reports, social
from domain.access import may_view
from domain.actors import Actor
from domain.engagement import comments
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
            _ensure_user_seen(ports, cmd.actor.user_id, cmd.target_id)
        return cmd.target_id
    if kind is TargetKind.VIDEO:
        return _seen_video_owner(ports, cmd.actor, cmd.target_id, unseen="video not found")
    comment = load(ports, streams.comment(cmd.target_id), COMMENT).state
    if not comment.posted or comment.deleted or comment.removed:  # a removed one has left every thread
        raise NotFound(comments.NOT_FOUND)
    if comment.author_id != cmd.actor.user_id:
        _seen_video_owner(ports, cmd.actor, comment.video_id, unseen=comments.NOT_FOUND)
    return comment.author_id


def _seen_video_owner(ports: Ports, actor: Actor, video_id: str, *, unseen: str) -> str:
    """The owner of a video the actor may see now (``may_view``); its owner can always name it.
    Any other reads as ``unseen``, the words a missing target gets."""
    seen = audience(ports, actor, video_id)
    if seen.video.owner_id == actor.user_id:
        return actor.user_id
    if not may_view(seen.video, actor.user_id, follows_owner=seen.follows_owner, blocked=seen.blocked):
        raise NotFound(unseen)
    return seen.video.owner_id


def _ensure_user_seen(ports: Ports, reporter_id: str, user_id: str) -> None:
    """An account is there when its stream has events, and not for someone it blocked: a block
    reads as absence, as on the profile."""
    with store_errors():
        version = ports.store.stream_version(streams.user(user_id))
    graph = load(ports, streams.follows(user_id), FOLLOWS).state
    if version is None or social.has_blocked(graph, reporter_id):
        raise NotFound("user not found")
