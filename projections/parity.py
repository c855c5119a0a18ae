"""Parity of a rebuilt build, before the API is switched to it.

Two checks:

- **A sample recomputed from events.** One slice of the entities (``Projector.sample_slices``) is
  projected again, from the start of the log to the new build's checkpoint, into a throw-away
  in-memory store; every row it produces must be in the new build, equal. This is the gate.
- **Row counts** of every table, new beside old. They are comparable only when the old build is
  the same version at the same checkpoint; a difference there means one of them is wrong, and it
  blocks the switch unless the engineer accepts it (a rebuild meant to fix a projector bug). A
  table whose rows expire (a default TTL) is counted but never compared: its old rows expired by
  the clock, the new ones were all written just now.

Sharded tables (a ``shard`` column in the key, ``projections.partition``): each partition writes its
own shard of an aggregate, under its label. The sample's rows hold the slice's share only (shard
``s/16``), which no row of the build holds (a rebuild writes ``0/1``; live partitions theirs), so the
sample leaves them out and says how many it left. Their counts are of logical rows, the distinct keys
without the shard, so builds made by different partitionings compare.
"""

from __future__ import annotations

import dataclasses
import random
import tempfile
from pathlib import Path

from eventstore.codec import EventCodec
from eventstore.port import EventStore
from projections.projector import Projector
from projections.runner import Partition, Runner
from read_models import projection_state as states
from read_models.errors import MissingTable
from read_models.live import Build
from read_models.port import ReadStore
from read_models.sqlite import SQLiteReadStore
from read_models.tables import Row, Table

#: How many sampled rows that differ are named in the report.
SHOWN = 5
#: The key column of a sharded table's rows: which partition wrote the row (``Writer.shard``).
SHARD = "shard"


@dataclasses.dataclass(frozen=True, slots=True)
class Count:
    table: str
    old: int | None
    new: int
    expires: bool = False  # rows expire by the clock: not comparable

    @property
    def differs(self) -> bool:
        return not self.expires and self.old != self.new


@dataclasses.dataclass(frozen=True, slots=True)
class Report:
    counts: tuple[Count, ...]
    counts_comparable: bool
    sample: str  # e.g. "slice 3/16"
    sampled_rows: int
    mismatches: tuple[str, ...]
    #: Sharded tables the sample leaves out (see the module docstring).
    unsampled: tuple[str, ...] = ()

    def ok(self, *, accept_count_differences: bool = False) -> bool:
        if self.mismatches:
            return False
        differ = any(c.differs for c in self.counts)
        return accept_count_differences or not (self.counts_comparable and differ)

    def lines(self) -> list[str]:
        out = [f"{'table':<28} {'old rows':>10} {'new rows':>10}"]
        for c in self.counts:
            note = "  (rows expire: not compared)" if c.expires else ""
            out.append(f"{c.table:<28} {'-' if c.old is None else c.old:>10} {c.new:>10}{note}")
        if not self.counts_comparable:
            out.append("row counts not comparable (old build is another version or checkpoint)")
        out.append(
            f"sample {self.sample}: {self.sampled_rows} rows recomputed from events, "
            f"{len(self.mismatches)} differ"
        )
        out.extend(f"  {m}" for m in self.mismatches[:SHOWN])
        if self.unsampled:
            out.append(f"sharded, not sampled (counted by key): {', '.join(self.unsampled)}")
        return out


def check(
    projector: Projector,
    *,
    events: EventStore,
    codec: EventCodec,
    store: ReadStore,
    old: Build | None,
    new: Build,
) -> Report:
    position = states.checkpoint_of(store, projector.name, new.label)
    counts = tuple(_count(projector, store, old, new, t) for t in projector.tables)
    comparable = (
        old is not None
        and old.version == new.version
        and states.checkpoint_of(store, projector.name, old.label) == position
    )
    slices = projector.sample_slices
    partition = Partition(random.randrange(slices), slices)
    sampled, mismatches = _sample(projector, events, codec, store, new, partition, position)
    unsampled = tuple(t.name for t in projector.tables if SHARD in t.key_names)
    return Report(counts, comparable, f"slice {partition.label}", sampled, mismatches, unsampled)


def _count(projector: Projector, store: ReadStore, old: Build | None, new: Build, table: Table) -> Count:
    return Count(
        table.name,
        None if old is None or old == new else _rows_in(store, old.table(table)),
        _rows_in(store, new.table(table)) or 0,
        expires=table.default_ttl is not None,
    )


def _rows_in(store: ReadStore, table: Table) -> int | None:
    """Rows as readers see them: a sharded table's shards of one key are one row."""
    logical = [name for name in table.key_names if name != SHARD]
    try:
        if SHARD not in table.key_names:
            return sum(1 for _ in store.scan(table))
        return len({tuple(row[name] for name in logical) for row in store.scan(table)})
    except MissingTable:
        return None


def _sample(
    projector: Projector,
    events: EventStore,
    codec: EventCodec,
    store: ReadStore,
    new: Build,
    partition: Partition,
    position: int,
) -> tuple[int, tuple[str, ...]]:
    with tempfile.TemporaryDirectory(prefix="strom-parity-") as tmp:
        scratch = SQLiteReadStore(Path(tmp) / "sample.db")
        try:
            scratch.create_table(states.PROJECTION_STATE)
            Runner(projector, events=events, codec=codec, store=scratch, build=new, partition=partition).run(
                until=position
            )
            return _compare(projector, scratch, store, new)
        finally:
            scratch.close()


def _compare(
    projector: Projector, sample: ReadStore, store: ReadStore, build: Build
) -> tuple[int, tuple[str, ...]]:
    seen, mismatches = 0, []
    for table in projector.tables_of(build).values():
        if SHARD in table.key_names:
            continue  # the slice's share of an aggregate: no row of the build holds it
        for row in sample.scan(table):
            seen += 1
            key = {name: row[name] for name in table.key_names}
            found = store.get(table, key)
            if found != row:
                mismatches.append(
                    f"{table.name} {_show(key)}: rebuilt {_show(found)}, recomputed {_show(row)}"
                )
    return seen, tuple(mismatches)


def _show(row: Row | None) -> str:
    return "missing" if row is None else repr(dict(row))
