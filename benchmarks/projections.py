"""Projection rebuild throughput and live lag, over a synthetic platform's log (``benchmarks.synthetic``).

- Rebuild: each projector of ``projections.registry.ALL`` (whatever is registered), then all of them
  together as the ``Supervisor`` runs them (one subscription for all), from position 0 into a fresh read store
  up to the log's head: SQLite, and Cassandra when a node is named. The rate counts every event of
  the log, handled or not, because a rebuild has to get through all of them. The limit beside it is
  the least any reader does with the same log, measured in the same run: one SELECT cursor and
  ``orjson.loads`` of data and metadata. The ``log read+decode`` line is ours on the input side alone
  (``read_all`` and ``EventCodec.decode``), so the rest of a rebuild's time is the projector's. The
  ``all vs slowest`` line sets all of them together beside the slowest projector alone (DESIGN.md §11:
  at least 0.7 of it).
- Live lag: a ``strom project`` process (the process managers in a ``strom manage`` process beside
  it, as ``deploy/`` runs them) follows a log of the same platform while this one appends its
  next commands one at a time, at a steady rate and durably, as the API does. For every projector
  that handles one of an append's events, the lag is the time from the append's return until that
  projector's checkpoint reaches its position: on SQLite the checkpoint commits with the rows, on
  Cassandra it lands after them, so the rows are visible then. Checkpoints are polled every
  millisecond. The limit is the log's own delivery: a bare subscription receiving the event.
  The projectors share their process and its one subscription; the appender and poller have this one.

Cassandra runs when ``STROM_TEST_CASSANDRA`` (or ``--cassandra``) names a node (``127.0.0.1:9042``),
in fresh keyspaces dropped afterwards, on a log of ``--cassandra-events`` (a one-node rebuild of a
million events takes many minutes on two cores); without a reachable node it is skipped, saying why.
``--profile`` prints where a SQLite rebuild spends its time instead (cProfile).
Run with ``python -m benchmarks.projections [--events N] [--quick] [--lag-seconds S] [--out PATH]
[--no-cassandra]``.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import cProfile
import dataclasses
import itertools
import os
import pstats
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson

from benchmarks import synthetic
from benchmarks.report import Line, Memory, Rate, Target, machine, memory_of, save, table
from eventstore.codec import EventCodec
from eventstore.envelope import RecordedEvent
from eventstore.keystore import SQLiteKeyStore
from eventstore.sealing import Sealer
from eventstore.sqlite import SQLiteEventStore
from migrations.runner import apply_pending
from plumbing.gc_settle import settled
from projections.projector import Projector
from projections.registry import ALL
from projections.runner import Runner
from projections.supervisor import Supervisor
from read_models import projection_state as states
from read_models.live import Build
from read_models.port import MAX_LIMIT, FirstRows, ReadStore
from read_models.sqlite import SQLiteReadStore

DESCRIPTION = "Projection rebuild throughput and live lag over a synthetic log."
DEFAULT_OUT = Path(__file__).parent / "results" / "projections.json"
CASSANDRA_ENV = "STROM_TEST_CASSANDRA"
SQLITE_REBUILD = Target(per_s=50_000, source="rebuild into SQLite")
CASSANDRA_REBUILD = Target(per_s=20_000, source="rebuild into Cassandra (one node)")
VISIBLE = Target(p99_ms=50.0, source="event → visible in read model (live)")
#: All projectors in one process against the slowest of them alone (DESIGN.md §11).
TOGETHER_SHARE = 0.7
POLL_S = 0.001
#: How long a run may wait for projectors to catch up before it calls them stuck.
CATCH_UP_LIMIT_S = 3600.0


@dataclasses.dataclass(frozen=True, slots=True)
class Sizes:
    """How much work a run does; the log sizes are what the JSON reports as measured."""

    events: int
    cassandra_events: int
    lag_base: int
    lag_rate: float
    lag_seconds: float
    read_repeats: int


FULL = Sizes(1_000_000, 50_000, 20_000, 200.0, 10.0, 3)
QUICK = Sizes(20_000, 20_000, 5_000, 200.0, 2.0, 1)


@dataclasses.dataclass(frozen=True, slots=True)
class Opened:
    events: SQLiteEventStore
    codec: EventCodec


@contextlib.contextmanager
def opened(log: synthetic.Log) -> Iterator[Opened]:
    """The log as the API and the projections open it: full sync, so live appends are durable."""
    keys = SQLiteKeyStore(log.keys)
    events = SQLiteEventStore(log.events)
    try:
        yield Opened(events, EventCodec(Sealer(keys)))
    finally:
        events.close()
        keys.close()


# -- read stores ------------------------------------------------------------------------------

StoreOpener = Callable[[], contextlib.AbstractContextManager[ReadStore]]


def sqlite_stores(folder: Path) -> StoreOpener:
    """Each call a fresh, migrated SQLite read store in ``folder``."""

    @contextlib.contextmanager
    def fresh() -> Iterator[ReadStore]:
        store = SQLiteReadStore(folder / f"read-{uuid.uuid4().hex[:8]}.db")
        try:
            apply_pending(store)
            yield store
        finally:
            store.close()
            store.path.unlink(missing_ok=True)

    return fresh


def cassandra_stores(address: str) -> StoreOpener:
    """Each call a fresh, migrated keyspace (SimpleStrategy, RF 1) on the node, dropped afterwards."""
    from read_models.cassandra import CassandraReadStore

    @contextlib.contextmanager
    def fresh() -> Iterator[ReadStore]:
        keyspace = f"strom_bench_{uuid.uuid4().hex[:12]}"
        store = CassandraReadStore.from_url(f"cassandra://{address}/{keyspace}?replication=simple:1")
        try:
            store.ensure_keyspace()
            apply_pending(store)
            yield store
        finally:
            with contextlib.suppress(Exception):
                store.drop_keyspace()
            store.close()

    return fresh


def cassandra_address(given: str | None) -> tuple[str | None, str]:
    """The node to use and, without one, why Cassandra is skipped."""
    address = given or os.environ.get(CASSANDRA_ENV, "").strip()
    if not address:
        return None, f"no node named: set {CASSANDRA_ENV}=host:port (e.g. 127.0.0.1:9042) or --cassandra"
    try:
        with cassandra_stores(address)():
            return address, ""
    except Exception as exc:
        return None, f"no node reachable at {address}: {exc!r}"


# -- reading the log --------------------------------------------------------------------------


def raw_read(path: Path) -> Rate:
    """One cursor over the log, both JSON columns parsed: what any reader has to do at least."""
    conn = sqlite3.connect(path)
    try:
        start, count = time.perf_counter(), 0
        for row in conn.execute(
            "SELECT position, stream, type, data, metadata FROM events ORDER BY position"
        ):
            orjson.loads(row[3])
            orjson.loads(row[4])
            count += 1
        return Rate(count, time.perf_counter() - start)
    finally:
        conn.close()


def ours_read(log: synthetic.Log) -> Rate:
    with opened(log) as o:
        start, count = time.perf_counter(), 0
        for record in o.events.read_all():
            o.codec.decode(record)
            count += 1
        return Rate(count, time.perf_counter() - start)


def median(measure: Callable[[], Rate], repeats: int) -> Rate:
    runs = sorted((measure() for _ in range(repeats)), key=lambda r: r.per_s)
    return runs[len(runs) // 2]


def type_counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return dict(conn.execute("SELECT type, count(*) FROM events GROUP BY type").fetchall())
    finally:
        conn.close()


def handled(projector: Projector, counts: dict[str, int]) -> int:
    return sum(counts.get(t, 0) for t in projector.handles)


# -- rebuild ----------------------------------------------------------------------------------


def rebuild_one(projector: Projector, log: synthetic.Log, store: ReadStore) -> Rate:
    """What ``projections.rebuild`` times: its runner from 0 to the head (not the parity check after),
    the collector settled as ``strom projections rebuild`` settles it."""
    with opened(log) as o, settled():
        head = o.events.head_position()
        runner = Runner(
            projector, events=o.events, codec=o.codec, store=store, build=Build(projector.version), fresh=True
        )
        runner.prepare()
        start = time.perf_counter()
        runner.run(until=head)
        return Rate(head, time.perf_counter() - start)


def rebuild_all(projectors: Sequence[Projector], log: synthetic.Log, store: ReadStore) -> Rate:
    """The supervisor on a fresh store, as ``strom project`` starts (the collector settled), until every
    projector reached the head."""
    with opened(log) as o, settled():
        head = o.events.head_position()
        supervisor = Supervisor(projectors, events=o.events, codec=o.codec, store=store)
        start = time.perf_counter()
        supervisor.start()
        try:
            wait_for(store, projectors, head, poll_s=0.02)
            return Rate(head, time.perf_counter() - start)
        finally:
            supervisor.stop()


def checkpoints(store: ReadStore, projectors: Sequence[Projector]) -> dict[str, int]:
    """Each first build's checkpoint (every store here is fresh), read in one statement, so that a
    poll is one round trip however many projectors there are. A failed projector ends the run."""
    read = FirstRows(states.PROJECTION_STATE, [{"projector": p.name} for p in projectors], limit=MAX_LIMIT)
    found: dict[str, int] = {}
    for projector, rows in zip(projectors, store.first_rows([read])[0], strict=True):
        label = Build(projector.version).label
        row = next((r for r in rows if r["build"] == label and r["part"] == states.WHOLE), None)
        state = states.ProjectionState(**row) if row else states.ProjectionState(projector.name, label)
        if state.status == states.FAILED:
            raise RuntimeError(f"{projector.name} failed at {state.error_position}: {state.error}")
        found[projector.name] = state.position
    return found


def wait_for(store: ReadStore, projectors: Sequence[Projector], position: int, *, poll_s: float) -> None:
    deadline = time.monotonic() + CATCH_UP_LIMIT_S
    while min(checkpoints(store, projectors).values(), default=position) < position:
        if time.monotonic() > deadline:
            raise RuntimeError(f"projectors did not reach position {position} in {CATCH_UP_LIMIT_S:.0f} s")
        time.sleep(poll_s)


def rebuild_lines(
    engine: str, log: synthetic.Log, stores: StoreOpener, target: Target, repeats: int
) -> list[Line]:
    projectors = ALL
    counts = type_counts(log.events)
    limit = median(lambda: raw_read(log.events), repeats)
    size = f"{limit.count:,} events"
    lines = []
    if engine == "sqlite":
        how = f"read_all + EventCodec.decode of {size}; raw: SELECT cursor + orjson.loads of data, metadata"
        ours = median(lambda: ours_read(log), repeats)
        lines.append(Line("log_read_decode", "log read+decode", ours, limit, target, how))
    for projector in projectors:
        with stores() as store:
            ours = rebuild_one(projector, log, store)
        how = f"Runner from 0 to head, {size} ({handled(projector, counts):,} handled); raw: read+decode"
        lines.append(Line(f"{engine}_rebuild_{projector.name}", f"{engine} rebuild {projector.name}", ours,
                          limit, target, how))  # fmt: skip
        print(f"  {lines[-1].operation}: {ours.cell()}", flush=True)
    with stores() as store:
        ours = rebuild_all(projectors, log, store)
    how = f"Supervisor, {len(projectors)} projectors, one subscription, fresh store, to the head of {size}"
    lines.append(Line(f"{engine}_rebuild_all", f"{engine} rebuild all", ours, limit, target, how))
    print(f"  {lines[-1].operation}: {ours.cell()}", flush=True)
    slowest = min(lines[1 if engine == "sqlite" else 0 : -1], key=lambda line: line.ours.per_s)
    bar = Target(
        per_s=TOGETHER_SHARE * slowest.ours.per_s, source="all projectors ≥ 0.7 of the slowest alone"
    )
    how = f"all together (rebuild all) against the slowest alone ({slowest.operation}), same run"
    lines.append(Line(f"{engine}_all_vs_slowest", f"{engine} all vs slowest", ours, slowest.ours, bar, how))
    print(f"  {lines[-1].operation}: {lines[-1].ratio:.2f} of {slowest.operation}", flush=True)
    return lines


# -- live lag ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Pending:
    """An append made live: where it landed, when it returned, which projectors handle its events."""

    position: int
    appended_at: float
    concerns: frozenset[str]


#: Where ``Lags.visible`` keeps the lag until every projector an append concerns showed it.
EVERYWHERE = "all"


@dataclasses.dataclass(slots=True)
class Lags:
    """Seconds from an append's return until it was visible, by projector (and ``EVERYWHERE``) and
    position, and until a bare subscription received it (the limit)."""

    seconds: float = 0.0
    appended: list[Pending] = dataclasses.field(default_factory=list)
    visible: dict[str, dict[int, float]] = dataclasses.field(default_factory=dict)
    delivered: dict[int, float] = dataclasses.field(default_factory=dict)
    #: The ``strom project`` process's memory at the end: caught up on the base log, then live.
    memory: Memory | None = None

    def seen(self, name: str, pending: Pending, now: float) -> None:
        self.visible.setdefault(name, {})[pending.position] = now - pending.appended_at

    def rates(self, name: str) -> tuple[Rate, Rate]:
        """Ours and the limit over the same appends: those that concern ``name``."""
        ours = self.visible[name]
        limit = [self.delivered[p] for p in ours if p in self.delivered]
        limit_rate = Rate(len(limit), self.seconds, tuple(limit))
        return Rate(len(ours), self.seconds, tuple(ours.values())), limit_rate


@dataclasses.dataclass(frozen=True, slots=True)
class LagLog:
    """A log of ``lag_base`` events, the same platform's next commands, and the versions seen so far."""

    log: synthetic.Log
    live: list[synthetic.Append]
    versions: dict[str, int]

    @classmethod
    def build(cls, folder: Path, sizes: Sizes) -> LagLog:
        items = synthetic.generate(sizes.lag_base * 2, seed=synthetic.SEED + 1)
        versions: dict[str, int] = {}
        folder.mkdir(parents=True)
        synthetic.build(folder, _first_events(items, sizes.lag_base), versions)
        live = list(itertools.islice(items, int(sizes.lag_rate * sizes.lag_seconds)))
        return cls(synthetic.Log(folder), live, versions)


