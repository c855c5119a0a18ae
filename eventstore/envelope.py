"""The envelope every stored event travels in, independent of the engine that stores it."""

from __future__ import annotations

import dataclasses
import enum
import re
from datetime import UTC, datetime
from typing import Any

from eventstore.errors import InvalidAppend, WrongExpectedVersion
from eventstore.ids import uuid7


def utc_now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


@dataclasses.dataclass(frozen=True, slots=True)
class Metadata:
    """Who did it, why, when; plus the chain links and the key that seals personal data."""

    actor: str | None = None
    correlation_id: str | None = None
    causation_id: str | None = None
    occurred_at: str = dataclasses.field(default_factory=utc_now_iso)
    idempotency_key: str | None = None
    key_id: str | None = None
    hash: str = ""
    prev_hash: str = ""

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Metadata:
        """Unknown keys (written by a newer version) are ignored, not fatal."""
        if raw.keys() <= _METADATA_FIELDS:
            return cls(**raw)
        return cls(**{k: v for k, v in raw.items() if k in _METADATA_FIELDS})

    def to_dict(self) -> dict[str, Any]:
        return {**self.unchained(), "hash": self.hash, "prev_hash": self.prev_hash}

    def chained(self, *, hash: str, prev_hash: str) -> Metadata:
        return Metadata(**self.unchained(), hash=hash, prev_hash=prev_hash)

    def unchained(self) -> dict[str, Any]:
        """The metadata the hash covers: everything but the chain links themselves.

        Spelled out rather than ``dataclasses.asdict``: this runs for every appended event.
        """
        return {
            "actor": self.actor,
            "correlation_id": self.correlation_id,
            "causation_id": self.causation_id,
            "occurred_at": self.occurred_at,
            "idempotency_key": self.idempotency_key,
            "key_id": self.key_id,
        }


_METADATA_FIELDS = frozenset(f.name for f in dataclasses.fields(Metadata))


@dataclasses.dataclass(frozen=True, slots=True)
class NewEvent:
    """An event on its way into the log; ``data`` is already sealed."""

    type: str
    data: dict[str, Any]
    event_id: str = dataclasses.field(default_factory=lambda: str(uuid7()))
    schema_version: int = 1
    metadata: Metadata = dataclasses.field(default_factory=Metadata)


@dataclasses.dataclass(frozen=True, slots=True)
class RecordedEvent:
    """An event as stored: its stream revision (from 0) and its global position."""

    stream: str
    version: int
    position: int
    event_id: str
    type: str
    schema_version: int
    data: dict[str, Any]
    metadata: Metadata

    @property
    def category(self) -> str:
        return category_of(self.stream)


@dataclasses.dataclass(frozen=True, slots=True)
class Checkpoint:
    """From a subscription that asked for them: every event up to ``position`` that the filter
    selects was delivered before this marker, so a consumer may record ``position`` as done."""

    position: int


@dataclasses.dataclass(frozen=True, slots=True)
class AppendResult:
    """Where the last appended event landed: stream revision and global position."""

    version: int
    position: int


class StreamState(enum.Enum):
    """Expected-version conditions that are not an exact revision."""

    ANY = "any"
    NO_STREAM = "no_stream"
    EXISTS = "exists"


#: An exact revision (0 is the first event) or one of the ``StreamState`` conditions.
Expected = StreamState | int


@dataclasses.dataclass(frozen=True, slots=True)
class EventFilter:
    """Selects events from ``$all`` by stream category or by event type (either matches)."""

    categories: tuple[str, ...] = ()
    types: tuple[str, ...] = ()

    def matches(self, stream: str, event_type: str) -> bool:
        if not self.categories and not self.types:
            return True
        return category_of(stream) in self.categories or event_type in self.types


def category_of(stream: str) -> str:
    """``video-0190…`` belongs to category ``video``; the category ends at the first dash."""
    return stream.split("-", 1)[0]


MAX_STREAM_NAME = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def check_stream_name(stream: str) -> None:
    if not isinstance(stream, str) or not stream or len(stream) > MAX_STREAM_NAME:
        raise InvalidAppend(f"stream name must be 1..{MAX_STREAM_NAME} characters")
    if stream.startswith("$") or _CONTROL.search(stream):
        raise InvalidAppend(f"stream name {stream!r} is reserved or has control characters")


def check_append(stream: str, events: object) -> None:
    """Refuses a malformed append before anything touches the store."""
    check_stream_name(stream)
    if not isinstance(events, list | tuple) or not events:
        raise InvalidAppend(f"stream {stream!r}: an append needs at least one event")
    ids = [e.event_id for e in events]
    if len(set(ids)) != len(ids):
        raise InvalidAppend(f"stream {stream!r}: the same event id twice in one append")


def check_expected(stream: str, expected: Expected, current: int | None) -> None:
    """The caller's condition against the stream's current revision (``None``: no stream)."""
    ok = (
        expected is StreamState.ANY
        or (expected is StreamState.NO_STREAM and current is None)
        or (expected is StreamState.EXISTS and current is not None)
        or (isinstance(expected, int) and expected == current)
    )
    if not ok:
        shown = expected.value if isinstance(expected, StreamState) else expected
        raise WrongExpectedVersion(stream, shown, current)
