"""Appeals, on the appellant's standing stream: filed by the person, decided by another moderator.

A granted appeal of an action on the account is undone in the decision's own append (the domain
does it). One of an action on content is undone after, on the content's stream, by the deciding
moderator, and told to the person like any action: a video removed is restored, a comment removed
is restored, labels put on are taken off. Content already put back by then is left as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from commands import streams
from commands.aggregates import STANDING
from commands.content_moderation import restore_comment, restore_video, unlabel_video
from commands.context import Outcome, Ports, Request
from commands.handling import execute
from commands.standing import standing_of, subject
from domain.errors import Conflict, NotFound
from domain.moderation import appeals, content
from domain.moderation.rules import ActionKind
from domain.moderation.standing import Record, record
from domain.screening import Label

Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


def file_appeal(cmd: appeals.FileAppeal, *, ports: Ports, request: Request) -> Outcome:
    """``cmd.appeal_id`` comes from ``request.new_id("appeal")``; the actor appeals their own action."""
    return execute(
        ports,
        request,
        streams.standing(cmd.actor.user_id),
        STANDING,
        lambda state: appeals.decide_file_appeal(state, cmd),
    )


def decide_appeal(
    cmd: appeals.DecideAppeal, *, ports: Ports, request: Request, clock: Clock = _now
) -> Outcome:
    who = subject(ports, cmd.user_id)
    decided = execute(
        ports,
        request,
        streams.standing(cmd.user_id),
        STANDING,
        lambda state: appeals.decide_appeal(state, cmd, subject=who, now=clock()),
    )
    if not cmd.granted:
        return decided
    found = record(standing_of(ports, cmd.user_id), cmd.action_id)
    if found is None:
        raise NotFound("no such action was taken on this account")
    undone = _undo_content(ports, request, found, cmd.reason)
    return Outcome(
        position=max(decided.position, undone.position), appended=decided.appended + undone.appended
    )


def _undo_content(ports: Ports, request: Request, found: Record, reason: str) -> Outcome:
    """The reversal of an action on content, under a new action id; nothing for one on the account."""
    action_id = request.new_id(f"reversal-{found.action_id}")
    actor, target = request.actor, found.target_id
    try:
        match found.action:
            case ActionKind.REMOVE_VIDEO:
                cmd = content.RestoreVideo(actor, target, reason)
                return restore_video(cmd, action_id=action_id, ports=ports, request=request)
            case ActionKind.REMOVE_COMMENT:
                restored = content.RestoreComment(actor, target, reason)
                return restore_comment(restored, action_id=action_id, ports=ports, request=request)
            case ActionKind.LABEL_VIDEO if found.labels:
                labels = [Label(label) for label in found.labels]
                unlabelled = content.UnlabelVideo(actor, target, labels, reason)
                return unlabel_video(unlabelled, action_id=action_id, ports=ports, request=request)
    except (Conflict, NotFound):
        pass  # put back already, or gone since: nothing left to undo
    return Outcome(position=0)
