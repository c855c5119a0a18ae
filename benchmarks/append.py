"""Append and `$all` read throughput of the embedded event store, next to raw SQLite.

Each operation runs twice in the same process on the same disk: once through
``SQLiteEventStore`` and once as the least work plain ``sqlite3`` can do for the same
result (the "limit"). The ratio, not the absolute number, says how much our adapter
costs, because a laptop, a CI runner and a VM differ far more than two runs on one.

Single appends put each event in a new stream with ``StreamState.NO_STREAM``, the way
a command creates an aggregate. Both sides run with ``synchronous=FULL``, so every
commit waits for the disk. Run with ``python -m benchmarks.append [--quick] [--out PATH]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

import orjson

from benchmarks.report import Line, Rate, Target, alternate, machine, save, table
from domain.events import DomainEvent
from eventstore.codec import EventCodec
from eventstore.envelope import Metadata, NewEvent, StreamState
from eventstore.ids import uuid7
from eventstore.keystore import SQLiteKeyStore
from eventstore.sealing import Sealer
from eventstore.sqlite import SQLiteEventStore

DESCRIPTION = "Append and $all read throughput of the embedded event store, next to raw SQLite."
DEFAULT_OUT = Path(__file__).parent / "results" / "append.json"
CATEGORY = "benchclip"
#: Alternating rounds, so a disk that slows down during the run hurts both sides alike.
ROUNDS = 4
#: Stands in for the chain hashes the store adds, so raw rows are as large as ours.
FAKE_HASH = "0" * 64


@dataclasses.dataclass(frozen=True, slots=True)
class Sizes:
    """How much work a run does: full for numbers worth quoting, quick for a smoke test."""

    singles: int
    batches: int
    batch_size: int
    read_repeats: int


FULL = Sizes(singles=8_000, batches=200, batch_size=500, read_repeats=3)
QUICK = Sizes(singles=200, batches=4, batch_size=500, read_repeats=1)


@dataclasses.dataclass(frozen=True, slots=True)
class BenchClipPublished(DomainEvent):
    """A realistic ~240-byte event without personal fields, known only to the benchmark's codec."""

    event_type: ClassVar[str] = "BenchClipPublished"

    video_id: str
    author_id: str
    title: str
    duration_ms: int
    tags: list[str]
    visibility: str


# -- workload ---------------------------------------------------------------------------


def _data(i: int) -> dict[str, Any]:
    return {
        "video_id": str(uuid7()),
        "author_id": str(uuid7()),
        "title": f"Clip {i}: sunset over the harbour, shot on a phone",
        "duration_ms": 15_000 + i % 45_000,
        "tags": ["travel", "sunset", "harbour"],
        "visibility": "public",
    }


def _new_events(count: int) -> list[NewEvent]:
    """Built before the clock starts: making ids and timestamps is the caller's work, not the store's."""
    return [
        NewEvent(
            type=BenchClipPublished.event_type,
            data=_data(i),
            metadata=Metadata(actor=str(uuid7()), correlation_id=str(uuid7()), causation_id=str(uuid7())),
        )
        for i in range(count)
    ]


def _stream() -> str:
    return f"{CATEGORY}-{uuid7().hex}"


