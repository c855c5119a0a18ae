"""Moderation cases (``case-<kind>-<target>``): opened by reports, then assigned, escalated,
resolved with an action or dismissed by moderators.

Resolving acts first (on the content's stream, or on the subject's standing) and records the
resolution after, naming the action: a case reads resolved only once its action landed. Whether the
case may be closed by this moderator is checked before acting, so a refused resolution acts on
nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import timedelta

from commands import streams
from commands.aggregates import CASE
from commands.content_moderation import (
    Target,
    comment_target,
    label_video,
    remove_comment,
    remove_video,
    video_target,
)
from commands.context import Outcome, Ports, Request
from commands.handling import execute, load
from commands.standing import record_strike, restrict_account, subject, suspend_account
from domain.errors import InvalidCommand, NotFound
from domain.moderation import cases, content, sanctions
from domain.moderation.rules import ActionKind, Capability, Subject
from domain.reports import TargetKind
from domain.screening import Label

#: What a case may be resolved with, by the kind of its target.
RESOLUTIONS: dict[str, frozenset[ActionKind]] = {
    "video": frozenset(
        {
            ActionKind.REMOVE_VIDEO,
            ActionKind.LABEL_VIDEO,
            ActionKind.RESTRICT,
            ActionKind.SUSPEND,
            ActionKind.STRIKE,
        }
    ),
    "comment": frozenset(
        {ActionKind.REMOVE_COMMENT, ActionKind.RESTRICT, ActionKind.SUSPEND, ActionKind.STRIKE}
    ),
    "user": frozenset({ActionKind.RESTRICT, ActionKind.SUSPEND, ActionKind.STRIKE}),
}


@dataclasses.dataclass(frozen=True, slots=True)
class Resolution:
    """The action a case is resolved with, and what it needs: labels for a label, a capability and
    a duration for a restriction, a duration (or none: until lifted) for a suspension. ``strike``
    adds a strike on the subject to an action on content."""

    action: ActionKind
    reason: str
    labels: Sequence[Label] = ()
    capability: Capability | None = None
    duration: timedelta | None = None
    strike: bool = False


def target_of(ports: Ports, case_id: str) -> Target:
    """The case's target and who posted it, from the target's own stream."""
    kind, _, target_id = case_id.partition("-")
    if kind not in {k.value for k in TargetKind} or not target_id:
        raise NotFound("case not found")
    if kind == TargetKind.VIDEO:
        return video_target(ports, target_id)
    if kind == TargetKind.COMMENT:
        return comment_target(ports, target_id)
    subject(ports, target_id)
    return Target("user", target_id, target_id)


def open_case(ports: Ports, request: Request, kind: str, target_id: str, report_id: str) -> Outcome:
    """A report opens its target's case, or opens it again once closed; an open case records nothing."""
    case_id = cases.case_id(kind, target_id)
    cmd = cases.OpenCase(case_id, kind, target_id, report_id)
    return execute(ports, request, streams.case(case_id), CASE, lambda s: cases.decide_open_case(s, cmd))


def case_position(ports: Ports, kind: str, target_id: str) -> int:
    """Where the target's case stands in the log (0: no case event yet)."""
    return load(ports, streams.case(cases.case_id(kind, target_id)), CASE).position


def assign_case(ports: Ports, request: Request, case_id: str, assignee_id: str) -> Outcome:
    who = _subject_of(ports, case_id)
    cmd = cases.AssignCase(request.actor, case_id, _assignee(ports, assignee_id))
    return execute(
        ports, request, streams.case(case_id), CASE, lambda s: cases.decide_assign_case(s, cmd, subject=who)
    )


def escalate_case(ports: Ports, request: Request, case_id: str, reason: str) -> Outcome:
    who = _subject_of(ports, case_id)
    cmd = cases.EscalateCase(request.actor, case_id, reason)
    return execute(
        ports, request, streams.case(case_id), CASE, lambda s: cases.decide_escalate_case(s, cmd, subject=who)
    )


