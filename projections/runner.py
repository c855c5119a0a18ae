"""Runs one projector: subscribe from its checkpoint, apply events, record progress, stop loudly.

A projector that raises is a bug, not bad luck: it stops with the event's position and the
error in ``projection_state``, and is never skipped past silently. Other projectors go on.
"""

from __future__ import annotations

import dataclasses
import threading
import time
import traceback
import zlib
from collections.abc import Callable

from eventstore.codec import EventCodec
from eventstore.envelope import Checkpoint, EventFilter, RecordedEvent
from eventstore.port import EventStore, Subscription
from projections.projector import Projector
from projections.writer import Writer
from read_models import projection_state as states
from read_models.port import ReadStore

FLUSH_EVERY = 500
FLUSH_AFTER_S = 0.2


@dataclasses.dataclass(frozen=True, slots=True)
class Partition:
    """``i/n``: this runner owns the entities whose hash falls in slice ``i`` of ``n``."""

    index: int = 0
    count: int = 1

    @classmethod
    def parse(cls, text: str) -> Partition:
        index, _, count = text.partition("/")
        if not (index.isdigit() and count.isdigit()) or not 0 <= int(index) < int(count):
            raise ValueError(f"--partition {text!r}: expected i/n with 0 ≤ i < n, e.g. 0/4")
        return cls(int(index), int(count))

    def owns(self, entity: str) -> bool:
        return self.count == 1 or zlib.crc32(entity.encode()) % self.count == self.index

    def suffix(self) -> str:
        return "" if self.count == 1 else f"#{self.index}/{self.count}"


WHOLE = Partition()


class ProjectorFailed(Exception):
    def __init__(self, name: str, position: int, error: BaseException) -> None:
        super().__init__(f"projector {name} stopped at position {position}: {error!r}")
        self.position = position


class Runner:
    def __init__(
        self,
        projector: Projector,
        *,
        events: EventStore,
        codec: EventCodec,
        store: ReadStore,
        partition: Partition = WHOLE,
        on_progress: Callable[[int], None] | None = None,
    ) -> None:
        self.projector = projector
        self.name = projector.name + partition.suffix()
        self._events = events
        self._codec = codec
        self._store = store
        self._partition = partition
        self._tables = projector.physical()
        self._on_progress = on_progress
        self._stopped = threading.Event()
        self._subscription: Subscription | None = None

    def prepare(self) -> states.ProjectionState:
        for table in self._tables.values():
            self._store.create_table(table)
        return states.load(self._store, self.name, self.projector.version)

    def run(self, *, until: int | None = None) -> states.ProjectionState:
        """Applies events until stopped (or, with ``until``, until caught up to that position)."""
        state = self.prepare()
        if until is not None and state.position >= until:
            return state
        subscription = self._events.subscribe(
            after=state.position, filter=EventFilter(types=self.projector.handles), checkpoints=True
        )
        self._subscription = subscription
        position, flushed, last_flush = state.position, state.position, time.monotonic()
        self._save(state, position, states.RUNNING)
        try:
            for item in subscription:
                if isinstance(item, RecordedEvent):
                    self._apply(state, item, done=position)
                position = item.position
                if (
                    isinstance(item, Checkpoint)
                    or position - flushed >= FLUSH_EVERY
                    or (time.monotonic() - last_flush > FLUSH_AFTER_S)
                ):
                    self._save(state, position, states.RUNNING)
                    flushed, last_flush = position, time.monotonic()
                if self._stopped.is_set() or (until is not None and position >= until):
                    break
        finally:
            subscription.stop()
        return self._save(state, position, states.STOPPED if until is None else states.RUNNING)

    def stop(self) -> None:
        self._stopped.set()
        if self._subscription is not None:
            self._subscription.stop()

    def _apply(self, state: states.ProjectionState, record: RecordedEvent, *, done: int) -> None:
        try:
            decoded = self._codec.decode(record)
            if self._partition.owns(self.projector.entity(decoded)):
                self.projector.project(decoded, Writer(self._store, self._tables, record.position))
        except Exception as exc:
            failed = dataclasses.replace(
                state,
                position=done,
                status=states.FAILED,
                error="".join(traceback.format_exception_only(exc)).strip(),
                error_position=record.position,
            )
            states.save(self._store, failed)
            raise ProjectorFailed(self.name, record.position, exc) from exc
        if self._on_progress is not None:
            self._on_progress(record.position)

    def _save(self, state: states.ProjectionState, position: int, status: str) -> states.ProjectionState:
        saved = dataclasses.replace(state, position=position, status=status, error=None, error_position=None)
        states.save(self._store, saved)
        return saved
