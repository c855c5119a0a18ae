"""A three-node Cassandra cluster (replication 3, QUORUM reads and writes) loses a node to SIGKILL while
events are appended and every projector runs into it: nothing fails, nothing is lost, reads stay
correct with two nodes of three, and the node, restarted, catches up.

Catching up takes two steps, as in production. The hints its peers kept bring it the writes they could
not deliver to it. They are no guarantee: in one of two runs here, with every hint delivered, the
restarted node still lacked a few updates made around the moment it was killed (a QUORUM write that the
two others acknowledged while its own copy was still on its way to, or inside, the dying process leaves
no hint anywhere). ``nodetool repair`` on the restarted node brings those back from the replicas that
have them; without it, this test finds them missing now and then.

It needs the cluster of scripts/cassandra_cluster.py (``make test`` starts it; ``make cassandra-cluster``
by hand) named by ``STROM_TEST_CASSANDRA_CLUSTER=127.0.0.11,127.0.0.12,127.0.0.13``, and is skipped
without it, unless ``STROM_REQUIRE_CASSANDRA_CLUSTER=1``: then a missing cluster fails the run. The test
kills and restarts nodes through that script, and leaves every node running as it found them.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pytest
from cassandra.cluster import EXEC_PROFILE_DEFAULT, Cluster, ExecutionProfile, Session
from cassandra.policies import WhiteListRoundRobinPolicy
from cassandra.query import tuple_factory

from domain.events import DomainEvent
from eventstore.codec import EventCodec
from eventstore.keystore import SQLiteKeyStore
from eventstore.sealing import Sealer
from eventstore.sqlite import SQLiteEventStore
from migrations.runner import apply_pending
from projections import registry
from projections.projector import Projector
from projections.rebuild import live_or_first
from projections.runner import Runner
from projections.supervisor import Supervisor
from read_models import live, projection_state
from read_models.cassandra import CassandraReadStore
from read_models.cassandra_config import CassandraConfig, parse_url
from read_models.errors import RetryableError
from read_models.port import ReadStore
from read_models.sqlite import SQLiteReadStore
from read_models.tables import Row
from tests.integration.log_builder import append_log, build_log, snapshot

ROOT = Path(__file__).resolve().parents[2]
CLUSTER_SCRIPT = ROOT / "scripts" / "cassandra_cluster.py"
CLUSTER_ENV = "STROM_TEST_CASSANDRA_CLUSTER"
REQUIRE_ENV = "STROM_REQUIRE_CASSANDRA_CLUSTER"
SEED = 20_261
#: Events appended before the node is lost, and while it is down: every projector reads rows back per
#: event at QUORUM, a round trip to two nodes, and three nodes share two cores.
BEFORE, DURING = 600, 900
CHUNK = 50
#: Seconds into the appends made while the node is lost (they take about 9 s) that it is killed.
KILL_AFTER_S = 3.0
#: How long the checkpoints may stand still: creating a table waits for all three nodes to agree.
PATIENCE_S = 180.0
#: Hints reach the disk every 10 s (``hints_flush_period``). Every 10 s, each node closes the hint file it
#: is writing for a node that is up, and sends that node the files closed before; ``nodetool
#: listpendinghints`` lists closed files only. So two rounds after the node is back, whatever is still
#: listed is all there is left to send.
HINT_ROUNDS_S = 25.0
HINTS_S = 120.0

Snapshot = dict[str, dict[str, list[Row]]]
T = TypeVar("T")


@pytest.fixture
def hosts() -> list[str]:
    named = os.environ.get(CLUSTER_ENV, "").strip()
    if not named:
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{REQUIRE_ENV}=1 but {CLUSTER_ENV} is unset: no cluster to lose a node of")
        pytest.skip(f"{CLUSTER_ENV} is not set (e.g. 127.0.0.11,127.0.0.12,127.0.0.13): no Cassandra cluster")
    found = [host.strip() for host in named.split(",")]
    assert len(found) == 3, f"{CLUSTER_ENV} names {len(found)} nodes; the test needs three"
    return found


@pytest.fixture
def store(hosts: list[str]) -> Iterator[CassandraReadStore]:
    keyspace = f"strom_cluster_{uuid.uuid4().hex[:12]}"
    url = f"cassandra://{','.join(hosts)}:9042/{keyspace}?replication=simple:3&consistency=QUORUM"
    opened = CassandraReadStore.from_url(url)
    opened.ensure_keyspace()
    try:
        yield opened
    finally:
        try:
            _cluster("start")  # whatever the test left down
            opened.drop_keyspace()
        finally:
            opened.close()


def test_losing_one_node_of_three_loses_no_request_no_event_and_no_row(
    store: CassandraReadStore, hosts: list[str], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Given every projector running into a three-node cluster, and commands appending events
    apply_pending(store)
    keys = SQLiteKeyStore(tmp_path / "keys.db")
    events = SQLiteEventStore(tmp_path / "events.db", sync="normal")
    codec = EventCodec(Sealer(keys))
    log = build_log(SEED, BEFORE + DURING)
    supervisor = Supervisor(registry.ALL, events=events, codec=codec, store=store)
    caplog.set_level(logging.WARNING, logger="strom.projections")
    victim, survivors = hosts[-1], hosts[:-1]
    _lap("start", first=True)
    try:
        supervisor.start()
        head = _append_slowly(events, codec, log[:BEFORE])
        _wait_for(store, lambda done: min(done.values()) == head)
        _lap(f"{head} events appended and projected by three nodes")

        # When one node is killed while commands append and projectors project, readers reading
        # all the while, and the appending goes on while it is down
        with _Readers(store) as readers, ThreadPoolExecutor(1) as commands:
            appending = commands.submit(_append_slowly, events, codec, log[BEFORE:], pause_s=0.5)
            time.sleep(KILL_AFTER_S)
            _cluster("kill", victim)
            _lap(f"{victim} killed")
            head = appending.result()
            _wait_for(store, lambda done: min(done.values()) == head)
        _lap(
            f"{head} events appended and projected, {readers.reads} QUORUM reads "
            f"({readers.retried} retried, as a client retries the 503 a timeout gives)"
        )
        # Then no read failed beyond retries, and no projector failed
        assert readers.failures == [], readers.failures[:3]
        assert readers.reads > 0
        for projector in registry.ALL:
            for state in projection_state.states_of(
                store, projector.name, live_or_first(store, projector).label
            ):
                assert state.status != projection_state.FAILED, (projector.name, state.error)
        # and every table, read with two nodes of three, equals a clean rebuild of the same log
        # that no failure touched (on SQLite, which keeps exactly what Cassandra keeps)
        expected = _rebuild_clean(tmp_path, events, codec, head)
        assert _snapshots(store) == expected
        _lap("the rows read by two nodes equal a clean rebuild's")
        retries = [r.getMessage() for r in caplog.records if r.name == "strom.projections"]
        print(f"{len(retries)} store failure(s) retried by the supervisor: {retries[:3]}")
    finally:
        supervisor.stop()
        events.close()
        keys.close()

    # When the node comes back, its peers hand it the hints they kept for it, and it is repaired
    _cluster("restart", victim)
    _wait_hints_delivered(survivors)
    _lap(f"{victim} restarted; its peers have no hints left")
    _cluster("nodetool", victim, "repair", "--full", store.keyspace)
    _lap(f"{victim} repaired")
    # Then the node alone, the others stopped, holds every row (consistency ONE, through it only)
    for survivor in survivors:
        _cluster("stop", survivor)
    try:
        with _only(store.config, victim) as alone:
            _wait_down(victim, survivors)
            assert _snapshots(alone) == expected
        _lap(f"{victim} alone, at ONE, holds every row")
    finally:
        _cluster("start")
        _lap("every node up again")


# ---------------------------------------------------------------- the cluster


def _cluster(*args: str) -> str:
    """scripts/cassandra_cluster.py, as an operator runs it; its output."""
    done = subprocess.run(
        [sys.executable, str(CLUSTER_SCRIPT), *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"cassandra_cluster.py {' '.join(args)}: {done.stdout}{done.stderr}"
    return done.stdout


def _wait_hints_delivered(peers: Sequence[str]) -> None:
    """Until no peer has hints left for anyone (``nodetool listpendinghints``), ``HINT_ROUNDS_S`` at the
    earliest."""
    began = time.monotonic()
    deadline = began + HINTS_S
    pending = list(peers)
    while pending or time.monotonic() - began < HINT_ROUNDS_S:
        pending = [
            p
            for p in peers
            if "does not have any pending hints" not in _cluster("nodetool", p, "listpendinghints")
        ]
        assert time.monotonic() < deadline, f"{pending} still have hints after {HINTS_S:.0f} s"
        time.sleep(1.0)


def _wait_down(observer: str, down: Sequence[str]) -> None:
    """Until ``observer`` marks every one of ``down`` Down: till then it may still send reads to them."""
    deadline = time.monotonic() + PATIENCE_S
    while True:
        status = _cluster("nodetool", observer, "status")
        marked = set(re.findall(r"^D[NLJM]\s+(\S+)", status, flags=re.MULTILINE))
        if marked >= set(down):
            return
        assert time.monotonic() < deadline, f"{observer} does not see {down} down: {status}"
        time.sleep(1.0)


class _OnlyNode(CassandraReadStore):
    """The read store with every request sent to one node, which coordinates it alone."""

    def __init__(self, config: CassandraConfig, host: str) -> None:
        super().__init__(config)
        self._host = host

    def _open(self) -> Session:
        only = ExecutionProfile(
            load_balancing_policy=WhiteListRoundRobinPolicy([self._host]),
            request_timeout=self.config.request_timeout_s,
            row_factory=tuple_factory,
        )
        cluster = Cluster(
            contact_points=[self._host],
            port=self.config.endpoints[0][1],
            execution_profiles={EXEC_PROFILE_DEFAULT: only},
        )
        self._cluster = cluster
        return cluster.connect()


@contextmanager
def _only(config: CassandraConfig, host: str) -> Iterator[CassandraReadStore]:
    """The keyspace of ``config`` read at consistency ONE through ``host`` alone."""
    where = ",".join(f"{h}:{p}" for h, p in config.endpoints)
    store = _OnlyNode(parse_url(f"cassandra://{where}/{config.keyspace}?consistency=ONE"), host)
    try:
        yield store
    finally:
        store.close()


# ---------------------------------------------------------------- the platform


def _append_slowly(
    events: SQLiteEventStore, codec: EventCodec, log: Sequence[DomainEvent], *, pause_s: float = 0.2
) -> int:
    """The log in small appends, spread out as commands would be; the head position."""
    head = 0
    for start in range(0, len(log), CHUNK):
        head = append_log(events, codec, log[start : start + CHUNK], chunk=CHUNK)
        time.sleep(pause_s)
    return head


def _checkpoints(store: ReadStore) -> dict[str, int]:
    found = {}
    for projector in registry.ALL:
        build = live.live_build(store, projector.name)
        found[projector.name] = (
            0 if build is None else projection_state.checkpoint_of(store, projector.name, build.label)
        )
    return found


def _wait_for(store: ReadStore, done: Callable[[dict[str, int]], bool]) -> None:
    """Polls the checkpoints until ``done(checkpoints)``; fails if they stop moving."""
    deadline, before = time.monotonic() + PATIENCE_S, 0
    while not done(checkpoints := _checkpoints(store)):
        if sum(checkpoints.values()) > before:
            deadline, before = time.monotonic() + PATIENCE_S, sum(checkpoints.values())
        assert time.monotonic() < deadline, f"stuck at {checkpoints} for {PATIENCE_S}s"
        time.sleep(0.2)


def _rebuild_clean(folder: Path, events: SQLiteEventStore, codec: EventCodec, head: int) -> Snapshot:
    """Every projector run over the log up to ``head`` into a new SQLite read store; their rows."""
    clean = SQLiteReadStore(folder / "clean.db")
    try:
        apply_pending(clean)
        for projector in registry.ALL:
            build = live_or_first(clean, projector)
            Runner(projector, events=events, codec=codec, store=clean, build=build).run(until=head)
        rows = _snapshots(clean)
    finally:
        clean.close()
    for name, tables in rows.items():
        assert sum(len(found) for found in tables.values()) > 0, f"{name}: the log gave it no row"
    return rows


def _live_rows(store: ReadStore, projector: Projector) -> dict[str, list[Row]]:
    return snapshot(store, projector, live_or_first(store, projector))


def _snapshots(store: ReadStore) -> Snapshot:
    """Every projector's rows in its live build."""
    return {projector.name: _live_rows(store, projector) for projector in registry.ALL}


