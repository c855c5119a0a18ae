"""The read-store contract for projection runners and engineers' tools: ``write_all`` (a batch of
checked writes across tables, in waves) and ``scan`` (every live row of a table), on every adapter.

Projections rely on three things here: a wave is sent only after the one before it wholly succeeded
(so a guard row written last never lands ahead of what it guards), last write wins by timestamp even
inside one call (so a replayed batch cannot roll a row back), and on SQLite the whole call is one
transaction (rows and checkpoint together).
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from read_models.checks import check_write
from read_models.errors import MissingTable
from read_models.port import Delete, ReadStore, TableWrite, Upsert
from read_models.tables import Table
from tests.contract.read_store_backends import ITEMS, OPENERS, open_sqlite

#: Declared, never created: a write to it fails after every row was accepted.
MISSING = dataclasses.replace(ITEMS, name=f"missing_{uuid.uuid4().hex[:8]}")


@pytest.fixture(scope="module", params=sorted(OPENERS))
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReadStore]:
    with OPENERS[request.param](tmp_path_factory.mktemp(request.param)) as s:
        s.create_table(ITEMS)
        yield s


@pytest.fixture
def k() -> str:
    """A partition no other test writes."""
    return f"p-{uuid.uuid4().hex}"


def upsert(k: str, n: int, v: str, timestamp: int | None = None, table: Table = ITEMS) -> TableWrite:
    return table, check_write(table, Upsert({"k": k, "n": n, "v": v}, timestamp))


def delete(k: str, n: int, timestamp: int) -> TableWrite:
    return ITEMS, check_write(ITEMS, Delete({"k": k, "n": n}, timestamp))


def values(store: ReadStore, k: str) -> dict[int, str]:
    """The partition's rows as ``n -> v``, read by scanning the whole table."""
    return {row["n"]: row["v"] for row in store.scan(ITEMS) if row["k"] == k}


# -- write_all -----------------------------------------------------------------------------------------


def test_every_wave_is_applied_across_partitions(store: ReadStore, k: str) -> None:
    other = f"{k}-other"
    store.write_all([[upsert(k, 1, "a"), upsert(other, 1, "b")], [upsert(k, 2, "c")]])
    assert values(store, k) == {1: "a", 2: "c"}
    assert values(store, other) == {1: "b"}


def test_a_large_wave_of_many_partitions_small_and_large_rows_lands_whole(store: ReadStore, k: str) -> None:
    """Engines may group a wave's writes into fewer requests: every write still lands, each with its
    own timestamp, however the writes are grouped (by replica, by count, by size)."""
    big = "x" * 3000
    wave = [upsert(f"{k}-{p}", n, f"{p}.{n}", timestamp=100) for p in range(60) for n in range(5)]
    wave += [upsert(f"{k}-big", n, big + str(n), timestamp=100) for n in range(8)]
    wave += [upsert(f"{k}-{p}", 0, "older", timestamp=99) for p in range(0, 60, 7)]
    wave += [delete(f"{k}-{p}", 4, timestamp=101) for p in range(0, 60, 3)]
    store.write_all([wave])
    rows = [row for row in store.scan(ITEMS) if row["k"].startswith(k)]
    expected = {
        (f"{k}-{p}", n): f"{p}.{n}" for p in range(60) for n in range(5) if not (n == 4 and p % 3 == 0)
    }
    expected |= {(f"{k}-big", n): big + str(n) for n in range(8)}
    assert {(row["k"], row["n"]): row["v"] for row in rows} == expected


def test_a_wave_that_fails_stops_the_waves_after_it(store: ReadStore, k: str) -> None:
    # When the first wave cannot be written
    with pytest.raises(MissingTable):
        store.write_all([[upsert(k, 1, "", table=MISSING)], [upsert(k, 2, "guard")]])
    # Then the guard in the next wave was never sent
    assert values(store, k) == {}


def test_on_sqlite_a_failing_wave_takes_back_the_waves_before_it(tmp_path: Path, k: str) -> None:
    """One transaction: rows and checkpoint land together or not at all."""
    with open_sqlite(tmp_path) as sqlite:
        sqlite.create_table(ITEMS)
        with pytest.raises(MissingTable):
            sqlite.write_all([[upsert(k, 1, "rows")], [upsert(k, 2, "", table=MISSING)]])
        assert values(sqlite, k) == {}


def test_the_newest_write_wins_inside_one_call_whatever_the_order(store: ReadStore, k: str) -> None:
    # When one call holds an older write after a newer one, in the same wave and in a later wave
    store.write_all(
        [
            [upsert(k, 1, "new", timestamp=50), upsert(k, 1, "old", timestamp=30)],
            [upsert(k, 2, "new", timestamp=50), delete(k, 2, timestamp=40)],
            [
                upsert(k, 3, "gone", timestamp=50),
                delete(k, 3, timestamp=60),
                upsert(k, 3, "late", timestamp=55),
            ],
        ]
    )
    # Then each row holds its newest write; a newer delete hides an older upsert sent after it
    assert values(store, k) == {1: "new", 2: "new"}


def test_a_replayed_call_changes_nothing(store: ReadStore, k: str) -> None:
    waves = [[upsert(k, 1, "first", timestamp=10)], [upsert(k, 1, "second", timestamp=11), delete(k, 2, 12)]]
    store.write_all(waves)
    store.write_all([[upsert(k, 2, "before the delete", timestamp=9)]])
    store.write_all(waves)
    assert values(store, k) == {1: "second"}


def test_nothing_to_write_is_fine(store: ReadStore) -> None:
    store.write_all([])
    store.write_all([[], []])


# -- scan ----------------------------------------------------------------------------------------------


def test_a_scan_sees_live_rows_only(store: ReadStore, k: str) -> None:
    # Given rows written, one deleted, one expiring, one replaced
    store.write_all([[upsert(k, n, f"v{n}") for n in range(4)]])
    store.delete(ITEMS, {"k": k, "n": 1})
    store.upsert(ITEMS, {"k": k, "n": 2, "v": "short-lived"}, ttl=1)
    store.upsert(ITEMS, {"k": k, "n": 3, "v": "replaced"})
    # When the TTL has passed
    time.sleep(2.1)
    # Then
    assert values(store, k) == {0: "v0", 3: "replaced"}


def test_a_scan_reads_past_its_first_page(store: ReadStore, k: str) -> None:
    store.write_all([[upsert(f"{k}-{n % 7}", n, "x") for n in range(2500)]])
    found = [row["n"] for row in store.scan(ITEMS) if row["k"].startswith(f"{k}-")]
    assert sorted(found) == list(range(2500))


def test_a_scan_of_a_missing_table_says_so(store: ReadStore) -> None:
    with pytest.raises(MissingTable):
        list(store.scan(MISSING))
