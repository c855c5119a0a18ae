"""How the read-store contract suite opens each adapter; one entry per engine.

Cassandra runs when ``STROM_TEST_CASSANDRA`` names a node (``127.0.0.1:9042``) and is skipped
otherwise, unless ``STROM_REQUIRE_CASSANDRA=1``: then a missing node fails the run, so CI cannot pass
by skipping it. Each opening gets a fresh keyspace (SimpleStrategy, RF 1), dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from read_models.port import ReadStore
from read_models.tables import (
    BLOB,
    BOOL,
    DESC,
    FLOAT,
    INT,
    TEXT,
    TEXT_LIST,
    TIMESTAMP,
    UUID,
    Clustering,
    Table,
    columns_of,
)

CASSANDRA_ENV = "STROM_TEST_CASSANDRA"
REQUIRE_ENV = "STROM_REQUIRE_CASSANDRA"

Opener = Callable[[Path], AbstractContextManager[ReadStore]]

# The contract's tables: one per shape the suite needs (ascending, mixed order, no clustering, TTL).
ITEMS = Table("items", columns_of(k=TEXT, n=INT, v=TEXT, w=TEXT), ("k",), (Clustering("n"),))
FEED = Table(
    "feed",
    columns_of(
        owner=TEXT,
        bucket=INT,
        at=TIMESTAMP,
        item=UUID,
        title=TEXT,
        score=FLOAT,
        tags=TEXT_LIST,
        seen=BOOL,
        payload=BLOB,
    ),
    partition_key=("owner", "bucket"),
    clustering=(Clustering("at", DESC), Clustering("item")),
)
NAMES = Table("names", columns_of(name=TEXT, owner=UUID), ("name",))
WORDS = Table("words", columns_of(k=TEXT, word=TEXT, n=INT), ("k",), (Clustering("word"),))
EPHEMERAL = Table("ephemeral", columns_of(k=TEXT, n=INT, v=TEXT), ("k",), (Clustering("n"),), default_ttl=2)
TABLES = (ITEMS, FEED, NAMES, WORDS, EPHEMERAL)
T0 = datetime(2026, 1, 2, 3, 4, 5, 678_000, tzinfo=UTC)


@contextmanager
def open_sqlite(folder: Path) -> Iterator[ReadStore]:
    from read_models.sqlite import SQLiteReadStore

    store = SQLiteReadStore(folder / f"read-{uuid.uuid4().hex[:8]}.db")
    try:
        yield store
    finally:
        store.close()


def cassandra_address() -> str:
    """The node to test against; skips (or, when required, fails) the calling test without one."""
    address = os.environ.get(CASSANDRA_ENV, "").strip()
    if address:
        return address
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(
            f"{REQUIRE_ENV}=1 but {CASSANDRA_ENV} is unset: no Cassandra node to run the contract against"
        )
    pytest.skip(
        f"{CASSANDRA_ENV} is not set (e.g. 127.0.0.1:9042): no Cassandra node to run the contract against"
    )


@contextmanager
def open_cassandra(_: Path) -> Iterator[ReadStore]:
    from read_models.cassandra import CassandraReadStore

    keyspace = f"strom_test_{uuid.uuid4().hex[:12]}"
    store = CassandraReadStore.from_url(f"cassandra://{cassandra_address()}/{keyspace}?replication=simple:1")
    store.ensure_keyspace()
    try:
        yield store
    finally:
        try:
            store.drop_keyspace()
        finally:
            store.close()


OPENERS: dict[str, Opener] = {
    "sqlite": open_sqlite,
    "cassandra": open_cassandra,
}
