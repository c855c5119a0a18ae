"""Adapter specifics the contract cannot state: how each engine fails, is addressed, and pages."""

from __future__ import annotations

import socket
import sqlite3
import time
import uuid
from pathlib import Path

import cassandra as driver
import pytest
from cassandra.cluster import NoHostAvailable

from read_models import sqlite_sql
from read_models.cassandra import CassandraReadStore
from read_models.cassandra_config import parse_url
from read_models.checks import check_page
from read_models.errors import ReadStoreUnavailable, RetryableReadError, RetryableWriteError
from read_models.sqlite import SQLiteReadStore
from read_models.tables import INT, TEXT, Table, columns_of
from tests.contract.read_store_backends import FEED


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def test_cassandra_behind_a_closed_port_is_unavailable_naming_the_host() -> None:
    port = _free_port()
    store = CassandraReadStore.from_url(f"cassandra://127.0.0.1:{port}/strom?connect_timeout=1")
    began = time.monotonic()
    with pytest.raises(ReadStoreUnavailable, match=f"127.0.0.1:{port}") as caught:
        store.ping()
    assert caught.value.hosts == (f"127.0.0.1:{port}",)
    assert time.monotonic() - began < 10
    store.close()


def test_cassandra_write_timeouts_surface_as_retryable_errors_of_ours() -> None:
    """Driver errors built by hand: a real write timeout cannot be provoked on demand."""
    store = CassandraReadStore.from_url("cassandra://db1,db2:9042/strom")
    cases = [
        (driver.WriteTimeout("slow", write_type=0), True, RetryableWriteError),
        (driver.OperationTimedOut("client gave up"), True, RetryableWriteError),
        (driver.Unavailable("replicas down"), True, RetryableWriteError),
        (driver.ReadTimeout("slow"), False, RetryableReadError),
        (NoHostAvailable("none", {"db1:9042": OSError("refused")}), False, ReadStoreUnavailable),
    ]
    for error, write, ours in cases:
        with pytest.raises(ours), store._errors("items", write=write):
            raise error


def test_cassandra_urls_carry_replication_and_consistency_per_operation() -> None:
    config = parse_url(
        "cassandra://db1,db2:9142/strom?replication=dc1:3,dc2:2&local_dc=dc1"
        "&read_consistency=LOCAL_ONE&batch_consistency=each_quorum&connect_timeout=2"
    )
    assert config.endpoints == (("db1", 9142), ("db2", 9142))
    assert config.where == ["db1:9142", "db2:9142"]
    assert parse_url("cassandra://a:9042,[::1]:9043,b/ks").endpoints == (
        ("a", 9042),
        ("::1", 9043),
        ("b", 9042),
    )
    assert config.replication == {"class": "NetworkTopologyStrategy", "dc1": 3, "dc2": 2}
    assert (config.level("get"), config.level("batch"), config.level("upsert")) == (
        "LOCAL_ONE", "EACH_QUORUM", "LOCAL_QUORUM",
    )  # fmt: skip
    assert config.connect_timeout_s == 2.0
    assert parse_url("cassandra://h/ks").replication == {"class": "SimpleStrategy", "replication_factor": 1}
    for bad in [
        "cassandra://h/ks?colour=red",
        "cassandra://h/KS",
        "cassandra://h:x/ks",
        "cassandra://h:70000/ks",
        "cassandra://,h/ks",
        "cassandra://h/ks?consistency=MOST",
    ]:
        with pytest.raises(ValueError):  # noqa: PT011
            parse_url(bad)


@pytest.mark.parametrize("descending", [False, True])
def test_sqlite_pages_seek_the_key_instead_of_reading_the_partition(tmp_path: Path, descending: bool) -> None:
    store = SQLiteReadStore(tmp_path / "read.db")
    store.create_table(FEED)
    query = check_page(FEED, {"owner": "a", "bucket": 1}, None, None, descending, 100)
    statement, params = sqlite_sql.page(FEED, query, (1000, uuid.uuid4().bytes), 0)
    plan = store._conn().execute(f"EXPLAIN QUERY PLAN {statement}", [*params, 101]).fetchall()
    assert [step[3] for step in plan] == [
        f"SEARCH feed USING PRIMARY KEY (owner=? AND bucket=? AND at{'>' if descending else '<'}?)"
    ]
    store.close()


def test_sqlite_reads_many_rows_by_seeking_each_key_not_by_scanning_the_table(tmp_path: Path) -> None:
    """``(a, b) IN (VALUES …)`` scanned the whole table once per statement for a key of several
    columns: a rebuild at a million events spent 40 % of its time in such scans."""
    store = SQLiteReadStore(tmp_path / "read.db")
    store.create_table(FEED)
    statement = sqlite_sql.get_many(FEED, 2)
    params = [None] * (2 * len(FEED.key_names)) + [0]
    plan = [step[3] for step in store._conn().execute(f"EXPLAIN QUERY PLAN {statement}", params).fetchall()]
    assert "SEARCH feed USING PRIMARY KEY (owner=? AND bucket=? AND at=? AND item=?)" in plan
    assert "SCAN feed" not in plan
    store.close()


def test_sqlite_refuses_a_file_that_is_not_a_read_store(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "other.db") as conn:
        conn.execute("CREATE TABLE events (position INTEGER PRIMARY KEY)")
    conn.close()
    with pytest.raises(ReadStoreUnavailable, match="not a Strom read store"):
        SQLiteReadStore(tmp_path / "other.db")


def test_sqlite_drops_only_the_tombstones_no_write_can_still_come_under(tmp_path: Path) -> None:
    """A tombstone keeps its key (here a word someone wrote) in the file; it may go once every write
    still to come is stamped above it, and not before: it still hides the older writes."""
    tags = Table("tags", columns=columns_of(tag=TEXT, n=INT), partition_key=("tag",))
    store = SQLiteReadStore(tmp_path / "read.db")
    store.create_table(tags)
    # Given a tombstone stamped 10, one stamped 30, an expired row stamped 12 and a live row
    for tag in ("old", "new"):
        store.upsert(tags, {"tag": tag, "n": 1}, timestamp=5)
    store.delete(tags, {"tag": "old"}, timestamp=10)
    store.delete(tags, {"tag": "new"}, timestamp=30)
    store.upsert(tags, {"tag": "gone", "n": 1}, timestamp=12, ttl=1)
    store.upsert(tags, {"tag": "live", "n": 1}, timestamp=12)
    time.sleep(1.1)
    # When every write still to come is stamped above 20
    dropped = store.drop_tombstones([tags], up_to=20)
    # Then the tombstone at 10 and the expired row are gone from the table, the rest stays
    stored = {r[0] for r in store._conn().execute('SELECT "tag" FROM "tags"')}
    assert (dropped, stored) == (2, {"new", "live"})
    store.upsert(tags, {"tag": "new", "n": 2}, timestamp=25)  # older than the tombstone kept
    assert store.get(tags, {"tag": "new"}) is None
    assert store.get(tags, {"tag": "live"}) == {"tag": "live", "n": 1}
    store.close()
