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
import os
import platform
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import orjson

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


# -- results ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Rate:
    """Events handled in a time; latencies (seconds, one per call) only where calls are timed."""

    events: int
    seconds: float
    latencies: tuple[float, ...] = ()

    def __add__(self, other: Rate) -> Rate:
        latencies = self.latencies + other.latencies
        return Rate(self.events + other.events, self.seconds + other.seconds, latencies)

    @property
    def per_s(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0

    def percentile_ms(self, p: float) -> float | None:
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    def as_dict(self) -> dict[str, Any]:
        return {
            "events": self.events,
            "seconds": round(self.seconds, 4),
            "events_per_s": round(self.per_s, 1),
            "p50_ms": _round(self.percentile_ms(50)),
            "p99_ms": _round(self.percentile_ms(99)),
        }


@dataclasses.dataclass(frozen=True, slots=True)
class Target:
    """A row of DESIGN.md section 11, so the verdict is printed next to the measurement."""

    events_per_s: float
    p99_ms: float | None = None

    def met_by(self, rate: Rate) -> bool:
        p99 = rate.percentile_ms(99)
        fast_enough = self.p99_ms is None or (p99 is not None and p99 <= self.p99_ms)
        return rate.per_s >= self.events_per_s and fast_enough

    def __str__(self) -> str:
        text = f">= {self.events_per_s:,.0f}/s"
        return text if self.p99_ms is None else f"{text}, p99 <= {self.p99_ms:g} ms"


@dataclasses.dataclass(frozen=True, slots=True)
class Line:
    """One operation measured both ways; ``key`` names it in the JSON, ``operation`` in the table."""

    key: str
    operation: str
    ours: Rate
    raw: Rate
    target: Target
    how: str

    @property
    def met(self) -> bool:
        return self.target.met_by(self.ours)

    @property
    def ratio(self) -> float:
        return self.ours.per_s / self.raw.per_s if self.raw.per_s else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "how": self.how,
            "ours": self.ours.as_dict(),
            "raw_limit": self.raw.as_dict(),
            "ratio": round(self.ratio, 3),
            "target": {"events_per_s": self.target.events_per_s, "p99_ms": self.target.p99_ms},
            "met": self.met,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


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


def _alternate(
    items: Sequence[Any], ours: Callable[[Sequence[Any]], Rate], raw: Callable[[Sequence[Any]], Rate]
) -> tuple[Rate, Rate]:
    ours_total, raw_total = Rate(0, 0.0), Rate(0, 0.0)
    for chunk in _chunks(items, ROUNDS):
        raw_total += raw(chunk)
        ours_total += ours(chunk)
    return ours_total, raw_total


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
    ours, limit = _alternate(
        _new_events(sizes.singles),
        lambda chunk: _ours_single(store, chunk),
        lambda chunk: _raw_single(raw, _raw_events(chunk)),
    )
    how = "1 event/call, each to a new stream with NO_STREAM; raw: 1 INSERT/transaction"
    return Line("single_append", "single append", ours, limit, Target(5_000, 5.0), how)


def _batched_line(sizes: Sizes, store: SQLiteEventStore, raw: sqlite3.Connection) -> Line:
    batches = list(_chunks(_new_events(sizes.batches * sizes.batch_size), sizes.batches))
    ours, limit = _alternate(
        batches,
        lambda chunk: _ours_batches(store, chunk),
        lambda chunk: _raw_batches(raw, [_raw_events(b) for b in chunk]),
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


def machine() -> dict[str, Any]:
    return {
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _cell(rate: Rate) -> str:
    p50, p99 = rate.percentile_ms(50), rate.percentile_ms(99)
    text = f"{rate.per_s:,.0f}/s"
    return text if p50 is None or p99 is None else f"{text} (p50 {p50:.2f}, p99 {p99:.2f} ms)"


def table(lines: Sequence[Line]) -> str:
    head = ("operation", "ours", "raw limit", "ratio", "DESIGN target", "met")
    rows = [head] + [
        (x.operation, _cell(x.ours), _cell(x.raw), f"{x.ratio:.2f}", str(x.target), "yes" if x.met else "no")
        for x in lines
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    text = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    text.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(text)


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
    print(table(lines))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(orjson.dumps(report(lines, sizes, args.quick), option=orjson.OPT_INDENT_2))
    print(f"\nresults: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
