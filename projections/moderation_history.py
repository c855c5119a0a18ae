"""Lines of a case's history (``mod_history``), and the appeals it lists, for ``moderation_queue``.

Every moderation event belongs to a case, found from the event alone: an action on a video to
``video-<id>``, on a comment to ``comment-<id>``, on an account to ``user-<id>``, an appeal to the
case of the action appealed. Each line is keyed by the event's position, so a replay rewrites it.
"""

from __future__ import annotations

from typing import Any

from domain.engagement.comments import CommentRemoved, CommentRestored
from domain.moderation.cases import CaseAssigned, CaseDismissed, CaseEscalated, CaseOpened, CaseResolved
from domain.moderation.rules import ActionKind
from domain.moderation.standing import (
    AccountSuspended,
    AccountUnsuspended,
    AppealDecided,
    AppealFiled,
    RestrictionImposed,
    RestrictionLifted,
    StrikeRecorded,
    StrikeRemoved,
)
from domain.videos.events import VideoHidden, VideoLabelled, VideoRestored, VideoUnlabelled
from eventstore.codec import Decoded
from projections.writer import Writer

#: Actions on a target or its subject that the target's case lists.
ACTIONS = (
    VideoHidden,
    VideoRestored,
    VideoLabelled,
    VideoUnlabelled,
    CommentRemoved,
    CommentRestored,
    RestrictionImposed,
    RestrictionLifted,
    StrikeRecorded,
    StrikeRemoved,
    AccountSuspended,
    AccountUnsuspended,
)


def case_of(event: Any) -> str:
    """The case of an action: that of the video, the comment or the account acted on."""
    match event:
        case VideoHidden() | VideoRestored() | VideoLabelled() | VideoUnlabelled():
            return f"video-{event.video_id}"
        case CommentRemoved() | CommentRestored():
            return f"comment-{event.comment_id}"
    return f"user-{event.user_id}"


def action(writer: Writer, decoded: Decoded) -> None:
    """A line for an action on a video, a comment or an account, in its case."""
    event: Any = decoded.event
    _line(
        writer,
        decoded,
        case_of(event),
        actor_id=event.moderator_id,
        action=_ACTION_OF.get(type(event)),
        action_id=getattr(event, "action_id", None),
        reason=event.reason,
        detail=_detail(event),
    )


def unsign(writer: Writer, case_id: str, user_id: str) -> None:
    """The case's lines that the erased person acted in name nobody (the report that opened it)."""
    for line in writer.rows("mod_history", {"case_id": case_id}):
        if line["actor_id"] == user_id:
            writer.upsert("mod_history", {**line, "actor_id": None})


def case_event(writer: Writer, decoded: Decoded, event: Any) -> None:
    match event:
        case CaseOpened(report_id=report_id):
            _line(
                writer,
                decoded,
                event.case_id,
                actor_id=decoded.record.metadata.actor,
                detail=f"report {report_id}",
            )
        case CaseAssigned(assignee_id=assignee_id):
            _line(
                writer,
                decoded,
                event.case_id,
                actor_id=event.moderator_id,
                detail=f"assigned to {assignee_id}",
            )
        case CaseEscalated() | CaseDismissed():
            _line(writer, decoded, event.case_id, actor_id=event.moderator_id, reason=event.reason)
        case CaseResolved():
            _line(
                writer,
                decoded,
                event.case_id,
                actor_id=event.moderator_id,
                action=event.action,
                action_id=event.action_id,
                reason=event.reason,
            )


def appeal(writer: Writer, decoded: Decoded, event: AppealFiled | AppealDecided) -> str | None:
    """Records the appeal (``mod_appeals``) and its line; answers its case (``None`` for a decision
    on an appeal this projector never saw filed)."""
    key = {"user_id": event.user_id, "action_id": event.action_id}
    at = decoded.occurred_at
    if isinstance(event, AppealFiled):
        case_id = f"{event.target_kind}-{event.target_id}"
        writer.upsert(
            "mod_appeals",
            {
                **key,
                "appeal_id": event.appeal_id,
                "case_id": case_id,
                "statement": event.statement,
                "erased": "statement" in decoded.erased,
                "status": "pending",
                "filed_at": at,
            },
        )
        _line(
            writer, decoded, case_id, actor_id=event.user_id, action=event.action, action_id=event.action_id
        )
        return case_id
    filed = writer.get("mod_appeals", key)
    if filed is None:
        return None
    status = "granted" if event.granted else "denied"
    decided = {"status": status, "decided_at": at, "decided_by": event.moderator_id, "decision": event.reason}
    writer.upsert("mod_appeals", {**filed, **decided})
    _line(
        writer,
        decoded,
        filed["case_id"],
        actor_id=event.moderator_id,
        action_id=event.action_id,
        reason=event.reason,
        detail=status,
    )
    return str(filed["case_id"])


_ACTION_OF: dict[type, ActionKind] = {
    VideoHidden: ActionKind.REMOVE_VIDEO,
    VideoRestored: ActionKind.RESTORE_VIDEO,
    VideoLabelled: ActionKind.LABEL_VIDEO,
    VideoUnlabelled: ActionKind.UNLABEL_VIDEO,
    CommentRemoved: ActionKind.REMOVE_COMMENT,
    CommentRestored: ActionKind.RESTORE_COMMENT,
    RestrictionImposed: ActionKind.RESTRICT,
    RestrictionLifted: ActionKind.LIFT_RESTRICTION,
    StrikeRecorded: ActionKind.STRIKE,
    StrikeRemoved: ActionKind.REMOVE_STRIKE,
    AccountSuspended: ActionKind.SUSPEND,
    AccountUnsuspended: ActionKind.UNSUSPEND,
}


def _detail(event: Any) -> str | None:
    """What else a moderator reading the history needs: labels, a capability, an end."""
    match event:
        case VideoLabelled() | VideoUnlabelled():
            return ", ".join(event.labels)
        case RestrictionImposed():
            return f"{event.capability} until {event.until}"
        case RestrictionLifted():
            return event.capability
        case AccountSuspended(until=until, cause_id=cause):
            ending = "until lifted" if until is None else f"until {until}"
            return ending if cause is None else f"{ending}, by strike {cause}"
        case StrikeRecorded():
            return f"counts until {event.expires_at}"
    return None


def _line(
    writer: Writer,
    decoded: Decoded,
    case_id: str,
    *,
    actor_id: str | None,
    action: str | None = None,
    action_id: str | None = None,
    reason: str | None = None,
    detail: str | None = None,
) -> None:
    writer.upsert(
        "mod_history",
        {
            "case_id": case_id,
            "position": writer.position,
            "at": decoded.occurred_at,
            "kind": decoded.event.event_type,
            "actor_id": actor_id,
            "action": action,
            "action_id": action_id,
            "reason": reason,
            "detail": detail,
        },
    )
