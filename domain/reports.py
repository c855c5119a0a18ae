"""Reports of a video, a comment or a user, kept on the reporter's stream (``reports-<reporter>``).

"No hot streams": a viral video may be reported thousands of times, so reports are recorded on the
reporter's side and counted by a projection. One report per reporter and target: a second is a
no-op. Nobody reports themselves or their own video or comment. The note is personal: sealed with
the reporter's key, it reads as ``None`` once that key is erased.
"""

from __future__ import annotations

import dataclasses
import enum

from domain.actors import Actor
from domain.errors import InvalidCommand
from domain.events import DomainEvent, event
from domain.text import clean_text

MAX_NOTE = 500


class ReportReason(enum.StrEnum):
    SPAM = "spam"
    NUDITY = "nudity"
    VIOLENCE = "violence"
    HARASSMENT = "harassment"
    HATE = "hate"
    MISINFORMATION = "misinformation"
    SELF_HARM = "self_harm"
    COPYRIGHT = "copyright"
    OTHER = "other"


class TargetKind(enum.StrEnum):
    VIDEO = "video"
    COMMENT = "comment"
    USER = "user"


# -- events ----------------------------------------------------------------------------------------


@event("ReportFiled", personal=("note",), subject="reporter_id")
@dataclasses.dataclass(frozen=True, slots=True)
class ReportFiled(DomainEvent):
    report_id: str
    reporter_id: str
    target_kind: str  # a TargetKind
    target_id: str
    target_owner_id: str  # the user reported, or who posted the video or comment reported
    reason: str  # a ReportReason
    note: str | None = None  # None when not given, or once erased


Event = ReportFiled

# -- commands --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class FileReport:
    """``target_owner_id`` names who posted the video or comment (the caller loads it from that
    stream); for a user it may be left out, since the user is the target."""

    actor: Actor
    report_id: str
    target_kind: TargetKind
    target_id: str
    reason: ReportReason
    note: str | None = None
    target_owner_id: str | None = None


# -- state -----------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class State:
    reported: frozenset[str] = frozenset()  # target_key(kind, id) of every target reported


initial = State()


def target_key(kind: str, target_id: str) -> str:
    return f"{kind}:{target_id}"


def evolve(state: State, event: Event) -> State:
    return State(reported=state.reported | {target_key(event.target_kind, event.target_id)})


# -- deciders --------------------------------------------------------------------------------------


def decide_file_report(state: State, cmd: FileReport) -> list[Event]:
    report = _report(cmd)
    if target_key(report.target_kind, report.target_id) in state.reported:
        return []
    return [report]


def _report(cmd: FileReport) -> ReportFiled:
    kind = TargetKind(cmd.target_kind)
    target_id = _require_id(cmd.target_id, "target_id")
    owner_id = _owner_of(cmd, kind, target_id)
    if owner_id == cmd.actor.user_id:
        raise InvalidCommand(
            "you cannot report yourself" if kind is TargetKind.USER else f"you cannot report your own {kind}"
        )
    return ReportFiled(
        report_id=_require_id(cmd.report_id, "report_id"),
        reporter_id=_require_id(cmd.actor.user_id, "actor"),
        target_kind=kind.value,
        target_id=target_id,
        target_owner_id=owner_id,
        reason=ReportReason(cmd.reason).value,
        note=_note(cmd.note),
    )


def _owner_of(cmd: FileReport, kind: TargetKind, target_id: str) -> str:
    if kind is TargetKind.USER:
        if cmd.target_owner_id not in (None, target_id):
            raise ValueError(f"a report of user {target_id!r} names another owner {cmd.target_owner_id!r}")
        return target_id
    if cmd.target_owner_id is None:
        raise InvalidCommand(f"target_owner_id is required to report a {kind}")
    return _require_id(cmd.target_owner_id, "target_owner_id")


def _note(note: str | None) -> str | None:
    text = clean_text(note, field="note", max_len=MAX_NOTE, multiline=True) if note is not None else ""
    return text or None


def _require_id(value: str, field: str) -> str:
    """Ids come from the caller; an empty one would name no stream."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidCommand(f"{field} is required")
    return value
