"""An event store that records append latency; wraps any adapter."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from typing import Any

from prometheus_client import Histogram

from eventstore.envelope import AppendResult, EventFilter, Expected, NewEvent, RecordedEvent
from eventstore.port import EventStore, Subscription, append_from_loop


class TimedEventStore:
    def __init__(self, inner: EventStore, appends: Histogram) -> None:
        self._inner = inner
        self._appends = appends

    def append(self, stream: str, events: Sequence[NewEvent], expected: Expected) -> AppendResult:
        started = time.perf_counter()
        try:
            return self._inner.append(stream, events, expected)
        finally:
            self._appends.observe(time.perf_counter() - started)

    async def append_async(self, stream: str, events: Sequence[NewEvent], expected: Expected) -> AppendResult:
        started = time.perf_counter()
        try:
            return await append_from_loop(self._inner, stream, events, expected)
        finally:
            self._appends.observe(time.perf_counter() - started)

    def read_stream(
        self,
        stream: str,
        *,
        from_version: int | None = None,
        backwards: bool = False,
        limit: int | None = None,
    ) -> list[RecordedEvent]:
        return self._inner.read_stream(stream, from_version=from_version, backwards=backwards, limit=limit)

    def stream_version(self, stream: str) -> int | None:
        return self._inner.stream_version(stream)

    def read_all(
        self, *, after: int | None = None, filter: EventFilter | None = None, limit: int | None = None
    ) -> Iterator[RecordedEvent]:
        return self._inner.read_all(after=after, filter=filter, limit=limit)

    def subscribe(
        self, *, after: int | None = None, filter: EventFilter | None = None, checkpoints: bool = False
    ) -> Subscription:
        return self._inner.subscribe(after=after, filter=filter, checkpoints=checkpoints)

    def head_position(self) -> int:
        return self._inner.head_position()

    def get_stream_metadata(self, stream: str) -> dict[str, Any]:
        return self._inner.get_stream_metadata(stream)

    def set_stream_metadata(self, stream: str, metadata: dict[str, Any]) -> None:
        self._inner.set_stream_metadata(stream, metadata)

    def close(self) -> None:
        self._inner.close()
