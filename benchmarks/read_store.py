"""Row writes and partition page reads of both read stores, next to the raw engine in the same run.

Each operation runs through our adapter and as the least work the engine's own client does for the
same result (the "limit"), alternating in rounds on the same table layout, so the ratio says what the
adapter costs wherever it runs. The table is a feed: partition (user, bucket), newest first.

- Row writes: one upsert per call with a write timestamp, as a projection writes. Raw SQLite is the
  same ``INSERT … ON CONFLICT … WHERE newer`` on the adapter's settings (WAL, ``synchronous=NORMAL``,
  autocommit); raw Cassandra is ``session.execute(prepared, values)`` on the adapter's own session
  (same policy, ``LOCAL_QUORUM``). Cassandra also runs with threads sharing one store, the cheap way to
  have a synchronous port's writes in flight together; the driver's own pipelining is shown for scale.
- Page reads: 20-row pages of 500-row partitions by cursor to the end. Raw SQLite is a keyset
  ``SELECT … LIMIT`` with the same live-row filter, rows as SQLite returns them; raw Cassandra is
  driver paging (``fetch_size``, ``paging_state``).

DESIGN.md section 11 has no store-level row: the feed page p99 judges page reads, and the rebuild
targets stand beside row writes as indirect ones. Cassandra is the node ``STROM_TEST_CASSANDRA`` names
(``make bench`` starts one), or else started with ``scripts/cassandra_node.py start --if-needed`` and
stopped only if that started it; the keyspace is fresh and dropped afterwards.
Run with ``python -m benchmarks.read_store [--quick] [--out PATH] [--no-cassandra]``.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import cassandra
from cassandra import ConsistencyLevel
from cassandra.concurrent import execute_concurrent_with_args

from benchmarks.report import Line, Rate, Target, alternate, machine, save, table
from read_models import sqlite_sql
from read_models.cassandra import CassandraReadStore
from read_models.port import ReadStore, Upsert
from read_models.sqlite import SQLiteReadStore
from read_models.tables import DESC, INT, TEXT, TIMESTAMP, UUID, Clustering, Row, Table, columns_of

DESCRIPTION = "Row writes and page reads of both read stores, next to the raw engine."
DEFAULT_OUT = Path(__file__).parent / "results" / "read_store.json"
NODE_SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "cassandra_node.py"
#: Alternating rounds, so a disk or node that slows down during the run hurts both sides alike.
ROUNDS = 4
PAGE = 20
PARTITION_ROWS = 500
#: Writers sharing one store: enough to keep a node busy, few enough for two cores and one GIL.
THREADS = 8
#: Requests in flight for the driver's own pipelining, the most one client process gets from a node.
PIPELINE = 64
T0 = datetime(2026, 1, 5, 12, tzinfo=UTC)
FEED = Table(
    "bench_feed",
    columns_of(
        user_id=UUID,
        bucket=INT,
        created_at=TIMESTAMP,
        video_id=UUID,
        author_id=UUID,
        title=TEXT,
        duration_ms=INT,
    ),
    partition_key=("user_id", "bucket"),
    clustering=(Clustering("created_at", DESC), Clustering("video_id")),
)
T = TypeVar("T")
Write = tuple[Row, int]  # a row and its write timestamp
Cursor = Any  # what a page reader hands itself for the next page: ours a str, raw a key or a state
PageReader = Callable[[Row, Cursor], Cursor]


@dataclasses.dataclass(frozen=True, slots=True)
class Sizes:
    """How much work a run does: full for numbers worth quoting, quick for a smoke test."""

    sqlite_writes: int
    sqlite_partitions: int
    cassandra_writes: int
    threaded_writes: int
    cassandra_partitions: int
    read_passes: int


FULL = Sizes(40_000, 40, 3_000, 8_000, 8, 2)
QUICK = Sizes(2_000, 2, 300, 800, 1, 1)


# -- results ----------------------------------------------------------------------------


FEED_PAGE = Target(p99_ms=20.0, source="feed page")


@dataclasses.dataclass(frozen=True, slots=True)
class ReadLine(Line):
    """A line that may also show the engine past the port's shape (the driver's own pipelining).

    That rate is for scale only, not a limit for ours: the port has no way to keep calls in flight.
    """

    beyond: Rate | None = None

    def as_dict(self) -> dict[str, Any]:
        out = Line.as_dict(self)
        if self.beyond is not None:
            out["raw_pipelined"] = self.beyond.as_dict() | {"in_flight": PIPELINE}
        return out


# -- workload and timing ------------------------------------------------------------------


def _row(user: uuid.UUID, i: int) -> Row:
    return {
        "user_id": user,
        "bucket": 202601,
        "created_at": T0 + timedelta(milliseconds=i),
        "video_id": uuid.uuid4(),
        "author_id": uuid.uuid4(),
        "title": f"Clip {i}: sunset over the harbour, shot on a phone",
        "duration_ms": 15_000 + i % 45_000,
    }


def _writes(count: int) -> list[Write]:
    """New rows across 200 feeds, as a fan-out writes them; built before any clock starts."""
    users = [uuid.uuid4() for _ in range(200)]
    return [(_row(users[i % 200], i), i + 1) for i in range(count)]


def _partitions(count: int) -> list[list[Row]]:
    return [[_row(user, i) for i in range(PARTITION_ROWS)] for user in (uuid.uuid4() for _ in range(count))]


def _timed(items: Sequence[T], call: Callable[[T], object]) -> list[float]:
    latencies = []
    for item in items:
        start = time.perf_counter()
        call(item)
        latencies.append(time.perf_counter() - start)
    return latencies


def _sequential(items: Sequence[T], call: Callable[[T], object]) -> Rate:
    return Rate(len(items), sum(latencies := _timed(items, call)), tuple(latencies))


def _threaded(items: Sequence[T], call: Callable[[T], object]) -> Rate:
    """``THREADS`` callers sharing one client, each timing its own calls; the rate is over wall time."""
    start = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(lambda n: _timed(items[n::THREADS], call), range(THREADS)))
    return Rate(len(items), time.perf_counter() - start, tuple(x for r in results for x in r))


def _walk(partitions: Sequence[Row], read: PageReader) -> Rate:
    """Every partition page by page to its end, timing each page."""
    latencies = []
    for partition in partitions:
        cursor: Cursor = None
        while True:
            start = time.perf_counter()
            cursor = read(partition, cursor)
            latencies.append(time.perf_counter() - start)
            if cursor is None:
                break
    return Rate(len(latencies), sum(latencies), tuple(latencies))


def _read_line(
    engine: str, data: Sequence[Sequence[Row]], passes: int, ours: PageReader, raw: PageReader
) -> ReadLine:
    keys = [{"user_id": rows[0]["user_id"], "bucket": rows[0]["bucket"]} for rows in data]
    _walk(keys[:1], raw)  # warm up: page cache, statement caches, prepared statements
    _walk(keys[:1], ours)
    ours_total, raw_total = Rate(), Rate()
    for _ in range(passes):
        raw_total += _walk(keys, raw)
        ours_total += _walk(keys, ours)
    how = f"{PAGE} rows/page of {PARTITION_ROWS}-row partitions, newest first, by cursor to the end, 1 caller"
    key, operation = f"{engine}_page_read", f"{engine} page read"
    return ReadLine(key, operation, ours_total, raw_total, FEED_PAGE, how, "pages")


def _ours_reader(store: ReadStore) -> PageReader:
    return lambda partition, cursor: store.page(FEED, partition, limit=PAGE, cursor=cursor).cursor


# -- SQLite -------------------------------------------------------------------------------

_RAW_UPSERT = """
INSERT INTO bench_feed VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, NULL)
ON CONFLICT (user_id, bucket, created_at, video_id) DO UPDATE SET author_id = excluded.author_id,
    title = excluded.title, duration_ms = excluded.duration_ms, _ts = excluded._ts, _deleted = 0,
    _expires_at = NULL