def _chunks(items: Sequence[Any], parts: int) -> Iterator[Sequence[Any]]:
    step = max(1, -(-len(items) // parts))
    for start in range(0, len(items), step):
        yield items[start : start + step]


# -- raw SQLite limit -------------------------------------------------------------------

_RAW_SCHEMA = """
CREATE TABLE events (
    position INTEGER PRIMARY KEY AUTOINCREMENT, stream TEXT NOT NULL, category TEXT NOT NULL,
    version INTEGER NOT NULL, event_id TEXT NOT NULL UNIQUE, type TEXT NOT NULL,
    schema_version INTEGER NOT NULL, data BLOB NOT NULL, metadata BLOB NOT NULL,
    UNIQUE (stream, version)
);
CREATE INDEX events_by_type ON events (type, position);
"""
_RAW_INSERT = (
    "INSERT INTO events (stream, category, version, event_id, type, schema_version, data, metadata)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
_READ = "SELECT position, stream, version, event_id, type, schema_version, data, metadata FROM events"


def _raw_connect(path: Path) -> sqlite3.Connection:
    """The same table and indexes as the store's log, WAL and full sync, and nothing else."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.executescript(_RAW_SCHEMA)
    return conn


#: What the raw side stores per event, prepared before the clock starts: id, type, data, metadata.
RawEvent = tuple[str, str, dict[str, Any], dict[str, Any]]


def _raw_events(events: Sequence[NewEvent]) -> list[RawEvent]:
    """Metadata as a dict, hash links included, so the raw side only pays for JSON and SQLite."""
    return [
        (e.event_id, e.type, e.data, e.metadata.chained(hash=FAKE_HASH, prev_hash=FAKE_HASH).to_dict())
        for e in events
    ]


def _raw_row(stream: str, version: int, event: RawEvent) -> tuple[Any, ...]:
    event_id, type_, data, meta = event
    return (stream, CATEGORY, version, event_id, type_, 1, orjson.dumps(data), orjson.dumps(meta))


def _raw_single(conn: sqlite3.Connection, events: Sequence[RawEvent]) -> Rate:
    latencies: list[float] = []
    for event in events:
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(_RAW_INSERT, _raw_row(_stream(), 0, event))
        conn.execute("COMMIT")
        latencies.append(time.perf_counter() - start)
    return Rate(len(events), sum(latencies), tuple(latencies))


def _raw_batches(conn: sqlite3.Connection, batches: Sequence[Sequence[RawEvent]]) -> Rate:
    start = time.perf_counter()
    for batch in batches:
        stream = _stream()
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(_RAW_INSERT, [_raw_row(stream, i, e) for i, e in enumerate(batch)])
        conn.execute("COMMIT")
    return Rate(sum(len(b) for b in batches), time.perf_counter() - start)


def _raw_read(path: Path) -> Rate:
    """One cursor over the log, both JSON columns parsed: what any reader has to do at least."""
    conn = sqlite3.connect(path)
    try:
        start = time.perf_counter()
        count = 0
        for row in conn.execute(f"{_READ} ORDER BY position"):
            orjson.loads(row[6])
            orjson.loads(row[7])
            count += 1
        return Rate(count, time.perf_counter() - start)
    finally:
        conn.close()


# -- our store --------------------------------------------------------------------------


def _ours_single(store: SQLiteEventStore, events: Sequence[NewEvent]) -> Rate:
    latencies: list[float] = []
    for event in events:
        start = time.perf_counter()
        store.append(_stream(), [event], StreamState.NO_STREAM)
        latencies.append(time.perf_counter() - start)
    return Rate(len(events), sum(latencies), tuple(latencies))


def _ours_batches(store: SQLiteEventStore, batches: Sequence[Sequence[NewEvent]]) -> Rate:
    start = time.perf_counter()
    for batch in batches:
        store.append(_stream(), batch, StreamState.NO_STREAM)
    return Rate(sum(len(b) for b in batches), time.perf_counter() - start)


def _ours_read(store: SQLiteEventStore, decode: Callable[[Any], object] | None) -> Rate:
    start = time.perf_counter()
    count = 0
    for record in store.read_all():
        if decode is not None:
            decode(record)
        count += 1
    return Rate(count, time.perf_counter() - start)


def _codec(folder: Path) -> tuple[EventCodec, SQLiteKeyStore]:
    """A codec that knows only the benchmark's event, so nothing leaks into the global registry."""
    keys = SQLiteKeyStore(folder / "keys.db")
    types: dict[str, type[DomainEvent]] = {BenchClipPublished.event_type: BenchClipPublished}
    return EventCodec(Sealer(keys), types=types, upcasters={}), keys


# -- the runs ---------------------------------------------------------------------------


def _median_rate(measure: Callable[[], Rate], repeats: int) -> Rate:
    """Reads are CPU-bound and repeatable; the median of a few ignores one unlucky run."""
    runs = sorted((measure() for _ in range(repeats)), key=lambda r: r.per_s)
    return runs[len(runs) // 2]


def run(sizes: Sizes, folder: Path) -> list[Line]:
    store = SQLiteEventStore(folder / "events.db")
    raw = _raw_connect(folder / "raw.db")
    codec, keys = _codec(folder)
    try:
        return _measure(sizes, store, raw, codec)
    finally:
        store.close()
        raw.close()
        keys.close()


def _measure(sizes: Sizes, store: SQLiteEventStore, raw: sqlite3.Connection, codec: EventCodec) -> list[Line]:
    _ours_single(store, _new_events(20))  # warm up: first pages, statement cache
    _raw_single(raw, _raw_events(_new_events(20)))
    return [
        _single_line(sizes, store, raw),
        _batched_line(sizes, store, raw),
        *_read_lines(sizes, store, codec),
    ]


def _single_line(sizes: Sizes, store: SQLiteEventStore, raw: sqlite3.Connection) -> Line:
    ours, limit = alternate(
        _new_events(sizes.singles),
        lambda chunk: _ours_single(store, chunk),
        lambda chunk: _raw_single(raw, _raw_events(chunk)),
        ROUNDS,
    )
    how = "1 event/call, each to a new stream with NO_STREAM; raw: 1 INSERT/transaction"
    return Line("single_append", "single append", ours, limit, Target(5_000, 5.0), how)


def _batched_line(sizes: Sizes, store: SQLiteEventStore, raw: sqlite3.Connection) -> Line:
    batches = list(_chunks(_new_events(sizes.batches * sizes.batch_size), sizes.batches))
    ours, limit = alternate(
        batches,
        lambda chunk: _ours_batches(store, chunk),
        lambda chunk: _raw_batches(raw, [_raw_events(b) for b in chunk]),
        ROUNDS,
    )
    how = f"{sizes.batch_size} events/call, each to a new stream; raw: executemany, 1 batch/transaction"
    return Line("batched_append", "batched append", ours, limit, Target(80_000), how)


def _read_lines(sizes: Sizes, store: SQLiteEventStore, codec: EventCodec) -> list[Line]:
    """The input side of a projection rebuild, so both lines answer to the rebuild target."""
    limit = _median_rate(lambda: _raw_read(store.path), sizes.read_repeats)
    plain = _median_rate(lambda: _ours_read(store, None), sizes.read_repeats)
    decoded = _median_rate(lambda: _ours_read(store, codec.decode), sizes.read_repeats)
    how = "the whole log; raw: one SELECT cursor + orjson.loads of data and metadata"
    rebuild = Target(50_000)
    return [
        Line("read_all", "$all read", plain, limit, rebuild, f"read_all(), {how}"),
        Line("read_all_decode", "$all read+decode", decoded, limit, rebuild, f"+ EventCodec.decode, {how}"),
    ]


# -- reporting --------------------------------------------------------------------------


def report(lines: Sequence[Line], sizes: Sizes, quick: bool) -> dict[str, Any]:
    return {
        "benchmark": "append",
        "mode": "quick" if quick else "full",
        "machine": machine(),
        "sizes": dataclasses.asdict(sizes),
        "operations": {x.key: x.as_dict() for x in lines},
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.append", description=DESCRIPTION)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, a few seconds: a smoke run")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"JSON results (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    with tempfile.TemporaryDirectory(prefix="strom-bench-") as folder:
        lines = run(sizes, Path(folder))
    print(table(lines, limit="raw limit", target="DESIGN target"))
    save(args.out, report(lines, sizes, args.quick))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
