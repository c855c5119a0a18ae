"""Small event types and stores shared by the event-store unit tests."""

from __future__ import annotations

import dataclasses

from domain.events import EVENT_TYPES, DomainEvent, event


@dataclasses.dataclass(frozen=True, slots=True)
class NoteWritten(DomainEvent):
    """A test event with one personal field, sealed with its author's key."""

    author_id: str
    text: str
    public_tag: str = ""


def register_test_events() -> None:
    if "TestNoteWritten" not in EVENT_TYPES:
        event("TestNoteWritten", personal=("text",), subject="author_id")(NoteWritten)
