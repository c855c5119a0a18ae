"""Who may moderate whom, what a moderation action is, and what valid moderation input looks like.

One rule for every decider: moderators act on users and their content, admins also on moderators
and theirs, and nobody on themselves. Admins answer to the operator, not to each other, so no
admin acts on another admin here.
"""

from __future__ import annotations

import dataclasses
import enum
from datetime import datetime, timedelta

from domain.actors import Actor, Role
from domain.errors import InvalidCommand, NotAllowed
from domain.text import clean_text

MAX_REASON = 500
MAX_STATEMENT = 2000
#: The shortest and longest restriction or timed suspension a moderator may set.
MIN_DURATION = timedelta(hours=1)
MAX_DURATION = timedelta(days=365 * 5)


class Capability(enum.StrEnum):
    """What a restriction takes away from an account, one at a time."""

    UPLOAD = "upload"
    COMMENT = "comment"
    LIKE = "like"
    FOLLOW = "follow"
    REPORT = "report"


class ActionKind(enum.StrEnum):
    """Every moderation action; the adverse ones may be appealed, once each."""

    REMOVE_VIDEO = "remove_video"
    RESTORE_VIDEO = "restore_video"
    REMOVE_COMMENT = "remove_comment"
    RESTORE_COMMENT = "restore_comment"
    DELETE_COMMENT = "delete_comment"  # a moderator deleted it for good: told, not undone by appeal
    LABEL_VIDEO = "label_video"
    UNLABEL_VIDEO = "unlabel_video"
    RESTRICT = "restrict"
    LIFT_RESTRICTION = "lift_restriction"
    STRIKE = "strike"
    REMOVE_STRIKE = "remove_strike"
    SUSPEND = "suspend"
    UNSUSPEND = "unsuspend"


#: Each adverse action and the action that undoes it (what a granted appeal does).
REVERSAL: dict[ActionKind, ActionKind] = {
    ActionKind.REMOVE_VIDEO: ActionKind.RESTORE_VIDEO,
    ActionKind.REMOVE_COMMENT: ActionKind.RESTORE_COMMENT,
    ActionKind.LABEL_VIDEO: ActionKind.UNLABEL_VIDEO,
    ActionKind.RESTRICT: ActionKind.LIFT_RESTRICTION,
    ActionKind.STRIKE: ActionKind.REMOVE_STRIKE,
    ActionKind.SUSPEND: ActionKind.UNSUSPEND,
}
ADVERSE = frozenset(REVERSAL)


@dataclasses.dataclass(frozen=True, slots=True)
class Subject:
    """The person an action falls on (a user, or who posted the content), with their role now."""

    user_id: str
    role: Role = Role.USER

    @property
    def staff(self) -> bool:
        return self.role in (Role.MODERATOR, Role.ADMIN)


class Restricted(NotAllowed):
    """Refused because a restriction or a suspension is in force: says which, and until when, so
    the client can tell the person (the API adds both to the problem document)."""

    def __init__(self, message: str, *, restriction: str, until: datetime | None) -> None:
        super().__init__(message)
        self.restriction = restriction
        self.until = until

    @property
    def problem_fields(self) -> dict[str, str | None]:
        return {"restriction": self.restriction, "until": None if self.until is None else stamp(self.until)}


def ensure_may_act(actor: Actor, subject: Subject) -> None:
    """Raises ``NotAllowed`` unless ``actor`` may moderate ``subject`` and what they posted."""
    if not actor.moderates:
        raise NotAllowed("only a moderator can do this")
    if actor.user_id == subject.user_id:
        raise NotAllowed("nobody moderates themselves or what they posted")
    if subject.role is Role.ADMIN:
        raise NotAllowed("an admin's account and content are the operator's to moderate")
    if subject.role is Role.MODERATOR and actor.role is not Role.ADMIN:
        raise NotAllowed("only an admin can act on a moderator or what they posted")


def valid_reason(reason: str) -> str:
    """Every action says why: the person affected is told, and audits keep it."""
    return clean_text(reason, field="reason", min_len=1, max_len=MAX_REASON, multiline=True)


def valid_statement(statement: str) -> str:
    return clean_text(statement, field="statement", min_len=1, max_len=MAX_STATEMENT, multiline=True)


def valid_duration(duration: timedelta) -> timedelta:
    if not MIN_DURATION <= duration <= MAX_DURATION:
        raise InvalidCommand(f"a duration must be between {_days(MIN_DURATION)} and {_days(MAX_DURATION)}")
    return duration


def require_id(value: str, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidCommand(f"{field} is required")
    return value


def stamp(moment: datetime) -> str:
    """How events hold a moment: ISO 8601 with its zone, so it reads back the same everywhere."""
    if moment.tzinfo is None:
        raise ValueError("a moment without a time zone is ambiguous")
    return moment.isoformat()


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _days(duration: timedelta) -> str:
    hours = duration.total_seconds() / 3600
    return f"{hours:g} hours" if hours < 24 else f"{hours / 24:g} days"
