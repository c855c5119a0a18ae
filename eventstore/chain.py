"""The hash chains that make tampering evident.

Each event's hash covers its stream, revision, id, type, schema version, sealed data,
metadata (but the links themselves) and the previous event's hash. Sealed data is what
is hashed, so erasing a person's key never breaks the chain.

A stream's chain cannot show that its last events, or the whole stream, are gone, nor
that someone re-hashed it after a rewrite. The log chain (``log_link``) runs over every
event in global order; signed checkpoints of it (``eventstore.checkpoints``) catch that.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

import orjson

from eventstore.envelope import NewEvent, RecordedEvent

GENESIS = ""


def _canonical(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def event_hash(
    *,
    stream: str,
    version: int,
    event_id: str,
    event_type: str,
    schema_version: int,
    data: dict[str, Any],
    metadata: dict[str, Any],
    prev_hash: str,
) -> str:
    body = _canonical([stream, version, event_id, event_type, schema_version, data, metadata, prev_hash])
    return hashlib.sha256(body).hexdigest()


def log_link(prev: str, e: RecordedEvent) -> str:
    """The log chain after ``e``: covers the previous link and where ``e`` sits in the log, so a
    deleted, inserted, reordered or re-hashed event changes every link from there on. It is
    recomputed from the log by whoever verifies, never stored in it."""
    body = _canonical([prev, e.position, e.stream, e.version, e.metadata.hash])
    return hashlib.sha256(body).hexdigest()


@dataclasses.dataclass(frozen=True, slots=True)
class ChainBreak:
    stream: str
    version: int
    position: int
    reason: str

    def __str__(self) -> str:
        return f"{self.stream}@{self.version} (position {self.position}): {self.reason}"


class ChainVerifier:
    """Checks chains incrementally, event by event, for any number of interleaved streams.

    Feeding it ``$all`` in order verifies every stream in one pass; memory grows with the
    number of streams (one hash each), not with the number of events.
    """

    def __init__(self) -> None:
        self._tails: dict[str, tuple[int, str]] = {}
        self.checked = 0

    def check(self, e: RecordedEvent) -> list[ChainBreak]:
        expected_version, prev = self._tails.get(e.stream, (0, GENESIS))
        breaks: list[ChainBreak] = []
        if e.version != expected_version:
            breaks.append(ChainBreak(e.stream, e.version, e.position, "revision gap"))
        if e.metadata.prev_hash != prev:
            breaks.append(ChainBreak(e.stream, e.version, e.position, "prev_hash does not link"))
        actual = event_hash(
            stream=e.stream,
            version=e.version,
            event_id=e.event_id,
            event_type=e.type,
            schema_version=e.schema_version,
            data=e.data,
            metadata=e.metadata.unchained(),
            prev_hash=e.metadata.prev_hash,
        )
        if actual != e.metadata.hash:
            breaks.append(ChainBreak(e.stream, e.version, e.position, "hash does not match content"))
        self._tails[e.stream] = (e.version + 1, e.metadata.hash)
        self.checked += 1
        return breaks

    def has_stream(self, stream: str) -> bool:
        """Whether any event of ``stream`` was checked."""
        return stream in self._tails


def verify_chain(events: Iterable[RecordedEvent]) -> list[ChainBreak]:
    """Recomputes one stream's chain (or several, interleaved) from the first event."""
    verifier = ChainVerifier()
    return [b for e in events for b in verifier.check(e)]


def link(stream: str, first_version: int, prev_hash: str, events: Sequence[NewEvent]) -> list[NewEvent]:
    """Returns the events with their chain links filled in, ready to store from ``first_version``."""
    linked: list[NewEvent] = []
    for offset, e in enumerate(events):
        digest = event_hash(
            stream=stream,
            version=first_version + offset,
            event_id=e.event_id,
            event_type=e.type,
            schema_version=e.schema_version,
            data=e.data,
            metadata=e.metadata.unchained(),
            prev_hash=prev_hash,
        )
        metadata = e.metadata.chained(hash=digest, prev_hash=prev_hash)
        linked.append(NewEvent(e.type, e.data, e.event_id, e.schema_version, metadata))
        prev_hash = digest
    return linked
