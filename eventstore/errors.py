"""Errors of our own; adapters translate driver errors into these and never leak the driver's."""

from __future__ import annotations


class EventStoreError(Exception):
    """Base of every event-store failure."""


class WrongExpectedVersion(EventStoreError):
    def __init__(self, stream: str, expected: object, actual: int | None) -> None:
        shown = "no stream" if actual is None else actual
        super().__init__(f"stream {stream!r}: expected version {expected}, actual {shown}")
        self.stream = stream
        self.expected = expected
        self.actual = actual


class StreamNotFound(EventStoreError):
    def __init__(self, stream: str) -> None:
        super().__init__(f"stream {stream!r} not found")
        self.stream = stream


class DuplicateEventId(EventStoreError):
    """An event id is already stored, but not as the same append (different stream or batch)."""

    def __init__(self, stream: str, event_id: str) -> None:
        super().__init__(f"stream {stream!r}: event id {event_id} is already stored elsewhere")
        self.stream = stream
        self.event_id = event_id


class CorruptEvent(EventStoreError):
    """A stored event cannot be read back; names where it is so nothing is skipped silently."""

    def __init__(self, stream: str, position: int, reason: str) -> None:
        super().__init__(f"stream {stream!r} at position {position}: {reason}")
        self.stream = stream
        self.position = position
        self.reason = reason


class UnknownEventType(CorruptEvent):
    def __init__(self, stream: str, position: int, event_type: str) -> None:
        super().__init__(stream, position, f"unknown event type {event_type!r}")
        self.event_type = event_type


class StoreUnavailable(EventStoreError):
    """The store cannot be used: not ours, locked past the timeout, or unreachable."""


class InvalidAppend(EventStoreError, ValueError):
    """The append itself is malformed (empty, bad stream name); nothing was written."""


class SubjectErased(EventStoreError):
    """The person's data was erased: nothing personal may be sealed for them again."""

    def __init__(self, subject: str) -> None:
        super().__init__(f"the personal data of {subject} was erased")
        self.subject = subject
