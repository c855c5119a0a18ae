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
from projections.writer import Writer
from read_models.tables import Table, versioned


@dataclasses.dataclass(frozen=True)
class Projector:
    name: str
    version: int
    tables: tuple[Table, ...]
    handles: tuple[str, ...]
    project: Callable[[Decoded, Writer], None]
    #: The entity an event belongs to: events of one entity are applied in order by one owner.
    entity: Callable[[Decoded], str]

    def physical(self) -> dict[str, Table]:
        """Each table under its versioned name, so a rebuild can fill new tables beside the live ones."""
        return {t.name: versioned(t, self.version) for t in self.tables}
