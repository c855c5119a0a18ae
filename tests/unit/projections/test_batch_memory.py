"""A live runner lives for weeks: what its batch remembers must stay within its bound however many
rows and partitions pass through it. The index of rows by partition used to keep every row ever
written, and the partitions looked at while the tables were known empty were all kept too."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from projections.writer import Batch
from read_models.notifications import NOTIF_BLOCKS
from read_models.sqlite import SQLiteReadStore
from read_models.tables import Table

BOUND = 50


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteReadStore]:
    opened = SQLiteReadStore(tmp_path / "read.db")
    opened.create_table(NOTIF_BLOCKS)
    yield opened
    opened.close()


def batch(store: SQLiteReadStore, *, empty: bool) -> Batch:
    tables: dict[str, Table] = {NOTIF_BLOCKS.name: NOTIF_BLOCKS}
    return Batch(store, tables, {NOTIF_BLOCKS.name: 0}, empty=empty, remembered=BOUND)


def blocks(n: int) -> dict[str, str]:
    return {"blocker_id": f"u{n}", "blocked_id": "x", "shard": "0/1"}


def flush(runner: Batch, store: SQLiteReadStore, *, overlapped: bool) -> None:
    """As a runner flushes: in place, or (as on Cassandra) sent while the next events are applied."""
    if not overlapped:
        runner.flush([])
        return
    waves = runner.waves()
    runner.flushed(landing=True)
    store.write_all([w for w in waves if w])
    runner.landed()


@pytest.mark.parametrize("overlapped", [False, True], ids=["in-place", "overlapped"])
def test_rows_written_and_forgotten_leave_the_batchs_memory(store: SQLiteReadStore, overlapped: bool) -> None:
    # Given a batch remembering 50 rows
    runner = batch(store, empty=False)
    # When 2,000 events each write a row of its own partition, flushed every 100
    for n in range(2_000):
        runner.writer(n + 1).upsert(NOTIF_BLOCKS.name, {**blocks(n), "position": n, "blocked": True})
        if n % 100 == 99:
            flush(runner, store, overlapped=overlapped)
    # Then it holds about its bound, not every row it ever wrote
    assert runner.memory_held <= 2 * BOUND
    # And what it reads is still what the store holds
    assert [r["position"] for r in runner.rows(NOTIF_BLOCKS.name, blocks(7))] == [7]


def test_partitions_looked_at_while_the_tables_are_empty_are_not_all_kept(store: SQLiteReadStore) -> None:
    # Given a fresh build's batch (its tables known empty)
    runner = batch(store, empty=True)
    # When it looks 2,000 partitions up, finding nothing
    found = [runner.rows(NOTIF_BLOCKS.name, blocks(n)) for n in range(2_000)]
    # Then it keeps no more of them than its bound
    assert found == [[]] * 2_000
    assert runner.memory_held <= BOUND
