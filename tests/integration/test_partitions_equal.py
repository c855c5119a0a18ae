"""Every projector spreads over partitions (DESIGN.md §14): a rich history projected by one runner
into one store, and by three partitions running at once in separate processes into another, leaves
the same rows, table by table. A sharded aggregate (a ``shard`` column in its key) is compared by
its logical rows: the shards of each key summed, as its readers combine them.

The history has everything each projector handles, in an order the domain could have recorded it
(``tests.integration.rich_log``), erasures included (keys shredded, as the command does). The
Following feed runs a second time with a threshold of a few followers, so creators turn large and
small again while partitions apply their follows.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from eventstore.codec import EventCodec
from eventstore.keystore import SQLiteKeyStore
from eventstore.sealing import Sealer
from eventstore.sqlite import SQLiteEventStore
from migrations.runner import apply_pending
from projections import registry
from projections.lane import TRANSIENT
from projections.models import following_feed
from projections.partition import WHOLE, Combine, Partition
from projections.projector import Projector
from projections.runner import ProjectorFailed, Runner
from read_models import projection_state
from read_models.live import Build
from read_models.sqlite import SQLiteReadStore
from read_models.tables import Row, Table
from tests.integration import rich_log
from tests.integration.log_builder import append_log, snapshot

SEED, SIZE, PARTS = 19, 4000, 3
#: Shards are summed over these columns' values; the guard of each shard row is its own.
APPLIED, SHARD = "applied_position", "shard"
#: The low-threshold Following feed gets its own build, beside the registry's.
LOW_THRESHOLD = 3
FEED_LOW = following_feed.make_projector(threshold=LOW_THRESHOLD)


def _runs() -> list[tuple[str, Projector, Build]]:
    """Each projector under test, by test id, with the build it fills."""
    runs = [(p.name, p, Build(p.version)) for p in registry.ALL]
    return [*runs, ("following_feed_low_threshold", FEED_LOW, Build(FEED_LOW.version, 1))]


RUNS = _runs()


def _project(folder: str, partition: Partition, read_file: str) -> dict[str, str]:
    """One process's run of every projector's slice up to the head: the failures, by test id."""
    events = SQLiteEventStore(Path(folder) / "events.db")
    keys = SQLiteKeyStore(Path(folder) / "keys.db")
    store = SQLiteReadStore(Path(folder) / read_file, busy_timeout_s=60)
    codec = EventCodec(Sealer(keys))
    head = events.head_position()
    failures: dict[str, str] = {}
    try:
        for name, projector, build in RUNS:
            runner = Runner(
                projector, events=events, codec=codec, store=store, build=build, partition=partition
            )
            failure = _until(runner, head)
            if failure is not None:
                failures[name] = failure
    finally:
        store.close()
        keys.close()
        events.close()
    return failures


def _until(runner: Runner, head: int) -> str | None:
    """Runs to ``head``, again from the checkpoint while another process holds the file's lock."""
    for _ in range(20):
        try:
            runner.run(until=head)
            return None
        except ProjectorFailed as failed:
            return f"{runner.name}: {failed}"
        except TRANSIENT:
            time.sleep(0.2)
    return f"{runner.name}: the read store stayed locked"


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """``whole.db`` projected by one runner, ``parts.db`` by ``PARTS`` processes at once, and the
    failures of either, by test id."""
    folder = tmp_path_factory.mktemp("partitions")
    events, keys = SQLiteEventStore(folder / "events.db"), SQLiteKeyStore(folder / "keys.db")
    log, erased = rich_log.build(SEED, SIZE)
    append_log(events, EventCodec(Sealer(keys)), log, chunk=50)
    for user in erased:
        keys.erase(user)
    events.close()
    keys.close()
    for file in ("whole.db", "parts.db"):
        store = SQLiteReadStore(folder / file)
        apply_pending(store)
        store.close()
    failures = _project(str(folder), WHOLE, "whole.db")
    context = multiprocessing.get_context("spawn")
    with context.Pool(PARTS) as pool:
        slices = [(str(folder), Partition(i, PARTS), "parts.db") for i in range(PARTS)]
        for found in pool.starmap(_project, slices):
            for name, failure in found.items():
                failures[name] = failures.get(name, "") + failure + "\n"
    return folder, failures


