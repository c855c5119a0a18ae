"""What a projector is: a named, versioned mapping from events to row writes.

The runner owns everything else (subscription, batching, checkpoints, partitions). A
projector only says which events it handles, which entity each belongs to (its unit of
ordering and partitioning), and what rows an event writes, through a ``Writer`` that stamps
every write with the event's position so replays are idempotent.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from eventstore.codec import Decoded
from projections.partition import Combine, Entities
from projections.writer import Writer
from read_models.live import Build
from read_models.tables import Table


@dataclasses.dataclass(frozen=True)
class Projector:
    name: str
    version: int
    tables: tuple[Table, ...]
    handles: tuple[str, ...]
    project: Callable[[Decoded, Writer], None]
    #: The entity an event belongs to: events of one entity are applied in order by one owner. An
    #: event touching several names each (or ``EVERY``); each owner applies its part, asking
    #: ``Writer.owns`` (see ``projections.partition``).
    entity: Callable[[Decoded], Entities]
    #: Tables whose rows must land after all others, in this order. A projector that decides an
    #: event's writes from a guard row (an ``applied_position``, a lookup it deletes) names the
    #: guard here, so a batch cut short by a crash never leaves a guard ahead of what it guards.
    last: tuple[str, ...] = ()
    #: A rebuild's parity check recomputes one slice in this many of the entities. A projector
    #: whose rows depend on events of other entities (a constant entity) must recompute all: 1.
    sample_slices: int = 16
    #: Sharded tables whose shards do not simply add up their numbers, with how they combine
    #: (``projections.partition.Combine``), e.g. a copy each partition keeps (``one_copy``).
    combine: tuple[tuple[str, Combine], ...] = ()

    def tables_of(self, build: Build) -> dict[str, Table]:
        """Each table under the build's physical name: a rebuild fills new tables beside the live ones."""
        return {t.name: build.table(t) for t in self.tables}

    def wave_of(self, table: str) -> int:
        """0 for the rows written first, then 1, 2… for the tables in ``last``."""
        return self.last.index(table) + 1 if table in self.last else 0
