"""The event-store port: what the write side, projections and auditors need from a log."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

from eventstore.envelope import AppendResult, Checkpoint, EventFilter, Expected, NewEvent, RecordedEvent


class Subscription(Protocol):
    """A catch-up subscription: yields history after a position, then new events as they land;
    with ``checkpoints=True`` also ``Checkpoint`` markers, so filtered-out events count as progress,
    and while the log is quiet the last marker again about every second: a consumer that records its
    progress only now and then (``projections.following``) then settles where it stopped."""

    def __iter__(self) -> Iterator[RecordedEvent | Checkpoint]: ...

    def stop(self) -> None:
        """Ends iteration promptly, also from another thread."""


class EventStore(Protocol):
    def append(self, stream: str, events: Sequence[NewEvent], expected: Expected) -> AppendResult:
        """Appends all events or none. Fills in the hash chain. Retrying the same event ids
        returns the first result and stores nothing new."""

    def read_stream(
        self,
        stream: str,
        *,
        from_version: int | None = None,
        backwards: bool = False,
        limit: int | None = None,
    ) -> list[RecordedEvent]:
        """Events of one stream from a revision (inclusive); raises ``StreamNotFound``. From past the
        end of a stream that exists: no events, so commands can read just what a stream gained."""

    def stream_version(self, stream: str) -> int | None:
        """The revision of the stream's last event, ``None`` when it has none."""

    def read_all(
        self,
        *,
        after: int | None = None,
        filter: EventFilter | None = None,
        limit: int | None = None,
    ) -> Iterator[RecordedEvent]:
        """Events of every stream in global order, strictly after ``after``."""

    def subscribe(
        self, *, after: int | None = None, filter: EventFilter | None = None, checkpoints: bool = False
    ) -> Subscription:
        """``read_all`` that does not end: it waits, without polling, for new events."""

    def head_position(self) -> int:
        """The global position of the newest event, 0 for an empty log."""

    def get_stream_metadata(self, stream: str) -> dict[str, Any]: ...

    def set_stream_metadata(self, stream: str, metadata: dict[str, Any]) -> None: ...

    def close(self) -> None: ...


async def append_from_loop(
    store: EventStore, stream: str, events: Sequence[NewEvent], expected: Expected
) -> AppendResult:
    """``store.append`` for a caller on an event loop, which must go on serving while the append
    waits for the disk: through the store's own ``append_async`` where it has one (same contract,
    awaited), otherwise its ``append`` on a worker thread. Looked up by name, not by a runtime
    protocol check, which costs more than the rest of this call."""
    append_async = getattr(store, "append_async", None)
    if append_async is not None:
        result: AppendResult = await append_async(stream, events, expected)
        return result
    return await asyncio.to_thread(store.append, stream, events, expected)