@pytest.mark.parametrize(("name", "projector", "build"), RUNS, ids=[run[0] for run in RUNS])
def test_partitions_run_in_parallel_leave_the_rows_of_a_single_runner(
    stores: tuple[Path, dict[str, str]], name: str, projector: Projector, build: Build
) -> None:
    # Given the rich history projected by one runner and by three partitions at once (the fixture)
    folder, failures = stores
    assert name not in failures, failures[name]
    whole, parts = SQLiteReadStore(folder / "whole.db"), SQLiteReadStore(folder / "parts.db")
    try:
        # When every table of the projector is read from both stores
        expected, found = snapshot(whole, projector, build), snapshot(parts, projector, build)
        tables = projector.tables_of(build)
        # Then both got as far, and each holds the same rows (sharded aggregates by their sums)
        where = (projector.name, build.label)
        assert projection_state.checkpoint_of(parts, *where) == projection_state.checkpoint_of(whole, *where)
        assert expected, "the history wrote nothing"
        for table, rows in expected.items():
            combine = dict(projector.combine).get(table, _summed)
            want, got = (_logical(tables[table], r, combine) for r in (rows, found[table]))
            assert got == want, _differences(table, want, got)
    finally:
        whole.close()
        parts.close()


def test_the_history_touches_every_projector(stores: tuple[Path, dict[str, str]]) -> None:
    # Given the single runner's store
    folder, _ = stores
    whole = SQLiteReadStore(folder / "whole.db")
    try:
        # Then every projector wrote rows from the history, so the comparison above compares something
        for name, projector, build in RUNS:
            written = {t: rows for t, rows in snapshot(whole, projector, build).items() if rows}
            assert written, name
    finally:
        whole.close()


@pytest.mark.parametrize(("name", "projector", "build"), RUNS, ids=[run[0] for run in RUNS])
def test_every_projector_spreads_its_events_over_the_partitions(
    stores: tuple[Path, dict[str, str]], name: str, projector: Projector, build: Build
) -> None:
    # Given the rich history
    folder, _ = stores
    events, keys = SQLiteEventStore(folder / "events.db"), SQLiteKeyStore(folder / "keys.db")
    codec = EventCodec(Sealer(keys))
    try:
        # When each event the projector handles is offered to each of three partitions
        applied = [0] * PARTS
        handled = 0
        for record in events.read_all():
            if record.type not in projector.handles:
                continue
            handled += 1
            entities = projector.entity(codec.decode(record))
            for index in range(PARTS):
                applied[index] += Partition(index, PARTS).applies(entities)
        # Then each partition applies a share of them, none all and none nothing: no constant entity
        assert handled, name
        assert all(0 < count < handled for count in applied), f"{name}: {applied} of {handled}"
    finally:
        keys.close()
        events.close()


def _logical(table: Table, rows: Sequence[Row], combine: Combine) -> list[Row]:
    """The rows as readers see them: a sharded table's shards of each key combined (summed, unless
    the projector says how), without the shard or its guard; any other table as it is."""
    if SHARD not in table.key_names:
        return sorted(rows, key=_order)
    keys = [name for name in table.key_names if name != SHARD]
    shards: dict[tuple[Any, ...], list[Row]] = {}
    for row in rows:
        shards.setdefault(tuple(row[k] for k in keys), []).append(row)
    combined = [combine(sorted(parts, key=lambda row: row[SHARD])) for parts in shards.values()]
    return sorted(
        ({k: v for k, v in row.items() if k not in (SHARD, APPLIED)} for row in combined), key=_order
    )


def _summed(rows: Sequence[Row]) -> Row:
    """Shards of an aggregate: their numbers added up, every other column as the first has it."""
    total = {k: v for k, v in rows[0].items() if k != SHARD}
    for row in rows[1:]:
        for column, value in row.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                total[column] = (total[column] or 0) + value
    return total


def _differences(table: str, want: list[Row], got: list[Row]) -> str:
    """What a failure says: how many rows differ, and the first few on each side."""
    missing = [row for row in want if row not in got]
    extra = [row for row in got if row not in want]
    lines = [
        f"{table}: {len(missing)} rows of the single runner not made by the partitions, {len(extra)} other"
    ]
    lines += [f"  single runner: {row}" for row in missing[:3]]
    lines += [f"  partitions:    {row}" for row in extra[:3]]
    return "\n".join(lines)


def _order(row: Row) -> str:
    return repr(sorted(row.items()))
