"""A batch remembers a partition it read whole, so a projector's lookup of it after a flush is not a
round trip again (on Cassandra, most of a live event's cost), and still reads as the store would.
Only where no other runner writes the partition: a partitioned runner reads a partition that takes
rows from every partition each time."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from projections.partition import WHOLE, Partition
from projections.writer import Batch
from read_models.notifications import NOTIF_BLOCKS, NOTIF_SETTINGS
from read_models.port import ReadStore
from read_models.sqlite import SQLiteReadStore
from read_models.tables import Table

BLOCKS = {"blocker_id": "u1", "blocked_id": "u2", "shard": "0/1"}


class Counting:
    """A store counting the partition reads asked of it."""

    def __init__(self, store: ReadStore) -> None:
        self._store = store
        self.partition_reads = 0
        self.key_reads = 0

    def page(self, *args: Any, **kwargs: Any) -> Any:
        self.partition_reads += 1
        return self._store.page(*args, **kwargs)

    def get(self, *args: Any, **kwargs: Any) -> Any:
        self.key_reads += 1
        return self._store.get(*args, **kwargs)

    def first_rows(self, reads: Any) -> Any:
        self.partition_reads += sum(len(read.partitions) for read in reads)
        return self._store.first_rows(reads)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


@pytest.fixture
def stored(tmp_path: Path) -> Iterator[tuple[Counting, dict[str, Table]]]:
    store = SQLiteReadStore(tmp_path / "read.db")
    tables = {t.name: t for t in (NOTIF_BLOCKS, NOTIF_SETTINGS)}
    for table in tables.values():
        store.create_table(table)
    yield Counting(store), tables
    store.close()


def batch(store: Counting, tables: dict[str, Table], partition: Partition = WHOLE) -> Batch:
    return Batch(store, tables, dict.fromkeys(tables, 0), partition=partition)


def test_a_partition_read_whole_is_not_read_again_and_keeps_reading_as_the_store(
    stored: tuple[Counting, dict[str, Table]],
) -> None:
    store, tables = stored
    # Given a row already in the store, and a batch that reads its partition
    first = batch(store, tables)
    first.writer(1).upsert("notif_blocks", {**BLOCKS, "position": 1, "blocked": True})
    first.flush([])
    runner = batch(store, tables)
    assert [r["position"] for r in runner.rows("notif_blocks", BLOCKS)] == [1]
    # When it writes to the partition, flushes, and reads it again, and again after a delete
    runner.writer(2).upsert("notif_blocks", {**BLOCKS, "position": 2, "blocked": False})
    runner.flush([])
    again = runner.rows("notif_blocks", BLOCKS)
    holds = store.page(tables["notif_blocks"], BLOCKS).rows
    runner.writer(3).delete("notif_blocks", {**BLOCKS, "position": 1})
    runner.flush([])
    after_delete = runner.rows("notif_blocks", BLOCKS)
    holds_after = store.page(tables["notif_blocks"], BLOCKS).rows
    # Then the runner read the store once (the other two reads are this test's), and each of its
    # reads is what the store held
    assert store.partition_reads == 3
    assert [r["position"] for r in again] == [1, 2]
    assert again == list(holds)
    assert [r["position"] for r in after_delete] == [2]
    assert after_delete == list(holds_after)


def test_a_partition_other_partitions_write_too_is_read_each_time(
    stored: tuple[Counting, dict[str, Table]],
) -> None:
    store, tables = stored
    # Given a runner of one of two partitions, and a person's settings, which both partitions write
    mine = batch(store, tables, Partition(0, 2))
    settings = {"user_id": "u1"}
    mine.rows("notif_settings", settings)
    # When the other partition writes its row there
    other = batch(store, tables, Partition(1, 2))
    other.writer(5).upsert("notif_settings", {**settings, "position": 5, "shard": "1/2", "muted": ["like"]})
    other.flush([])
    # Then this runner sees it on its next read
    assert [r["shard"] for r in mine.rows("notif_settings", settings)] == ["1/2"]
    assert store.partition_reads == 2


def test_reading_many_partitions_reads_the_unknown_ones_together(
    stored: tuple[Counting, dict[str, Table]],
) -> None:
    store, tables = stored
    runner = batch(store, tables)
    known = {**BLOCKS, "blocked_id": "u3"}
    runner.rows("notif_blocks", known)
    # When two partitions are asked for, one of them known whole
    both = runner.rows_of_many("notif_blocks", [known, BLOCKS])
    # Then only the other was read, and both read empty
    assert both == [[], []]
    assert store.partition_reads == 2


def test_a_key_of_a_partition_read_whole_is_answered_from_memory(
    stored: tuple[Counting, dict[str, Table]],
) -> None:
    """Erasure marks are asked for every like and view: once their bucket is read whole, a person
    with no mark there is answered without a read, and without walking every mark of the bucket."""
    store, tables = stored
    # Given a row in the store, and a runner that read its partition whole
    first = batch(store, tables)
    first.writer(1).upsert("notif_blocks", {**BLOCKS, "position": 1, "blocked": True})
    first.flush([])
    runner = batch(store, tables)
    runner.rows("notif_blocks", BLOCKS)
    assert runner.holds_whole("notif_blocks", BLOCKS)
    # When it asks for that row and for one the partition does not hold
    there = runner.get("notif_blocks", {**BLOCKS, "position": 1})
    absent = runner.get("notif_blocks", {**BLOCKS, "position": 2})
    # Then both come from memory
    assert (there is not None, absent) == (True, None)
    assert store.key_reads == 0


def test_a_stored_row_an_event_wrote_and_then_took_back_is_still_found(
    stored: tuple[Counting, dict[str, Table]],
) -> None:
    """The event wrote over a stored row, read its partition whole, then raised: the row must still
    read as the store holds it, not as absent from a partition held whole."""
    store, tables = stored
    # Given a stored row
    first = batch(store, tables)
    first.writer(1).upsert("notif_blocks", {**BLOCKS, "position": 1, "blocked": True})
    first.flush([])
    runner = batch(store, tables)
    # When an event writes over it, reads its partition, and is taken back
    writer = runner.writer(2)
    writer.upsert("notif_blocks", {**BLOCKS, "position": 1, "blocked": False})
    writer.rows("notif_blocks", BLOCKS)
    runner.discard_latest()
    # Then the row reads as stored, by key and in its partition
    assert runner.get("notif_blocks", {**BLOCKS, "position": 1}) == {**BLOCKS, "position": 1, "blocked": True}
    assert [r["blocked"] for r in runner.rows("notif_blocks", BLOCKS)] == [True]


def test_a_row_forgotten_on_its_way_to_the_store_is_still_found_once_it_landed(
    stored: tuple[Counting, dict[str, Table]],
) -> None:
    """A commit on its way (Cassandra): its row is forgotten while it travels, its partition is read
    again before it lands (the store does not show it yet), and then it lands."""
    store, tables = stored
    runner = Batch(store, tables, dict.fromkeys(tables, 0), remembered=2)
    # Given a row sent, not landed
    runner.writer(1).upsert("notif_blocks", {**BLOCKS, "position": 1, "blocked": True})
    waves = runner.waves()
    runner.flushed(landing=True)
    # When other rows push it out of memory, its partition is read before it lands, then it lands
    for n in range(3):
        runner.get("notif_blocks", {**BLOCKS, "blocker_id": f"other{n}", "position": 1})
    runner.rows("notif_blocks", BLOCKS)
    store.write_all([w for w in waves if w])
    runner.landed()
    # Then it is found, by key and in its partition
    assert runner.get("notif_blocks", {**BLOCKS, "position": 1}) is not None
    assert [r["position"] for r in runner.rows("notif_blocks", BLOCKS)] == [1]