WHERE excluded._ts > bench_feed._ts OR (excluded._ts = bench_feed._ts AND bench_feed._deleted = 0)
"""
_RAW_PAGE = """
SELECT user_id, bucket, created_at, video_id, author_id, title, duration_ms FROM bench_feed
WHERE user_id = ? AND bucket = ? AND _deleted = 0 AND (_expires_at IS NULL OR _expires_at > ?) {after}
ORDER BY created_at DESC, video_id ASC LIMIT ?
"""
_AFTER = "AND created_at <= ? AND (created_at < ? OR (created_at = ? AND video_id > ?))"


def _raw_connect(path: Path) -> sqlite3.Connection:
    """Autocommit, WAL and ``synchronous=NORMAL``: what ``SQLiteReadStore`` runs with by default."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


def _raw_sqlite_upsert(conn: sqlite3.Connection) -> Callable[[Write], object]:
    def write(item: Write) -> object:
        r, ts = item
        key = (r["user_id"].bytes, r["bucket"], int(r["created_at"].timestamp() * 1000), r["video_id"].bytes)
        return conn.execute(_RAW_UPSERT, (*key, r["author_id"].bytes, r["title"], r["duration_ms"], ts))

    return write


def _raw_sqlite_reader(conn: sqlite3.Connection) -> PageReader:
    def read(partition: Row, last: Cursor) -> Cursor:
        params = [partition["user_id"].bytes, partition["bucket"], time.time_ns() // 1_000_000]
        params += [] if last is None else [last[0], last[0], last[0], last[1]]
        query = _RAW_PAGE.format(after="" if last is None else _AFTER)
        found = conn.execute(query, [*params, PAGE + 1]).fetchall()
        return (found[PAGE - 1][2], found[PAGE - 1][3]) if len(found) > PAGE else None

    return read


def sqlite_lines(sizes: Sizes, folder: Path) -> list[ReadLine]:
    store = SQLiteReadStore(folder / "read.db")
    try:
        store.create_table(FEED)
        return [_sqlite_writes(sizes, store, folder / "raw.db"), _sqlite_reads(sizes, store)]
    finally:
        store.close()


def _sqlite_writes(sizes: Sizes, store: SQLiteReadStore, raw_path: Path) -> ReadLine:
    raw = _raw_connect(raw_path)
    try:
        raw.execute(sqlite_sql.create_table(FEED))  # setup only: the very same table layout
        ours, limit = alternate(
            _writes(sizes.sqlite_writes),
            lambda chunk: _sequential(chunk, lambda w: store.upsert(FEED, w[0], timestamp=w[1])),
            lambda chunk: _sequential(chunk, _raw_sqlite_upsert(raw)),
            ROUNDS,
        )
    finally:
        raw.close()
    how = "1 row/call, each its own transaction; raw: INSERT … ON CONFLICT DO UPDATE … WHERE newer"
    rebuild = Target(per_s=50_000, source="rebuild into SQLite, indirect")
    return ReadLine("sqlite_row_write", "sqlite row write", ours, limit, rebuild, how, "rows")


def _sqlite_reads(sizes: Sizes, store: SQLiteReadStore) -> ReadLine:
    """Both sides read the adapter's own file, so they walk the very same rows."""
    data = _partitions(sizes.sqlite_partitions)
    for rows in data:
        store.batch(FEED, [Upsert(row, 1) for row in rows])
    raw = _raw_connect(store.path)
    try:
        return _read_line("sqlite", data, sizes.read_passes, _ours_reader(store), _raw_sqlite_reader(raw))
    finally:
        raw.close()


# -- Cassandra ----------------------------------------------------------------------------

_CQL_COLUMNS = "user_id, bucket, created_at, video_id, author_id, title, duration_ms"
_CQL_UPSERT = f"INSERT INTO {{ks}}.bench_feed ({_CQL_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?"
_CQL_PAGE = f"SELECT {_CQL_COLUMNS} FROM {{ks}}.bench_feed WHERE user_id = ? AND bucket = ?"


def _node(*args: str) -> None:
    """The script says what it did; a node that will not start ends the run, naming the way out."""
    done = subprocess.run([sys.executable, str(NODE_SCRIPT), *args], check=False)
    if done.returncode != 0 and args[0] == "start":
        raise SystemExit("Cassandra did not start (see above); --no-cassandra runs SQLite alone")


def _prepare(store: CassandraReadStore, text: str, operation: str) -> Any:
    """On the adapter's own session (policy, row factory, timeouts), at the adapter's consistency."""
    prepared = store.connect().prepare(text.format(ks=store.keyspace))
    prepared.consistency_level = getattr(ConsistencyLevel, store.config.level(operation))
    return prepared


def _cql_values(item: Write) -> tuple[Any, ...]:
    return (*(item[0][name] for name in FEED.names), item[1])


def _raw_cql_upsert(store: CassandraReadStore) -> Callable[[Write], object]:
    session, prepared = store.connect(), _prepare(store, _CQL_UPSERT, "upsert")
    return lambda item: session.execute(prepared, _cql_values(item))


def _raw_cql_reader(store: CassandraReadStore) -> PageReader:
    session, prepared = store.connect(), _prepare(store, _CQL_PAGE, "page")

    def read(partition: Row, state: Cursor) -> Cursor:
        bound = prepared.bind((partition["user_id"], partition["bucket"]))
        bound.fetch_size = PAGE
        return session.execute(bound, paging_state=state).paging_state

    return read


def _raw_pipelined(store: CassandraReadStore, writes: Sequence[Write]) -> Rate:
    """Not a port operation: how fast the node takes rows from one client that keeps many in flight."""
    session, prepared = store.connect(), _prepare(store, _CQL_UPSERT, "upsert")
    start = time.perf_counter()
    execute_concurrent_with_args(session, prepared, [_cql_values(w) for w in writes], concurrency=PIPELINE)
    return Rate(len(writes), time.perf_counter() - start)


def cassandra_lines(sizes: Sizes) -> list[ReadLine]:
    """The node ``STROM_TEST_CASSANDRA`` names (whoever started it stops it), else one started here
    if none answers; a keyspace of our own; undone in reverse, whatever happens."""
    with contextlib.ExitStack() as undo:
        address = os.environ.get("STROM_TEST_CASSANDRA")
        if not address:
            undo.callback(_node, "stop", "--if-started")
            _node("start", "--if-needed")
            address = f"127.0.0.1:{os.environ.get('CASSANDRA_PORT', '9042')}"
        keyspace = f"strom_bench_{uuid.uuid4().hex[:12]}"
        store = CassandraReadStore.from_url(f"cassandra://{address}/{keyspace}?replication=simple:1")
        undo.callback(store.close)
        store.ensure_keyspace()
        undo.callback(store.drop_keyspace)
        store.create_table(FEED)
        return _cassandra_measure(sizes, store)


def _cassandra_measure(sizes: Sizes, store: CassandraReadStore) -> list[ReadLine]:
    raw = _raw_cql_upsert(store)

    def ours(item: Write) -> None:
        store.upsert(FEED, item[0], timestamp=item[1])

    warm_up = _writes(max(200, sizes.cassandra_writes // 3))  # connections, prepared statements, the JIT
    _sequential(warm_up, raw)
    _sequential(warm_up, ours)
    single = alternate(
        _writes(sizes.cassandra_writes), lambda c: _sequential(c, ours), lambda c: _sequential(c, raw), ROUNDS
    )
    threads = alternate(
        _writes(sizes.threaded_writes), lambda c: _threaded(c, ours), lambda c: _threaded(c, raw), ROUNDS
    )
    pipelined = _raw_pipelined(store, _writes(sizes.threaded_writes))
    data = _partitions(sizes.cassandra_partitions)
    _threaded([(row, 1) for rows in data for row in rows], ours)
    rebuild = Target(per_s=20_000, source="rebuild into Cassandra, indirect")
    how = "1 row/call, USING TIMESTAMP, LOCAL_QUORUM; raw: session.execute(prepared, values)"
    return [
        ReadLine("cassandra_row_write", "cassandra row write", *single, rebuild, how, "rows"),
        ReadLine("cassandra_row_write_threads", f"cassandra row write x{THREADS}", *threads, rebuild,
                 f"{THREADS} threads sharing one store (one session); {how}", "rows", pipelined),
        _read_line("cassandra", data, sizes.read_passes, _ours_reader(store), _raw_cql_reader(store)),
    ]  # fmt: skip


# -- reporting ----------------------------------------------------------------------------


def _table(lines: Sequence[ReadLine]) -> str:
    notes = [f"{x.operation}: raw driver pipelining, {PIPELINE} in flight: {x.beyond.per_s:,.0f} {x.unit}/s"
             for x in lines if x.beyond]  # fmt: skip
    text = table(lines, limit="raw limit", target="DESIGN target")
    return "\n".join([text, *([""] if notes else []), *notes])


def report(lines: Sequence[ReadLine], sizes: Sizes, quick: bool) -> dict[str, Any]:
    extra = {
        "cassandra_driver": cassandra.__version__,
        "load_average_at_end": os.getloadavg(),
        "threads": THREADS,
    }
    return {
        "benchmark": "read_store",
        "mode": "quick" if quick else "full",
        "machine": machine() | extra,
        "sizes": dataclasses.asdict(sizes) | {"page": PAGE, "partition_rows": PARTITION_ROWS},
        "operations": {x.key: x.as_dict() for x in lines},
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.read_store", description=DESCRIPTION)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"JSON results (default {DEFAULT_OUT})")
    parser.add_argument("--no-cassandra", action="store_true", help="SQLite only; no node is started")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    with tempfile.TemporaryDirectory(prefix="strom-bench-") as folder:
        lines = sqlite_lines(sizes, Path(folder))
    if not args.no_cassandra:
        lines += cassandra_lines(sizes)
    print(_table(lines))
    save(args.out, report(lines, sizes, args.quick))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
