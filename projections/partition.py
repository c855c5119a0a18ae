"""Which events and which parts of an event a partition of a projector applies.

A projector names the entities an event touches (``Projector.entity``). Most events touch one; a
follow touches the follower and the creator, a block both people, an erasure every partition that may
hold a row about the person (``EVERY``). The event goes to each partition owning one of them, and
each applies its part only: the writer answers ``owns`` for an entity, so a projector writes the rows
of the entities its partition owns and leaves the rest to their owners.

An aggregate fed by many entities (a month's totals, co-engagement between videos) cannot have one
owner without making that owner the bottleneck again, so each partition writes its own shard of it
(``Writer.shard`` in the row's key) and readers add the shards up. Every shard row still has exactly
one writer, so the exactly-once rules of ``projections.writer`` hold on Cassandra without counters
or lightweight transactions.
"""

from __future__ import annotations

import dataclasses
import zlib
from collections.abc import Callable, Iterable, Sequence
from typing import Any

#: The entity of a part every partition applies (e.g. an erasure: each partition forgets what it holds).
EVERY = "*"

Entities = str | tuple[str, ...]


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
        if self.count == 1 or entity == EVERY:
            return True
        return zlib.crc32(entity.encode()) % self.count == self.index

    def applies(self, entities: Entities) -> bool:
        """Whether any part of an event naming ``entities`` is this partition's to apply."""
        return self.owns(entities) if isinstance(entities, str) else any(map(self.owns, entities))

    def owners(self, entities: Iterable[str]) -> set[str]:
        """The entities among ``entities`` this partition owns."""
        return {e for e in entities if self.owns(e)}

    @property
    def label(self) -> str:
        return f"{self.index}/{self.count}"


WHOLE = Partition()

Row = dict[str, Any]
#: How the rows of one key's shards (a ``shard`` in the table's key) make the one row readers see,
#: without its ``shard``: a projector names one for each sharded table whose numbers do not simply
#: add up (``Projector.combine``). Comparisons of builds made by different partitions use it.
Combine = Callable[[Sequence[Row]], Row]


def one_copy(rows: Sequence[Row]) -> Row:
    """The combination of a table each partition keeps a copy of for itself (facts from events every
    partition applies, read back only by the partition that wrote them), or of rows several
    partitions may each write the same (a marker of what an event changed): the copies must agree."""
    copies = [{k: v for k, v in row.items() if k != "shard"} for row in rows]
    if any(copy != copies[0] for copy in copies[1:]):
        raise ValueError(f"the partitions' copies differ: {copies}")
    return copies[0]
