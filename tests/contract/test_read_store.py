"""The read-store contract: every adapter must behave exactly like this (Cassandra's semantics).

Tables are declared beside the openers, created once per engine; every test writes its own random partitions.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from read_models.errors import InvalidQuery, InvalidRow, MissingTable
from read_models.port import Delete, FirstRows, ReadStore, Upsert
from read_models.tables import INT, TEXT, Column, Table, columns_of
from tests.contract.read_store_backends import (
    EPHEMERAL,
    FEED,
    ITEMS,
    NAMES,
    OPENERS,
    T0,
    TABLES,
    WORDS,
)
from tests.cursor_readings import altered_cursors, named_in


@pytest.fixture(scope="session", params=sorted(OPENERS))
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReadStore]:
    with OPENERS[request.param](tmp_path_factory.mktemp(request.param)) as s:
        for table in TABLES:
            s.create_table(table)
        yield s


@pytest.fixture
def k() -> str:
    """A partition no other test writes."""
    return f"p-{uuid.uuid4().hex}"


def fill(store: ReadStore, k: str, numbers: list[int]) -> None:
    store.batch(ITEMS, [Upsert({"k": k, "n": n, "v": f"v{n}"}) for n in numbers])


def walk(store: ReadStore, table: Table, partition: dict[str, Any], limit: int, **query: Any) -> list[Any]:
    """Every page of a query, each no longer than ``limit``; the clustering values, in order."""
    seen, cursor = [], None
    while True:
        page = store.page(table, partition, limit=limit, cursor=cursor, **query)
        assert len(page.rows) <= limit
        seen += [r[table.clustering_names[0]] for r in page.rows]
        cursor = page.cursor
        if cursor is None:
            return seen


# -- rows ----------------------------------------------------------------------------------


def test_a_row_reads_back_with_every_type_as_written(store: ReadStore, k: str) -> None:
    # Given
    item = uuid.uuid4()
    row = {
        "owner": k, "bucket": -7, "at": T0 + timedelta(microseconds=999), "item": item, "title": "hé 🎬",
        "score": 0.25, "tags": ["a", "ß"], "seen": True, "payload": b"\x00\xff",
    }  # fmt: skip
    # When
    store.upsert(FEED, row)
    # Then: timestamps keep milliseconds, as Cassandra does
    got = store.get(FEED, {"owner": k, "bucket": -7, "at": T0, "item": item})
    assert got == {**row, "at": T0}
    assert got["at"].tzinfo is not None


def test_a_missing_row_reads_as_none(store: ReadStore, k: str) -> None:
    assert store.get(ITEMS, {"k": k, "n": 1}) is None


def test_many_rows_read_back_in_the_order_asked_with_none_where_missing(store: ReadStore, k: str) -> None:
    # Given rows with every type in their keys, one of them deleted, one expired
    item = [uuid.uuid4() for _ in range(3)]
    rows = [
        {"owner": k, "bucket": b, "at": T0 + timedelta(seconds=b), "item": item[b], "title": f"t{b}",
         "score": 0.5, "tags": [], "seen": False, "payload": b""}
        for b in range(3)
    ]  # fmt: skip
    for row in rows:
        store.upsert(FEED, row)
    keys = [{c: r[c] for c in ("owner", "bucket", "at", "item")} for r in rows]
    store.delete(FEED, keys[1])
    absent = {**keys[0], "owner": f"{k}-absent"}
    # When asking for them out of order, with repeats and a key never written
    got = store.get_many(FEED, [keys[2], absent, keys[0], keys[1], keys[2]])
    # Then each answer matches its key
    assert got == [rows[2], None, rows[0], None, rows[2]]
    assert store.get_many(FEED, []) == []


def test_many_rows_of_a_table_without_clustering_read_back_by_key(store: ReadStore, k: str) -> None:
    # Given more rows than one statement reads, one of them deleted
    owners = {f"{k}-{n}": uuid.uuid4() for n in range(40)}
    for name, owner in owners.items():
        store.upsert(NAMES, {"name": name, "owner": owner})
    store.delete(NAMES, {"name": f"{k}-7"})
    # When asked for them backwards, with repeats and names never written
    asked = [f"{k}-{n}" for n in range(41, -1, -1)] + [f"{k}-3", f"{k}-3"]
    got = store.get_many(NAMES, [{"name": name} for name in asked])
    # Then each answer matches its key
    expected = [
        None if n in (f"{k}-7",) or n not in owners else {"name": n, "owner": owners[n]} for n in asked
    ]
    assert got == expected


def test_many_rows_read_back_past_one_statement(store: ReadStore, k: str) -> None:
    fill(store, k, list(range(600)))
    got = store.get_many(ITEMS, [{"k": k, "n": n} for n in range(599, -2, -1)])
    assert [None if r is None else r["n"] for r in got] == [*range(599, -1, -1), None]


def test_first_rows_of_many_partitions_are_each_partitions_first_page(store: ReadStore, k: str) -> None:
    # Given rows in a grid of (owner, bucket) partitions, one of them empty, with one row deleted
    def row(owner: str, bucket: int, second: int) -> dict[str, Any]:
        at, item = T0 + timedelta(seconds=second), uuid.UUID(int=second)
        return {"owner": owner, "bucket": bucket, "at": at, "item": item, "title": None, "score": None,
                "tags": [], "seen": None, "payload": None}  # fmt: skip

    owners = [f"{k}-a", f"{k}-b", f"{k}-c"]
    for o, owner in enumerate(owners):
        for bucket in (1, 2):
            if (owner, bucket) != (owners[2], 2):
                store.batch(FEED, [Upsert(row(owner, bucket, 100 * o + 10 * bucket + s)) for s in range(6)])
    store.delete(FEED, {c: row(owners[0], 1, 15)[c] for c in FEED.key_names})
    every = [{"owner": o, "bucket": b} for o in owners for b in (2, 1)]
    end = (T0 + timedelta(seconds=225),)
    for partitions in (every, every[1:4], [every[3], every[0], every[3]]):  # a grid, not one, repeats
        # When their first rows are read together below an end
        (got,) = store.first_rows([FirstRows(FEED, partitions, end, limit=3)])
        # Then each partition's rows are what its own first page holds, in its clustering order
        assert got == [store.page(FEED, p, end=end, limit=3).rows for p in partitions]
    (rows,) = store.first_rows([FirstRows(FEED, every, limit=3)])
    seconds = [[int((r["at"] - T0).total_seconds()) for r in rows] for rows in rows]
    assert seconds == [[25, 24, 23], [14, 13, 12], [125, 124, 123], [115, 114, 113], [], [215, 214, 213]]
    # And as many rows as a page may hold (an engine may split the read; the answer is the same)
    (whole,) = store.first_rows([FirstRows(FEED, every, limit=1000)])
    assert whole == [store.page(FEED, p, limit=1000).rows for p in every]


def test_first_rows_of_several_tables_come_back_read_by_read(store: ReadStore, k: str) -> None:
    # Given rows in two tables
    fill(store, k, list(range(5)))
    store.upsert(WORDS, {"k": k, "word": "b", "n": 2})
    store.upsert(WORDS, {"k": k, "word": "a", "n": 1})
    # When both are read in one round, beside a read of nothing
    reads = [
        FirstRows(ITEMS, [{"k": k}, {"k": f"{k}-none"}], end=(3,), limit=2),
        FirstRows(WORDS, [{"k": k}]),
    ]
    items, words, nothing = store.first_rows([*reads, FirstRows(ITEMS, [])])
    # Then each read answers for its own partitions, in clustering order
    assert [[r["n"] for r in rows] for rows in items] == [[0, 1], []]
    assert [[r["word"] for r in rows] for rows in words] == [["a", "b"]]
    assert nothing == []
    assert store.first_rows([]) == []
    # And a bad read is refused before anything is read
    with pytest.raises(InvalidQuery):
        store.first_rows([FirstRows(ITEMS, [{"k": k}], limit=0)])


def test_an_upsert_replaces_the_whole_row(store: ReadStore, k: str) -> None:
    store.upsert(ITEMS, {"k": k, "n": 1, "v": "a", "w": "b"})
    store.upsert(ITEMS, {"k": k, "n": 1, "v": "c"})
    assert store.get(ITEMS, {"k": k, "n": 1}) == {"k": k, "n": 1, "v": "c", "w": None}


def test_an_empty_or_missing_list_reads_back_empty(store: ReadStore, k: str) -> None:
    empty: dict[str, Any] = {"title": None, "score": None, "tags": [], "seen": None, "payload": None}
    tags: list[str] | None
    for n, tags in enumerate([[], None]):
        key = {"owner": k, "bucket": 0, "at": T0, "item": uuid.UUID(int=n)}
        store.upsert(FEED, {**key, "tags": tags})
        assert store.get(FEED, key) == {**key, **empty}


# -- pages ---------------------------------------------------------------------------------


def test_rows_come_in_clustering_order_or_its_reverse(store: ReadStore, k: str) -> None:
    # Given
    numbers = random.sample(range(-50, 50), 20)
    fill(store, k, numbers)
    items = [uuid.uuid4() for _ in range(5)]
    for i, item in enumerate(items):
        store.upsert(FEED, {"owner": k, "bucket": 1, "at": T0 + timedelta(seconds=i), "item": item})
    # When / Then
    assert [r["n"] for r in store.page(ITEMS, {"k": k}).rows] == sorted(numbers)
    assert [r["n"] for r in store.page(ITEMS, {"k": k}, descending=True).rows] == sorted(
        numbers, reverse=True
    )
    newest_first = store.page(FEED, {"owner": k, "bucket": 1}).rows
    assert [r["item"] for r in newest_first] == items[::-1]
    assert [r["item"] for r in store.page(FEED, {"owner": k, "bucket": 1}, descending=True).rows] == items


@pytest.mark.parametrize("descending", [False, True])
def test_cursors_walk_every_row_exactly_once(store: ReadStore, k: str, descending: bool) -> None:
    fill(store, k, list(range(25)))
    seen = walk(store, ITEMS, {"k": k}, 7, descending=descending)
    assert seen == sorted(range(25), reverse=descending)


@pytest.mark.parametrize("descending", [False, True])
def test_cursors_follow_a_mixed_clustering_order(store: ReadStore, k: str, descending: bool) -> None:
    # Given: newest first, then by item ascending; three items at each of four times
    items = sorted(uuid.uuid4() for _ in range(3))
    times = [T0 + timedelta(minutes=m) for m in range(4)]
    for at in times:
        store.batch(FEED, [Upsert({"owner": k, "bucket": 2, "at": at, "item": i}) for i in items])
    expected = [(at, i) for at in reversed(times) for i in items]
    # When
    seen, cursor = [], None
    while True:
        page = store.page(FEED, {"owner": k, "bucket": 2}, limit=5, cursor=cursor, descending=descending)
        seen += [(r["at"], r["item"]) for r in page.rows]
        if (cursor := page.cursor) is None:
            break
    # Then
    assert seen == (expected[::-1] if descending else expected)


@pytest.mark.parametrize("descending", [False, True])
def test_bounds_include_start_and_exclude_end_in_both_directions(
    store: ReadStore, k: str, descending: bool
) -> None:
    fill(store, k, list(range(20)))
    seen = walk(store, ITEMS, {"k": k}, 3, start=(5,), end=(15,), descending=descending)
    assert seen == sorted(range(5, 15), reverse=descending)
    assert walk(store, ITEMS, {"k": k}, 3, start=(18,)) == [18, 19]
    assert walk(store, ITEMS, {"k": k}, 3, end=(2,)) == [0, 1]


def test_bounds_compare_by_value_even_on_a_descending_clustering(store: ReadStore, k: str) -> None:
    # Given: newest first, then by item ascending
    items = sorted(uuid.UUID(int=i) for i in range(1, 4))
    for s in range(3):
        for item in items:
            store.upsert(FEED, {"owner": k, "bucket": 0, "at": T0 + timedelta(seconds=s), "item": item})
    partition = {"owner": k, "bucket": 0}
    # When
    one, two = T0 + timedelta(seconds=1), T0 + timedelta(seconds=2)
    later = store.page(FEED, partition, start=(one,)).rows
    from_middle = store.page(FEED, partition, start=(one, items[1]), end=(two,)).rows
    # Then
    assert [(r["at"], r["item"]) for r in later] == [(t, i) for t in (two, one) for i in items]
    assert [r["item"] for r in from_middle] == items[1:]


def test_a_cursor_only_works_for_its_own_query(store: ReadStore, k: str) -> None:
    fill(store, k, list(range(5)))
    cursor = store.page(ITEMS, {"k": k}, limit=2).cursor
    assert cursor is not None
    with pytest.raises(InvalidQuery):
        store.page(ITEMS, {"k": k}, limit=2, cursor=cursor, descending=True)
    with pytest.raises(InvalidQuery):
        store.page(ITEMS, {"k": k + "x"}, limit=2, cursor=cursor)
    with pytest.raises(InvalidQuery):
        store.page(ITEMS, {"k": k}, limit=2, cursor="not a cursor!")


def test_a_cursor_names_no_row_and_an_altered_one_is_refused(store: ReadStore, k: str) -> None:
    """A list that drops rows after reading a page hands out the page's cursor: it must not tell
    the caller the key of the last row read, and a cursor edited to point elsewhere must not work."""
    # Given a partition whose rows have distinctive keys
    words = [f"secret-{uuid.uuid4().hex}" for _ in range(3)]
    store.batch(WORDS, [Upsert({"k": k, "word": w, "n": i}) for i, w in enumerate(words)])

    # When the first page of one row is read
    cursor = store.page(WORDS, {"k": k}, limit=1).cursor

    # Then its cursor names neither the row nor the partition, yet leads to the next row
    assert cursor is not None
    assert named_in(cursor, [*words, k]) == []
    assert [r["word"] for r in store.page(WORDS, {"k": k}, limit=1, cursor=cursor).rows] == sorted(words)[1:2]
    # And a change to any of its bytes makes it refused
    for altered in altered_cursors(cursor):
        with pytest.raises(InvalidQuery):
            store.page(WORDS, {"k": k}, limit=1, cursor=altered)


@pytest.mark.parametrize("limit", [0, -1, 1001])
def test_a_limit_out_of_range_is_refused(store: ReadStore, k: str, limit: int) -> None:
    with pytest.raises(InvalidQuery):
        store.page(ITEMS, {"k": k}, limit=limit)


def test_a_large_partition_is_paged_in_small_steps(store: ReadStore, k: str) -> None:
    # Given: 5,000 rows, written in single-partition batches
    for first in range(0, 5000, 50):
        fill(store, k, list(range(first, first + 50)))
    # When
    pages, cursor, seen = 0, None, []
    while True:
        page = store.page(ITEMS, {"k": k}, limit=100, cursor=cursor, descending=True)
        assert len(page.rows) <= 100
        seen += [r["n"] for r in page.rows]
        pages += 1
        if (cursor := page.cursor) is None:
            break
    # Then
    assert seen == list(range(4999, -1, -1))
    assert 50 <= pages <= 51


def test_unicode_keys_stay_distinct_and_sort_by_code_point(store: ReadStore) -> None:
    # Given: emoji, right-to-left scripts, and the same letter composed and decomposed
    words = ["z", "a", "é", "e\u0301", "😀", "שלום", "مرحبا", "🎬🔥", "ａ", "a\u0308\u0323"]
    partitions = [f"{w}-{uuid.uuid4().hex[:6]}" for w in ["🎬🔥", "שלום עולם", "e\u0301", "\u00e9"]]
    for p in partitions:
        store.batch(WORDS, [Upsert({"k": p, "word": w, "n": i}) for i, w in enumerate(words)])
    # Then
    for p in partitions:
        page = store.page(WORDS, {"k": p}).rows
        assert [r["word"] for r in page] == sorted(words)
        assert {r["k"] for r in page} == {p}
    assert store.get(WORDS, {"k": partitions[2], "word": "é"}) == {"k": partitions[2], "word": "é", "n": 2}


# -- time to live --------------------------------------------------------------------------


def test_rows_expire_after_their_ttl_or_the_table_default(store: ReadStore, k: str) -> None:
    # Given
    store.upsert(ITEMS, {"k": k, "n": 1, "v": "expires"}, ttl=2)
    store.upsert(ITEMS, {"k": k, "n": 2, "v": "stays"})
    store.upsert(EPHEMERAL, {"k": k, "n": 1, "v": "default ttl"})
    store.upsert(EPHEMERAL, {"k": k, "n": 2, "v": "never"}, ttl=0)
    assert [r["n"] for r in store.page(ITEMS, {"k": k}).rows] == [1, 2]
    assert [r["n"] for r in store.page(EPHEMERAL, {"k": k}).rows] == [1, 2]
    # When
    time.sleep(3.2)
    # Then
    assert [r["n"] for r in store.page(ITEMS, {"k": k}).rows] == [2]
    assert [r["n"] for r in store.page(EPHEMERAL, {"k": k}).rows] == [2]
    assert store.get(ITEMS, {"k": k, "n": 1}) is None


# -- batches -------------------------------------------------------------------------------


def test_a_batch_applies_upserts_and_deletes_of_one_partition(store: ReadStore, k: str) -> None:
    fill(store, k, [1, 2, 3])
    store.batch(ITEMS, [Delete({"k": k, "n": 2}), Upsert({"k": k, "n": 4, "v": "v4"})])
    assert [r["n"] for r in store.page(ITEMS, {"k": k}).rows] == [1, 3, 4]


def test_a_batch_with_one_invalid_row_writes_nothing(store: ReadStore, k: str) -> None:
    writes = [Upsert({"k": k, "n": 1, "v": "ok"}), Upsert({"k": k, "n": "two", "v": "bad"})]
    with pytest.raises(InvalidRow):
        store.batch(ITEMS, writes)
    assert store.page(ITEMS, {"k": k}).rows == []


def test_a_batch_across_partitions_is_refused(store: ReadStore, k: str) -> None:
    with pytest.raises(InvalidQuery, match="partitions"):
        store.batch(ITEMS, [Upsert({"k": k, "n": 1}), Upsert({"k": k + "b", "n": 1})])
    assert store.page(ITEMS, {"k": k}).rows == []


# -- last write wins -----------------------------------------------------------------------


def test_an_older_write_never_overwrites_a_newer_one(store: ReadStore, k: str) -> None:
    store.upsert(ITEMS, {"k": k, "n": 1, "v": "new"}, timestamp=10)
    store.upsert(ITEMS, {"k": k, "n": 1, "v": "old"}, timestamp=5)
    store.batch(ITEMS, [Upsert({"k": k, "n": 1, "v": "older"}, timestamp=4)])
    assert store.get(ITEMS, {"k": k, "n": 1}) == {"k": k, "n": 1, "v": "new", "w": None}
    store.upsert(ITEMS, {"k": k, "n": 1, "v": "newer"}, timestamp=11)
    assert store.get(ITEMS, {"k": k, "n": 1}) == {"k": k, "n": 1, "v": "newer", "w": None}


def test_a_delete_hides_older_upserts_replayed_after_it(store: ReadStore, k: str) -> None:
    # Given
    store.upsert(ITEMS, {"k": k, "n": 1, "v": "a"}, timestamp=10)
    store.delete(ITEMS, {"k": k, "n": 1}, timestamp=20)
    # When: a replay writes the older upsert again
    store.upsert(ITEMS, {"k": k, "n": 1, "v": "a"}, timestamp=15)
    # Then
    assert store.get(ITEMS, {"k": k, "n": 1}) is None
    assert store.page(ITEMS, {"k": k}).rows == []
    store.upsert(ITEMS, {"k": k, "n": 1, "v": "b"}, timestamp=21)
    assert store.get(ITEMS, {"k": k, "n": 1}) == {"k": k, "n": 1, "v": "b", "w": None}


def test_at_equal_timestamps_a_delete_wins(store: ReadStore, k: str) -> None:
    store.upsert(ITEMS, {"k": k, "n": 1, "v": "a"}, timestamp=10)
    store.delete(ITEMS, {"k": k, "n": 1}, timestamp=10)
    store.delete(ITEMS, {"k": k, "n": 2}, timestamp=10)
    store.upsert(ITEMS, {"k": k, "n": 2, "v": "a"}, timestamp=10)
    assert store.page(ITEMS, {"k": k}).rows == []


# -- conditional writes --------------------------------------------------------------------


def test_insert_if_absent_writes_only_the_first_time(store: ReadStore, k: str) -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    assert store.insert_if_absent(NAMES, {"name": k, "owner": first}) is True
    assert store.insert_if_absent(NAMES, {"name": k, "owner": second}) is False
    assert store.get(NAMES, {"name": k}) == {"name": k, "owner": first}
    assert store.delete_if_present(NAMES, {"name": k}) is True
    assert store.insert_if_absent(NAMES, {"name": k, "owner": second}) is True
    assert store.get(NAMES, {"name": k}) == {"name": k, "owner": second}


def test_delete_if_present_says_whether_a_row_was_there(store: ReadStore, k: str) -> None:
    assert store.delete_if_present(NAMES, {"name": k}) is False
    store.upsert(NAMES, {"name": k, "owner": uuid.uuid4()})
    assert store.delete_if_present(NAMES, {"name": k}) is True
    assert store.get(NAMES, {"name": k}) is None
    assert store.delete_if_present(NAMES, {"name": k}) is False


def test_a_name_freed_and_taken_again_at_once_is_taken_every_time(store: ReadStore, k: str) -> None:
    """Each insert straight after the delete before it: the two are ordered, whatever the clocks'
    resolution (a plain delete's tombstone could hide an insert made in its millisecond)."""
    owners = [uuid.uuid4() for _ in range(500)]
    assert store.insert_if_absent(NAMES, {"name": k, "owner": owners[0]}) is True
    for owner in owners[1:]:
        assert store.delete_if_present(NAMES, {"name": k}) is True
        assert store.insert_if_absent(NAMES, {"name": k, "owner": owner}) is True
        assert store.get(NAMES, {"name": k}) == {"name": k, "owner": owner}


def test_replace_if_writes_only_over_a_live_row_holding_what_it_expects(store: ReadStore, k: str) -> None:
    mine, theirs = uuid.uuid4(), uuid.uuid4()
    assert store.replace_if(NAMES, {"name": k, "owner": mine}, {"owner": mine}) is False
    assert store.get(NAMES, {"name": k}) is None  # no row: nothing written
    assert store.insert_if_absent(NAMES, {"name": k, "owner": theirs}) is True
    assert store.replace_if(NAMES, {"name": k, "owner": mine}, {"owner": mine}) is False
    assert store.get(NAMES, {"name": k}) == {"name": k, "owner": theirs}
    assert store.replace_if(NAMES, {"name": k, "owner": mine}, {"owner": theirs}) is True
    assert store.get(NAMES, {"name": k}) == {"name": k, "owner": mine}
    assert store.replace_if(NAMES, {"name": k, "owner": theirs}, {}) is True  # any live row
    assert store.get(NAMES, {"name": k}) == {"name": k, "owner": theirs}


def test_delete_if_present_with_expected_values_deletes_only_a_row_holding_them(
    store: ReadStore, k: str
) -> None:
    mine, theirs = uuid.uuid4(), uuid.uuid4()
    assert store.insert_if_absent(NAMES, {"name": k, "owner": theirs}) is True
    assert store.delete_if_present(NAMES, {"name": k}, {"owner": mine}) is False
    assert store.get(NAMES, {"name": k}) == {"name": k, "owner": theirs}
    assert store.delete_if_present(NAMES, {"name": k}, {"owner": theirs}) is True
    assert store.get(NAMES, {"name": k}) is None
    assert store.delete_if_present(NAMES, {"name": k}, {"owner": theirs}) is False


def test_a_row_replaced_with_a_ttl_lives_that_long_from_the_replace(store: ReadStore, k: str) -> None:
    """A lease taken for three seconds and renewed at once for six outlives its first three, then
    expires, and the name can be taken again.

    Each wait is counted from when a write began or returned, so a slow engine cannot fail it; and
    an engine that counts expiry in whole seconds may end a row up to a second early, which the
    TTLs leave room for."""
    holder, next_holder = uuid.uuid4(), uuid.uuid4()
    assert store.insert_if_absent(NAMES, {"name": k, "owner": holder}, ttl=3) is True
    taken = time.monotonic()
    assert store.replace_if(NAMES, {"name": k, "owner": holder}, {"owner": holder}, ttl=6) is True
    renewed = time.monotonic()
    _sleep_until(taken + 3.2)  # the first TTL is over; the renewed one has two seconds left at least
    assert store.get(NAMES, {"name": k}) == {"name": k, "owner": holder}
    assert store.insert_if_absent(NAMES, {"name": k, "owner": next_holder}) is False
    _sleep_until(renewed + 6.2)  # the renewed one is over too
    assert store.get(NAMES, {"name": k}) is None
    assert store.insert_if_absent(NAMES, {"name": k, "owner": next_holder}) is True


def _sleep_until(moment: float) -> None:
    time.sleep(max(0.0, moment - time.monotonic()))


@pytest.mark.parametrize(
    "expected",
    [
        pytest.param({"name": "x"}, id="a key column"),
        pytest.param({"colour": "red"}, id="an unknown column"),
        pytest.param({"owner": None}, id="None"),
        pytest.param({"owner": "not a uuid"}, id="the wrong type"),
    ],
)
def test_conditions_that_cannot_hold_are_refused_before_the_engine(
    store: ReadStore, k: str, expected: dict[str, Any]
) -> None:
    with pytest.raises((InvalidQuery, InvalidRow)):
        store.replace_if(NAMES, {"name": k, "owner": uuid.uuid4()}, expected)
    with pytest.raises((InvalidQuery, InvalidRow)):
        store.delete_if_present(NAMES, {"name": k}, expected)


# -- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "row",
    [
        pytest.param({"n": 1, "v": "x"}, id="missing partition key"),
        pytest.param({"k": "K", "v": "x"}, id="missing clustering key"),
        pytest.param({"k": "K", "n": None}, id="null key"),
        pytest.param({"k": "K", "n": 1, "colour": "red"}, id="unknown column"),
        pytest.param({"k": "K", "n": "1"}, id="text for bigint"),
        pytest.param({"k": "K", "n": True}, id="bool for bigint"),
        pytest.param({"k": "K", "n": 2**63}, id="bigint overflow"),
        pytest.param({"k": "K", "n": 1, "v": 5}, id="int for text"),
        pytest.param({"k": "", "n": 1}, id="empty partition key"),
        pytest.param({"k": "\ud800", "n": 1}, id="lone surrogate"),
        pytest.param({"k": "x" * 70_000, "n": 1}, id="key over 64 KiB"),
    ],
)
def test_rows_that_do_not_fit_are_refused_before_the_engine(store: ReadStore, row: dict[str, Any]) -> None:
    with pytest.raises(InvalidRow):
        store.upsert(ITEMS, row)