def _first_events(items: Iterator[synthetic.Append], count: int) -> Iterator[synthetic.Append]:
    """Appends from ``items`` until they hold ``count`` events, leaving the rest in ``items``."""
    seen = 0
    for item in items:
        yield item
        seen += len(item.events)
        if seen >= count:
            return


def live_lag(folder: Path, sizes: Sizes, stores: StoreOpener) -> Lags:
    """Caught up first, then measured while the appends come. The projectors run as deployed, in a
    ``strom project`` process of their own (the process managers in another), so the appender and
    the poller here do not share its GIL."""
    lag_log = LagLog.build(folder, sizes)
    with opened(lag_log.log) as o, stores() as store, projecting(lag_log.log, store, folder) as pid:
        wait_for(store, ALL, o.events.head_position(), poll_s=0.02)
        appender = synthetic.Appender(o.events, o.codec, lag_log.versions)
        lags = measure_lag(o, store, appender, lag_log.live, sizes.lag_rate)
        lags.memory = memory_of(pid)
        return lags


@contextlib.contextmanager
def projecting(log: synthetic.Log, store: ReadStore, folder: Path) -> Iterator[int]:
    """Every projector in one ``strom project --no-managers`` process (its pid) and the process
    managers in a ``strom manage`` process, as ``deploy/`` runs them, both stopped (SIGTERM) afterwards."""
    env = {
        **os.environ,
        "STROM_EVENTSTORE_URL": f"sqlite:///{log.events}",
        "STROM_KEYSTORE_URL": f"sqlite:///{log.keys}",
        "STROM_READSTORE_URL": store_url(store),
        "STROM_DATA_DIR": str(folder),
    }
    processes = []
    try:
        for words in (["project", "--no-managers"], ["manage"]):
            with (folder / f"{words[0]}.log").open("wb") as output:
                command = [sys.executable, "-m", "strom", *words]
                processes.append(subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT))
        yield processes[0].pid
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(30)


