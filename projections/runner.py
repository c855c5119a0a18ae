"""Runs one projector over one build: subscribe from its checkpoint, apply events in batches,
record progress, stop loudly.

A batch is up to ``FLUSH_EVERY`` events (or ``FLUSH_AFTER_S`` of them, or whatever arrived before
the log went quiet); its rows and its checkpoint are written together (``Batch.flush``), so a crash
replays at most one batch onto rows stamped to absorb it.

A projector that raises is a bug, not bad luck: it stops with the event's position and the
error in its checkpoint row, and is never skipped past silently. Other projectors go on.
"""

from __future__ import annotations

import dataclasses
import threading
import time
import traceback
import zlib
from collections.abc import Callable

from domain.accounts.events import ErasureRequested
from domain.events import DomainEvent
from domain.videos.events import DeletionReason, VideoDeleted
from eventstore.codec import EventCodec
from eventstore.envelope import Checkpoint, EventFilter, RecordedEvent
from eventstore.errors import StoreUnavailable
from eventstore.port import EventStore, Subscription
from projections.projector import Projector
from projections.writer import Batch
from read_models import live
from read_models import projection_state as states
from read_models.checks import check_write
from read_models.errors import ReadStoreUnavailable, RetryableError
from read_models.live import Build
from read_models.port import ReadStore, TableWrite, Upsert

FLUSH_EVERY = 2000
#: Failures of a store rather than of the projector: worth retrying, never a reason to stop.
TRANSIENT = (RetryableError, ReadStoreUnavailable, StoreUnavailable)
FLUSH_AFTER_S = 1.0


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

    @property
    def label(self) -> str:
        return f"{self.index}/{self.count}"


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
        build: Build,
        partition: Partition = WHOLE,
        watch_live: bool = False,
        fresh: bool = False,
        on_progress: Callable[[int], None] | None = None,
    ) -> None:
        self.projector = projector
        self.build = build
        self.name = projector.name + ("" if partition == WHOLE else f"#{partition.label}")
        self._events = events
        self._codec = codec
        self._store = store
        self._partition = partition
        self._tables = projector.tables_of(build)
        self._waves = {t.name: projector.wave_of(t.name) for t in projector.tables}
        self._watch_live = watch_live
        self._fresh = fresh
        self._on_progress = on_progress
        self._stopped = threading.Event()
        self._subscription: Subscription | None = None

    def prepare(self) -> states.ProjectionState:
        for table in self._tables.values():
            self._store.create_table(table)
        return states.load(
            self._store,
            self.projector.name,
            self.build.label,
            version=self.projector.version,
            part=self._partition.label,
        )

    def run(self, *, until: int | None = None) -> states.ProjectionState:
        """Applies events until stopped, or with ``until`` up to and including that position.

        With ``watch_live``, a runner whose build a rebuild has replaced lets go within about
        ``live.CACHE_S`` of its next event, writing nothing more (the state comes back ``RETIRED``).
        A ``fresh`` runner starts on tables just created empty (a rebuild), so it reads no row back."""
        state = self.prepare()
        if until is not None and state.position >= until:
            return state
        subscription = self._events.subscribe(
            after=state.position, filter=EventFilter(types=self.projector.handles), checkpoints=True
        )
        self._subscription = subscription
        batch = Batch(self._store, self._tables, self._waves, empty=self._fresh and state.position == 0)
        position, pending, last_flush, last_check = state.position, 0, time.monotonic(), time.monotonic()
        # Purged on every start too: a run may have stopped between an erasure's commit and its purge.
        state = self._flush(batch, state, position, states.RUNNING, purge=True)
        purge = False
        try:
            for item in subscription:
                if until is not None and item.position > until:
                    break
                now = time.monotonic()
                if self._watch_live and now - last_check > live.CACHE_S:
                    last_check = now  # before applying: after a quiet spell, the old tables may be gone
                    if live.live_build(self._store, self.projector.name) != self.build:
                        return dataclasses.replace(state, status=states.RETIRED)
                if isinstance(item, RecordedEvent):
                    purge = self._apply(batch, state, item, done=position) or purge
                    pending += 1
                position = item.position
                now = time.monotonic()
                if isinstance(item, Checkpoint) or pending >= FLUSH_EVERY or now - last_flush > FLUSH_AFTER_S:
                    state = self._flush(batch, state, position, states.RUNNING, purge=purge)
                    pending, last_flush, purge = 0, now, False
                if self._stopped.is_set() or (until is not None and position >= until):
                    break
        finally:
            subscription.stop()
        return self._flush(batch, state, position, states.STOPPED, purge=purge)

    def stop(self) -> None:
        self._stopped.set()
        if self._subscription is not None:
            self._subscription.stop()

    def _apply(
        self, batch: Batch, state: states.ProjectionState, record: RecordedEvent, *, done: int
    ) -> bool:
        """Projects the event; says whether it erases (see ``erases``)."""
        try:
            decoded = self._codec.decode(record)
            if self._partition == WHOLE or self._partition.owns(self.projector.entity(decoded)):
                self.projector.project(decoded, batch.writer(record.position))
            return erases(decoded.event)
        except TRANSIENT:
            raise  # the store, not the event: the supervisor retries from the checkpoint
        except Exception as exc:
            error = "".join(traceback.format_exception_only(exc)).strip()
            failed = dataclasses.replace(
                state, position=done, status=states.FAILED, error=error, error_position=record.position
            )
            batch.discard_latest()
            batch.flush([_state_write(failed)])
            raise ProjectorFailed(self.name, record.position, exc) from exc

    def _drop_tombstones(self) -> None:
        """Tombstones no write can still come under: stamped at or below the checkpoint of every
        partition of this build (each partition writes only rows it owns, but a table is shared)."""
        up_to = states.checkpoint_of(self._store, self.projector.name, self.build.label)
        if up_to > 0:
            self._store.drop_tombstones(list(self._tables.values()), up_to=up_to)

    def _flush(
        self, batch: Batch, state: states.ProjectionState, position: int, status: str, *, purge: bool = False
    ) -> states.ProjectionState:
        saved = dataclasses.replace(state, position=position, status=status, error=None, error_position=None)
        batch.flush([_state_write(saved)])
        if purge:
            self._drop_tombstones()
            self._store.purge()
        if self._on_progress is not None:
            self._on_progress(position)
        return saved


def erases(event: DomainEvent) -> bool:
    """Events after whose batch the store purges its files (``ReadStore.purge``) of what the batch
    erased: an erasure, and the deletions of the erased person's videos its cascade appends later."""
    if isinstance(event, VideoDeleted):
        return event.reason == DeletionReason.ERASURE
    return isinstance(event, ErasureRequested)


def _state_write(state: states.ProjectionState) -> TableWrite:
    return states.PROJECTION_STATE, check_write(states.PROJECTION_STATE, Upsert(states.row_of(state)))