@pytest.mark.parametrize(
    "values",
    [
        pytest.param({"at": datetime(2026, 1, 1)}, id="naive datetime"),
        pytest.param({"item": str(uuid.uuid4())}, id="str for uuid"),
        pytest.param({"score": float("nan")}, id="NaN"),
        pytest.param({"tags": "a,b"}, id="str for list"),
        pytest.param({"tags": ["a", 1]}, id="int in list"),
        pytest.param({"seen": 1}, id="int for bool"),
        pytest.param({"payload": "bytes?"}, id="str for blob"),
    ],
)
def test_values_of_the_wrong_type_are_refused(store: ReadStore, k: str, values: dict[str, Any]) -> None:
    key = {"owner": k, "bucket": 0, "at": T0, "item": uuid.uuid4()}
    with pytest.raises(InvalidRow):
        store.upsert(FEED, {**key, **values})


def test_keys_that_do_not_fit_are_refused(store: ReadStore, k: str) -> None:
    with pytest.raises(InvalidRow):
        store.get(ITEMS, {"k": k})
    with pytest.raises(InvalidRow):
        store.delete(ITEMS, {"k": k, "n": 1, "v": "x"})
    with pytest.raises(InvalidRow):
        store.page(ITEMS, {"k": k, "n": 1})
    with pytest.raises(InvalidRow):
        store.page(ITEMS, {"k": k}, start=("one",))
    with pytest.raises(InvalidRow):
        store.page(ITEMS, {"k": k}, start="1")


