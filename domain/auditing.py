"""What an auditor sees of a recorded event, and the record left when they look closer.

Auditors read any stream's history, but what identifies a person is masked by default: every
field an event type declares personal, every field the record holds sealed, and the few fields
stored in clear that still point at someone (``IDENTIFYING_FIELDS``). A mask is the constant
``[personal]``, never a partial value: "m***@e***.com" still tells the first letter, the length
and the provider. Seeing the values takes a stated reason, and the reveal is recorded first, as
``PersonalDataRevealed`` on the auditor's own stream. Secrets (``SECRET_FIELDS``) are never shown,
masked or revealed; erased fields read ``[erased]`` either way.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

# Every module that declares events, so ``EVENT_TYPES`` knows each type's personal fields even in a
# process (the ``strom audit`` shell) that imported none of them yet.
from domain import erasures, feeds, notifications, reports, requests, social, watching  # noqa: F401
from domain.accounts import events as account_events  # noqa: F401
from domain.accounts import exports as export_events  # noqa: F401
from domain.actors import Actor, Role
from domain.engagement import comment_likes, comments, likes, shares  # noqa: F401
from domain.errors import InvalidCommand, NotAllowed
from domain.events import EVENT_TYPES, DomainEvent, event
from domain.moderation import cases, friction, standing  # noqa: F401
from domain.text import clean_text
from domain.videos import events as video_events  # noqa: F401

MASKED = "[personal]"
ERASED = "[erased]"
WITHHELD = "[withheld]"
REASON_MIN, REASON_MAX = 10, 500
AUDITORS = frozenset({Role.AUDITOR, Role.ADMIN})

#: Secrets, not personal data to read: shown as ``[withheld]`` whatever the auditor asks for.
SECRET_FIELDS = frozenset({"password_hash"})

#: Stored in clear (they are public, or streams are named by them), yet they point at a person.
IDENTIFYING_FIELDS: Mapping[str, frozenset[str]] = {
    "UserRegistered": frozenset({"handle"}),
    "HandleClaimed": frozenset({"handle"}),
    "ProfileChanged": frozenset({"avatar_url"}),
    "ErasureRequested": frozenset({"claims"}),
}


@event("PersonalDataRevealed", personal=("reason",), subject="auditor_id")
@dataclasses.dataclass(frozen=True, slots=True)
class PersonalDataRevealed(DomainEvent):
    """An auditor saw personal data in clear. The reason is their own words, so it is sealed too."""

    auditor_id: str
    stream: str
    reason: str | None  # None once the auditor's key is erased
    event_ids: list[str]  # the events whose personal fields were shown
    fields: list[str]  # the names of the fields shown, over all those events


@dataclasses.dataclass(frozen=True, slots=True)
class RevealPersonalData:
    actor: Actor
    stream: str
    reason: str | None


def may_audit(actor: Actor) -> bool:
    return actor.role in AUDITORS


def personal_fields(event_type: str) -> frozenset[str]:
    """The fields of a type that are masked unless revealed (secrets aside, they are never shown)."""
    cls = EVENT_TYPES.get(event_type)
    declared = frozenset(cls.personal_fields) if cls is not None else frozenset()
    return declared | IDENTIFYING_FIELDS.get(event_type, frozenset())


def shown(
    data: Mapping[str, Any], *, personal: frozenset[str], erased: frozenset[str], reveal: bool
) -> dict[str, Any]:
    """The event's data as the auditor sees it; ``data`` is already unsealed."""
    return {name: _shown(name, value, personal, erased, reveal) for name, value in data.items()}


def _shown(name: str, value: Any, personal: frozenset[str], erased: frozenset[str], reveal: bool) -> Any:
    if name in erased:
        return ERASED
    if name in SECRET_FIELDS:
        return WITHHELD
    if name in personal and value is not None and not reveal:
        return MASKED
    return value


def revealable(
    data: Mapping[str, Any], *, personal: frozenset[str], erased: frozenset[str]
) -> frozenset[str]:
    """The fields a reveal would show in clear: personal, present, neither erased nor secret."""
    return frozenset(
        name
        for name, value in data.items()
        if name in personal and value is not None and name not in erased and name not in SECRET_FIELDS
    )


def authorise_reveal(cmd: RevealPersonalData) -> str:
    """Checked before anything is read: only auditors, and only with a reason. Returns the reason."""
    if not may_audit(cmd.actor):
        raise NotAllowed("only auditors read the event history")
    if cmd.reason is None:
        raise InvalidCommand("revealing personal data needs a reason")
    return clean_text(cmd.reason, field="reason", min_len=REASON_MIN, max_len=REASON_MAX)


def decide_reveal(cmd: RevealPersonalData, found: Mapping[str, frozenset[str]]) -> list[PersonalDataRevealed]:
    """``found`` maps each event id to the fields it would show; nothing shown, nothing recorded."""
    reason = authorise_reveal(cmd)
    shown_in = {event_id: names for event_id, names in found.items() if names}
    if not shown_in:
        return []
    fields = sorted({name for names in shown_in.values() for name in names})
    return [PersonalDataRevealed(cmd.actor.user_id, cmd.stream, reason, list(shown_in), fields)]
