"""One projector's share of a stream of events: its build and partition, the writes it has not
committed yet, how far it has got, and whether it failed or was retired.

A stream (``projections.runner.Stream``) reads the log once, decodes each event once and offers it to
every lane whose projector handles it and has not seen it yet. Each lane keeps its own ``Batch`` and
checkpoint row; the stream commits the lanes' batches together with their checkpoints.

A projector that raises is a bug, not bad luck: its lane records the event's position and the error
in its checkpoint row and leaves the stream, and is never skipped past silently. The others go on.
"""

from __future__ import annotations

import dataclasses
import traceback

from domain.accounts.events import ErasureRequested
from domain.events import DomainEvent
from domain.videos.events import DeletionReason, VideoDeleted
from eventstore.codec import Decoded
from eventstore.envelope import RecordedEvent
from eventstore.errors import StoreUnavailable
from projections.partition import WHOLE, Partition
from projections.projector import Projector
from projections.writer import Batch
from read_models import live
from read_models import projection_state as states
from read_models.checks import check_write
from read_models.errors import MissingTable, ReadStoreUnavailable, RetryableError
from read_models.live import Build
from read_models.port import ReadStore, TableWrite, Upsert

#: Failures of a store rather than of the projector: worth retrying, never a reason to stop.
TRANSIENT = (RetryableError, ReadStoreUnavailable, StoreUnavailable)


class ProjectorFailed(Exception):
    def __init__(self, name: str, position: int, error: BaseException) -> None:
        super().__init__(f"projector {name} stopped at position {position}: {error!r}")
        self.position = position