def store_url(store: ReadStore) -> str:
    """The URL that opens ``store`` in another process."""
    from read_models.cassandra import CassandraReadStore

    if isinstance(store, SQLiteReadStore):
        return f"sqlite:///{store.path}"
    assert isinstance(store, CassandraReadStore), store
    (host, port), *_ = store.config.endpoints
    return f"cassandra://{host}:{port}/{store.keyspace}?replication=simple:1"


def measure_lag(
    o: Opened, store: ReadStore, appender: synthetic.Appender, live: Sequence[synthetic.Append], rate: float
) -> Lags:
    lags, queue, done = Lags(), collections.deque[Pending](), threading.Event()
    received: dict[int, float] = {}
    subscription = o.events.subscribe(after=o.events.head_position())
    listener = threading.Thread(target=_receive, args=(subscription, received), daemon=True)
    writer = threading.Thread(
        target=_append_steadily, args=(appender, live, rate, lags, queue, done), daemon=True
    )
    listener.start()
    writer.start()
    try:
        _follow_checkpoints(store, queue, lags, done)
    finally:
        writer.join()
        subscription.stop()
        listener.join(5)
    lags.delivered = {
        p.position: max(0.0, received[p.position] - p.appended_at)
        for p in lags.appended
        if p.position in received
    }
    return lags