def _retrying(read: Callable[[], T], counter: list[int] | None = None) -> T:
    """``read`` again after each retryable failure (a timeout, too few replicas) for up to
    ``PATIENCE_S``, as a client retries a 503; any other failure, or one that lasts, is raised."""
    deadline = time.monotonic() + PATIENCE_S
    while True:
        try:
            return read()
        except RetryableError:
            if time.monotonic() > deadline:
                raise
            if counter is not None:
                counter.append(1)
            time.sleep(0.5)


_began = [time.monotonic()]


def _lap(what: str, *, first: bool = False) -> None:
    """What the test has got to, and when (``pytest -s`` shows it): where the minutes go."""
    if first:
        _began[0] = time.monotonic()
    print(f"[{time.monotonic() - _began[0]:6.1f} s] {what}", flush=True)


class _Readers:
    """A thread reading every projector's rows at QUORUM until stopped, counting the reads retried and
    those that failed anyway."""

    def __init__(self, store: ReadStore) -> None:
        self.store = store
        self.reads = 0
        self._retries: list[int] = []
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="readers", daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for projector in registry.ALL:
                try:
                    _retrying(functools.partial(_live_rows, self.store, projector), self._retries)
                    self.reads += 1
                except Exception as exc:  # every failure is a finding, whatever its type
                    self.failures.append(f"{projector.name}: {type(exc).__name__}: {exc}")
            self._stop.wait(0.5)

    @property
    def retried(self) -> int:
        return len(self._retries)

    def __enter__(self) -> _Readers:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(60)