class Lane:
    def __init__(
        self,
        projector: Projector,
        *,
        store: ReadStore,
        build: Build,
        partition: Partition = WHOLE,
        watch_live: bool = False,
        fresh: bool = False,
    ) -> None:
        """``watch_live``: leave the stream (``retired``) once a rebuild has replaced the build.
        ``fresh``: the build's tables were just created empty (a rebuild), so nothing is read back."""
        self.projector = projector
        self.build = build
        self.partition = partition
        self.name = projector.name + ("" if partition == WHOLE else f"#{partition.label}")
        self.handles = frozenset(projector.handles)
        self._store = store
        self._tables = projector.tables_of(build)
        self._waves = {t.name: projector.wave_of(t.name) for t in projector.tables}
        self._watch_live = watch_live
        #: The build's tables hold nothing: they were created empty (by a rebuild, or by ``prepare``)
        #: and no row was sent since. A stream prepares its lanes again each time it starts (after a
        #: supervisor prepared them, after a store failure): knowing it then spares every lookup a
        #: read back, where a table created a moment before cannot say so a second time.
        self._empty_tables = fresh
        self.state = states.ProjectionState(projector.name, build.label, partition.label, projector.version)
        #: The last position applied or passed, committed or not (``state.position`` is committed).
        self.position = 0
        self.batch = Batch(store, self._tables, self._waves, partition=partition)
        #: An applied event erased personal data: drop tombstones and purge after the next commit.
        self.erased = False
        self.failure: ProjectorFailed | None = None
        self.retired = False

    def prepare(self) -> states.ProjectionState:
        """Creates the build's tables if need be and loads its checkpoint; forgets what was pending."""
        created = [self._store.create_table(table) for table in self._tables.values()]
        self.state = states.load(
            self._store,
            self.projector.name,
            self.build.label,
            version=self.projector.version,
            part=self.partition.label,
        )
        start = self._handover()
        self.position = self.state.position or start or 0
        self._empty_tables = self.position == 0 and (self._empty_tables or all(created))
        empty = self._empty_tables or (self.position == 0 and self._never_run())
        self.batch = Batch(self._store, self._tables, self._waves, empty=empty, partition=self.partition)
        self.erased, self.failure, self.retired = False, None, False
        if start is None:
            self._refuse_handover()
        return self.state

    def _handover(self) -> int | None:
        """Where a partition that has applied nothing starts, when the build was projected under
        another partitioning (a rebuild's ``0/1``, then ``--partition i/n``): where that one stopped,
        since its rows, its shards of aggregates included, hold everything up to there. ``None``
        when its partitions stopped at different positions (see ``projection_state.handover``)."""
        if self.state.position:
            return self.state.position
        return states.handover(self._store, self.projector.name, self.build.label, self.partition.label)

    def _refuse_handover(self) -> None:
        """Stops loudly: the build's other partitioning stands at several positions."""
        error = (
            f"build {self.build.label} was projected by other partitions that stopped at different "
            "positions: stop them while no events are appended (each then stands at the head), or "
            "rebuild, before running it as partition " + self.partition.label
        )
        self.state = dataclasses.replace(self.state, status=states.FAILED, error=error, error_position=0)
        self.failure = ProjectorFailed(self.name, 0, ValueError(error))

    def _never_run(self) -> bool:
        """No checkpoint was ever recorded for the build: where rows commit only with their checkpoint
        (one transaction, SQLite), its tables hold nothing yet, so nothing needs reading back. On
        Cassandra a run cut short may have left rows before its first checkpoint."""
        atomic = getattr(self._store, "engine", None) == "sqlite"
        return atomic and self.partition == WHOLE and self.state.updated_at is None

    def apply(self, decoded: Decoded, record: RecordedEvent) -> None:
        """Projects the event into the batch; a projector bug becomes ``failure``."""
        try:
            if self.partition == WHOLE or self.partition.applies(self.projector.entity(decoded)):
                self.projector.project(decoded, self.batch.writer(record.position))
            self.erased = erases(decoded.event) or self.erased
        except TRANSIENT:
            raise  # the store, not the event: the supervisor retries from the checkpoints
        except MissingTable:
            if not self.is_live():
                return  # dropped by a rebuild just after switching: ``retired`` now says so
            self.fail(record, MissingTable(record.type))
            return
        except Exception as exc:
            self.fail(record, exc)
            return
        self.position = record.position

    def fail(self, record: RecordedEvent, exc: BaseException) -> None:
        """Stops at ``record``: what came before it stays pending, to be committed with the error."""
        self.batch.discard_latest()
        error = "".join(traceback.format_exception_only(exc)).strip()
        self.state = dataclasses.replace(
            self.state,
            position=self.position,
            status=states.FAILED,
            error=error,
            error_position=record.position,
        )
        self.failure = ProjectorFailed(self.name, record.position, exc)
        self.failure.__cause__ = exc

    def passed(self, position: int) -> None:
        """The stream got to ``position``: whatever this lane handles up to there has been offered."""
        if self.failure is None and position > self.position:
            self.position = position

    @property
    def watches_live(self) -> bool:
        """Whether a rebuild replacing its build would retire the lane (``see_live``)."""
        return self._watch_live and not self.retired

    def see_live(self, build: Build | None) -> None:
        """Told the live build (read for every lane of a stream at once): a lane watching it retires
        once a rebuild has replaced its own, writing nothing more."""
        if self.watches_live and build != self.build:
            self.retired = True
            self.batch = Batch(self._store, self._tables, self._waves, partition=self.partition)

    def is_live(self) -> bool:
        """With ``watch_live``, false once a rebuild has replaced the build (then ``retired``)."""
        if self.watches_live:
            self.see_live(live.live_build(self._store, self.projector.name))
        return not self.retired

    def writes(self, status: str) -> tuple[list[list[TableWrite]], TableWrite | None]:
        """The pending rows by wave, and the checkpoint row to commit after them: ``None`` when the
        checkpoint would say what it says already."""
        self._empty_tables = self._empty_tables and not self.batch.pending  # rows go out now
        if self.failure is None:
            if (
                self.position == self.state.position
                and status == self.state.status
                and not self.batch.pending
            ):
                return [], None
            self.state = dataclasses.replace(
                self.state, position=self.position, status=status, error=None, error_position=None
            )
        return self.batch.waves(), _state_write(self.state)

    def committed(self, *, landing: bool = False) -> None:
        """Its writes were sent; with ``landing``, they are still on their way (``Batch.flushed``)."""
        self.batch.flushed(landing=landing)

    def landed(self) -> None:
        self.batch.landed()

    def drop_tombstones(self) -> None:
        """Tombstones no write can still come under: stamped at or below the checkpoint of every
        partition of this build (each partition writes only rows it owns, but a table is shared)."""
        up_to = states.checkpoint_of(self._store, self.projector.name, self.build.label)
        if up_to > 0:
            self._store.drop_tombstones(list(self._tables.values()), up_to=up_to)


def erases(event: DomainEvent) -> bool:
    """Events after whose batch the store purges its files (``ReadStore.purge``) of what the batch
    erased: an erasure, and the deletions of the erased person's videos its cascade appends later."""
    if isinstance(event, VideoDeleted):
        return event.reason == DeletionReason.ERASURE
    return isinstance(event, ErasureRequested)


def _state_write(state: states.ProjectionState) -> TableWrite:
    return states.PROJECTION_STATE, check_write(states.PROJECTION_STATE, Upsert(states.row_of(state)))