def _receive(subscription: Any, received: dict[int, float]) -> None:
    for item in subscription:
        if isinstance(item, RecordedEvent):
            received[item.position] = time.perf_counter()


def _append_steadily(
    appender: synthetic.Appender,
    live: Sequence[synthetic.Append],
    rate: float,
    lags: Lags,
    queue: collections.deque[Pending],
    done: threading.Event,
) -> None:
    """One command every ``1 / rate`` seconds, on schedule even when one append ran late."""
    try:
        start = time.perf_counter()
        for k, item in enumerate(live):
            time.sleep(max(0.0, start + k / rate - time.perf_counter()))
            position = appender.append(item).position
            types = {e.event_type for e in item.events}
            concerns = frozenset(p.name for p in ALL if types.intersection(p.handles))
            pending = Pending(position, time.perf_counter(), concerns)
            lags.appended.append(pending)
            queue.append(pending)
        lags.seconds = time.perf_counter() - start
    finally:
        done.set()


def _follow_checkpoints(
    store: ReadStore, queue: collections.deque[Pending], lags: Lags, done: threading.Event
) -> None:
    """Polls every projector's checkpoint; an append counts for all it concerns once the last has it."""
    waiting: list[tuple[Pending, set[str]]] = []
    deadline = float("inf")
    while not (done.is_set() and not queue and not waiting):
        while queue:
            pending = queue.popleft()
            waiting.append((pending, set(pending.concerns)))
        positions = checkpoints(store, ALL)
        now = time.perf_counter()
        still = []
        for pending, left in waiting:
            for name in [n for n in left if positions[n] >= pending.position]:
                lags.seen(name, pending, now)
                left.discard(name)
            if left:
                still.append((pending, left))
            elif pending.concerns:
                lags.seen(EVERYWHERE, pending, now)
        waiting = still
        if done.is_set():
            deadline = min(deadline, time.monotonic() + 30)
            if time.monotonic() > deadline:
                raise RuntimeError(f"{len(waiting)} appends never became visible")
        time.sleep(POLL_S)