@pytest.mark.parametrize("options", [{"timestamp": -1}, {"timestamp": 1.5}, {"ttl": -1}, {"ttl": 10**10}])
def test_bad_timestamps_and_ttls_are_refused(store: ReadStore, k: str, options: dict[str, Any]) -> None:
    with pytest.raises(InvalidQuery):
        store.upsert(ITEMS, {"k": k, "n": 1}, **options)


# -- schema --------------------------------------------------------------------------------


def test_a_table_that_was_never_created_is_named(store: ReadStore, k: str) -> None:
    ghost = Table(f"ghost_{uuid.uuid4().hex[:8]}", columns_of(k=TEXT), ("k",))
    with pytest.raises(MissingTable, match=ghost.name):
        store.get(ghost, {"k": k})
    # And so do the reads of many keys and partitions, the missing table named among others
    with pytest.raises(MissingTable, match=ghost.name):
        store.get_many(ghost, [{"k": k}, {"k": f"{k}-2"}])
    with pytest.raises(MissingTable, match=ghost.name):
        store.first_rows([FirstRows(ITEMS, [{"k": k}]), FirstRows(ghost, [{"k": k}])])


def test_creating_a_table_says_whether_it_was_missing(store: ReadStore, k: str) -> None:
    # Given a table no store holds
    table = Table(f"made_{uuid.uuid4().hex[:8]}", columns_of(k=TEXT), ("k",))
    # When it is created, then created again
    first, again = store.create_table(table), store.create_table(table)
    # Then only the first call made it (so only then is it known to hold nothing)
    assert (first, again) == (True, False)
    store.drop_table(table)


def test_a_column_added_twice_is_added_once(store: ReadStore, k: str) -> None:
    # Given
    before = Table(f"grow_{uuid.uuid4().hex[:8]}", columns_of(k=TEXT, v=TEXT), ("k",))
    after = Table(before.name, (*before.columns, Column("extra", INT)), ("k",))
    store.create_table(before)
    # When
    store.add_column(before, Column("extra", INT))
    store.add_column(before, Column("extra", INT))
    # Then
    store.upsert(after, {"k": k, "v": "x", "extra": 3})
    assert store.get(after, {"k": k}) == {"k": k, "v": "x", "extra": 3}
    store.drop_table(after)
    with pytest.raises(MissingTable):
        store.get(after, {"k": k})
