"""An event log and a read store on temporary files, and the real runner between them."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from domain.events import DomainEvent
from eventstore.codec import EventCodec
from eventstore.envelope import StreamState
from eventstore.keystore import SQLiteKeyStore
from eventstore.sealing import Sealer
from eventstore.sqlite import SQLiteEventStore
from migrations.runner import apply_pending
from projections.partition import Partition
from projections.projector import Projector
from projections.rebuild import live_or_first
from projections.runner import Runner
from read_models import projection_state
from read_models.port import ReadStore
from read_models.sqlite import SQLiteReadStore
from read_models.tables import Table


class World:
    def __init__(self, tmp: Path, read_store: ReadStore | None = None, *, parts: int = 1) -> None:
        """``parts``: how many partitions project each projector, one after another (``project``)."""
        self.keys = SQLiteKeyStore(tmp / "keys.db")
        self.events = SQLiteEventStore(tmp / "events.db")
        self.codec = EventCodec(Sealer(self.keys))
        self.store = read_store or SQLiteReadStore(tmp / "read.db")
        self.parts = parts
        apply_pending(self.store)

    def given(self, *events: DomainEvent, stream: str = "test-1") -> int:
        """Appends the events (no concurrency check); returns the last position."""
        encoded = [self.codec.encode(e) for e in events]
        return self.events.append(stream, encoded, StreamState.ANY).position

    def project(self, projector: Projector) -> None:
        """Runs the projector's live build until it has seen everything in the log: each of its
        partitions in turn, the last ones reading what the first ones wrote."""
        for partition in self._partitions():
            Runner(
                projector,
                events=self.events,
                codec=self.codec,
                store=self.store,
                build=live_or_first(self.store, projector),
                partition=partition,
            ).run(until=self.events.head_position())

    def forget_checkpoint(self, projector: Projector) -> None:
        """As after a crash that lost the checkpoint: the next run replays from the start."""
        self.rewind(projector, 0)

    def rewind(self, projector: Projector, position: int) -> None:
        """As after a crash before the last checkpoints were saved: events after it come again."""
        for partition in self._partitions():
            state = self.state(projector, partition.label)
            projection_state.save(self.store, dataclasses.replace(state, position=position))

    def shards(self) -> list[str]:
        """The labels the partitions write their shards of sharded tables under."""
        return [partition.label for partition in self._partitions()]

    def _partitions(self) -> list[Partition]:
        return [Partition(index, self.parts) for index in range(self.parts)]

    def state(
        self, projector: Projector, part: str = projection_state.WHOLE
    ) -> projection_state.ProjectionState:
        """Where the projector's live build stands (for one partition ``i/n``)."""
        build = live_or_first(self.store, projector).label
        return projection_state.load(self.store, projector.name, build, version=projector.version, part=part)

    def table(self, projector: Projector, table: str) -> Table:
        """The physical table of the projector's live build."""
        return projector.tables_of(live_or_first(self.store, projector))[table]

    def row(self, projector: Projector, table: str, **key: Any) -> dict[str, Any] | None:
        return self.store.get(self.table(projector, table), key)

    def close(self) -> None:
        self.events.close()
        self.keys.close()
        self.store.close()