def lag_lines(engine: str, lags: Lags) -> list[Line]:
    how = "1 command/append, durable, steady rate; lag: append returned → checkpoint at its position"
    lines = []
    for name in [EVERYWHERE, *sorted(set(lags.visible) - {EVERYWHERE})]:
        ours, limit = lags.rates(name)
        what = "the last projector each append concerns" if name == EVERYWHERE else f"appends {name} handles"
        operation, how_here = f"{engine} live lag {name}", f"{what}; {how}"
        lines.append(Line(f"{engine}_lag_{name}", operation, ours, limit, VISIBLE, how_here, "appends"))
        print(f"  {operation}: {ours.cell('appends')}", flush=True)
    if lags.memory is not None:
        print(f"  {engine} projector process: {lags.memory.cell()}", flush=True)
    return lines


# -- profile ----------------------------------------------------------------------------------


def profile(log: synthetic.Log, folder: Path, top: int) -> None:
    """Every projector's SQLite rebuild under cProfile, one after another: where the time goes."""
    stores = sqlite_stores(folder)
    profiler = cProfile.Profile()
    for projector in ALL:
        with stores() as store:
            profiler.enable()
            rebuild_one(projector, log, store)
            profiler.disable()
    stats = pstats.Stats(profiler)
    for order in ("tottime", "cumulative"):
        print(f"\n-- top {top} by {order} --")
        stats.sort_stats(order).print_stats(top)


# -- the run ----------------------------------------------------------------------------------