def dismiss_case(ports: Ports, request: Request, case_id: str, reason: str) -> Outcome:
    who = _subject_of(ports, case_id)
    cmd = cases.DismissCase(request.actor, case_id, reason)
    return execute(
        ports, request, streams.case(case_id), CASE, lambda s: cases.decide_dismiss_case(s, cmd, subject=who)
    )


def resolve_case(ports: Ports, request: Request, case_id: str, resolution: Resolution) -> tuple[str, Outcome]:
    """Acts, then records the resolution; answers the action's id (what an appeal names)."""
    target = target_of(ports, case_id)
    who = subject(ports, target.owner_id)
    if resolution.action not in RESOLUTIONS[target.kind]:
        allowed = ", ".join(sorted(RESOLUTIONS[target.kind]))
        raise InvalidCommand(f"a {target.kind} case is resolved with one of: {allowed}")
    cases.ensure_closable(load(ports, streams.case(case_id), CASE).state, request.actor, case_id, who)
    action_id = request.new_id("action")
    acted = _act(ports, request, target, action_id, resolution)
    if resolution.strike and resolution.action is not ActionKind.STRIKE:
        acted = _merge(
            acted, _strike(ports, request, target.owner_id, request.new_id("strike"), resolution.reason)
        )
    cmd = cases.ResolveCase(request.actor, case_id, action_id, resolution.action, resolution.reason)
    closed = execute(
        ports, request, streams.case(case_id), CASE, lambda s: cases.decide_resolve_case(s, cmd, subject=who)
    )
    return action_id, _merge(acted, closed)


def _act(ports: Ports, request: Request, target: Target, action_id: str, resolution: Resolution) -> Outcome:
    actor, reason = request.actor, resolution.reason
    match resolution.action:
        case ActionKind.REMOVE_VIDEO:
            cmd = content.RemoveVideo(actor, target.target_id, reason)
            return remove_video(cmd, action_id=action_id, ports=ports, request=request)
        case ActionKind.LABEL_VIDEO:
            labelled = content.LabelVideo(actor, target.target_id, resolution.labels, reason)
            return label_video(labelled, action_id=action_id, ports=ports, request=request)
        case ActionKind.REMOVE_COMMENT:
            removed = content.RemoveComment(actor, target.target_id, reason)
            return remove_comment(removed, action_id=action_id, ports=ports, request=request)
        case ActionKind.RESTRICT:
            if resolution.capability is None or resolution.duration is None:
                raise InvalidCommand("a restriction names a capability and a duration")
            restrict = sanctions.RestrictAccount(
                actor, target.owner_id, action_id, resolution.capability, resolution.duration, reason
            )
            return restrict_account(restrict, ports=ports, request=request)
        case ActionKind.SUSPEND:
            suspend = sanctions.SuspendAccount(actor, target.owner_id, action_id, resolution.duration, reason)
            return suspend_account(suspend, ports=ports, request=request)
        case ActionKind.STRIKE:
            return _strike(ports, request, target.owner_id, action_id, reason)
    raise InvalidCommand(f"a case is not resolved with {resolution.action}")


def _strike(ports: Ports, request: Request, user_id: str, action_id: str, reason: str) -> Outcome:
    cmd = sanctions.RecordStrike(
        request.actor, user_id, action_id, reason, request.new_id(f"suspension-{action_id}")
    )
    return record_strike(cmd, ports=ports, request=request)


def _subject_of(ports: Ports, case_id: str) -> Subject:
    return subject(ports, target_of(ports, case_id).owner_id)


def _assignee(ports: Ports, user_id: str) -> Subject:
    try:
        return subject(ports, user_id)
    except NotFound:
        raise InvalidCommand("the assignee is not a known account") from None


def _merge(first: Outcome, second: Outcome) -> Outcome:
    return Outcome(position=max(first.position, second.position), appended=first.appended + second.appended)
