"""What auditors run: a stream's full history as recorded, and verification of hash chains."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from domain.errors import NotFound
from eventstore.envelope import RecordedEvent
from eventstore.errors import StreamNotFound
from eventstore.keystore import KeyStore
from eventstore.port import EventStore
from eventstore.sealing import Sealer

ERASED = "[erased]"


def parse_as_of(value: str | None) -> int | datetime | None:
    """``--as-of`` is a global position (digits) or an ISO-8601 time with a zone."""
    if value is None:
        return None
    if value.isdigit():
        return int(value)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"--as-of {value!r} is neither a position nor an ISO-8601 time") from exc
    if moment.tzinfo is None:
        raise ValueError(f"--as-of {value!r} needs a time zone, e.g. {value}+00:00")
    return moment


def history(store: EventStore, stream: str, as_of: int | datetime | None = None) -> Iterator[RecordedEvent]:
    """The stream as it stood at a position or a moment; raises ``NotFound`` for no such stream."""
    try:
        events = store.read_stream(stream)
    except StreamNotFound as exc:
        raise NotFound(str(exc)) from exc
    for event in events:
        if isinstance(as_of, int) and event.position > as_of:
            return
        if isinstance(as_of, datetime) and datetime.fromisoformat(event.metadata.occurred_at) > as_of:
            return
        yield event


def describe(event: RecordedEvent, sealer: Sealer) -> dict[str, Any]:
    """The event as an auditor sees it: personal fields decrypted where the key still exists."""
    data, erased = sealer.unseal(event.data, subject=event.metadata.key_id, event_id=event.event_id)
    return {
        "stream": event.stream,
        "version": event.version,
        "position": event.position,
        "event_id": event.event_id,
        "type": event.type,
        "schema_version": event.schema_version,
        "data": {k: (ERASED if k in erased else v) for k, v in data.items()},
        "metadata": event.metadata.to_dict(),
    }


def readable_history(
    store: EventStore, keys: KeyStore, stream: str, as_of: int | datetime | None = None
) -> Iterator[dict[str, Any]]:
    sealer = Sealer(keys)
    return (describe(event, sealer) for event in history(store, stream, as_of))