@dataclasses.dataclass(slots=True)
class Results:
    lines: list[Line] = dataclasses.field(default_factory=list)
    #: Each engine's ``strom project`` process memory at the end of its live run.
    memory: dict[str, Memory] = dataclasses.field(default_factory=dict)

    def live(self, engine: str, lags: Lags) -> None:
        self.lines += lag_lines(engine, lags)
        if lags.memory is not None:
            self.memory[engine] = lags.memory


def run(sizes: Sizes, folder: Path, cassandra: str | None, skipped: str, *, sqlite: bool = True) -> Results:
    results = Results()
    lines = results.lines
    if sqlite:
        log = synthetic.cached(sizes.events)
        print(f"SQLite: rebuild over {sizes.events:,} events", flush=True)
        lines += rebuild_lines("sqlite", log, sqlite_stores(folder), SQLITE_REBUILD, sizes.read_repeats)
        print(f"SQLite: live lag, {sizes.lag_rate:g} appends/s for {sizes.lag_seconds:g} s", flush=True)
        results.live("sqlite", live_lag(folder / "lag-sqlite", sizes, sqlite_stores(folder)))
    if cassandra is None:
        print(f"Cassandra: skipped, {skipped}", flush=True)
        return results
    stores = cassandra_stores(cassandra)
    small = synthetic.cached(sizes.cassandra_events)
    print(f"Cassandra at {cassandra}: rebuild over {sizes.cassandra_events:,} events", flush=True)
    lines += rebuild_lines("cassandra", small, stores, CASSANDRA_REBUILD, sizes.read_repeats)
    print(f"Cassandra: live lag, {sizes.lag_rate:g} appends/s for {sizes.lag_seconds:g} s", flush=True)
    results.live("cassandra", live_lag(folder / "lag-cassandra", sizes, stores))
    return results


def report(results: Results, sizes: Sizes, mode: str, skipped: str) -> dict[str, Any]:
    lines = results.lines
    extra = {"load_average_at_end": os.getloadavg(), "cassandra_skipped": skipped or None}
    return {
        "benchmark": "projections",
        "mode": mode,
        "machine": machine() | extra,
        "sizes": dataclasses.asdict(sizes) | {"seed": synthetic.SEED, "generator": synthetic.VERSION},
        "projectors": [p.name for p in ALL],
        "projector_memory": {engine: m.as_dict() for engine, m in results.memory.items()},
        "operations": {x.key: x.as_dict() for x in lines},
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.projections", description=DESCRIPTION)
    parser.add_argument(
        "--events", type=int, help=f"log size for the SQLite rebuild (default {FULL.events:,})"
    )
    parser.add_argument(
        "--cassandra-events", type=int, help=f"log size for Cassandra (default {FULL.cassandra_events:,})"
    )
    parser.add_argument("--quick", action="store_true", help="small logs and a short lag run: a smoke run")
    parser.add_argument("--lag-seconds", type=float, help="how long the live appends go on")
    parser.add_argument("--lag-base", type=int, help="events in the log the live run starts from")
    parser.add_argument("--cassandra", help=f"host:port of a node (default: ${CASSANDRA_ENV})")
    parser.add_argument("--no-cassandra", action="store_true", help="SQLite only")
    parser.add_argument("--no-sqlite", action="store_true", help="Cassandra only")
    parser.add_argument(
        "--profile", type=int, metavar="TOP", help="print the TOP hot spots of a SQLite rebuild, then stop"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"JSON results (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    events = args.events or sizes.events
    cassandra_events = args.cassandra_events or min(sizes.cassandra_events, events)
    sizes = dataclasses.replace(sizes, events=events, cassandra_events=cassandra_events)
    if args.lag_seconds:
        sizes = dataclasses.replace(sizes, lag_seconds=args.lag_seconds)
    if args.lag_base:
        sizes = dataclasses.replace(sizes, lag_base=args.lag_base)
    with tempfile.TemporaryDirectory(prefix="strom-bench-") as folder:
        if args.profile:
            profile(synthetic.cached(sizes.events), Path(folder), args.profile)
            return 0
        cassandra, skipped = (
            (None, "--no-cassandra") if args.no_cassandra else cassandra_address(args.cassandra)
        )
        results = run(sizes, Path(folder), cassandra, skipped, sqlite=not args.no_sqlite)
    print()
    print(table(results.lines, limit="raw limit", target="DESIGN target"))
    save(args.out, report(results, sizes, "quick" if args.quick else "full", skipped))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
