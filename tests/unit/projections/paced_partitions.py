"""The check both partition suites make (DESIGN.md §14): n partitions applying their slices at their
own pace, whichever runs ahead, leave the rows one runner leaves, as readers see them."""

from __future__ import annotations

import functools
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from domain.events import DomainEvent
from projections.partition import WHOLE, Partition
from projections.projector import Projector
from projections.runner import Runner
from read_models.live import Build
from read_models.tables import Row, Table
from tests.integration.log_builder import snapshot
from tests.unit.projections.world import World


def rows_of_one_runner(
    projectors: Sequence[Projector], history: list[DomainEvent], order: list[int], cut: float
) -> None:
    """``order`` is a permutation of the partitions: they apply the history in that order up to
    ``cut`` of it, then the other way round to its end."""
    parts_count = len(order)
    with tempfile.TemporaryDirectory(prefix="strom-partitions-") as tmp:
        world = World(Path(tmp))
        try:
            # Given a history, each event in its own append
            head = 0
            for event in history:
                head = world.given(event)
            stop = round(head * cut)
            for projector in projectors:
                whole, parts = Build(projector.version, 1), Build(projector.version, 2)
                # When one runner applies it all
                _run(world, projector, whole, WHOLE, until=head)
                # and the partitions apply their slices, in turn to a point, then the other way round
                for index in order:
                    _run(world, projector, parts, Partition(index, parts_count), until=stop)
                for index in reversed(order):
                    _run(world, projector, parts, Partition(index, parts_count), until=head)
                # Then the rows are the same, as readers see them
                expected, found = _logical(world, projector, whole), _logical(world, projector, parts)
                for table, rows in expected.items():
                    assert found[table] == rows, f"{projector.name}.{table}"
        finally:
            world.close()


def _run(world: World, projector: Projector, build: Build, partition: Partition, *, until: int) -> None:
    """One process's run of a partition: a new runner, remembering nothing from the one before."""
    Runner(
        projector, events=world.events, codec=world.codec, store=world.store, build=build, partition=partition
    ).run(until=until)


def _logical(world: World, projector: Projector, build: Build) -> dict[str, list[str]]:
    """Every table's rows as readers see them: a sharded table's shards of each key combined as the
    projector says (its numbers added up, by default), without the shard or its guard."""
    tables, combine = projector.tables_of(build), dict(projector.combine)
    out: dict[str, list[str]] = {}
    for name, rows in snapshot(world.store, projector, build).items():
        table = tables[name]
        if "shard" not in table.key_names:
            out[name] = sorted(map(_shown, rows))
            continue
        logical = [k for k in table.key_names if k != "shard"]
        shards: dict[tuple[Any, ...], list[Row]] = defaultdict(list)
        for row in rows:
            shards[tuple(row[k] for k in logical)].append(row)
        join = combine.get(name) or functools.partial(_added_up, table)
        combined = (join(sorted(parts, key=lambda row: row["shard"])) for parts in shards.values())
        out[name] = sorted(
            _shown({k: v for k, v in row.items() if k != "applied_position"}) for row in combined
        )
    return out


def _added_up(table: Table, rows: Sequence[Row]) -> Row:
    """Shards of an aggregate: the numbers of their values added up."""
    total = {k: v for k, v in rows[0].items() if k != "shard"}
    for row in rows[1:]:
        for column in table.value_names:
            value = row[column]
            if isinstance(value, int | float) and not isinstance(value, bool):
                total[column] = (total[column] or 0) + value
    return total


def _shown(row: Row) -> str:
    return repr(sorted(row.items()))
