"""A projector process killed (SIGKILL) at random moments of a long catch-up and restarted each time
ends with exactly the rows of a clean rebuild, table by table: on SQLite and on a real Cassandra node.

This is the exactly-once promise under the harshest crash there is: no handler runs, a batch may be
half sent (on Cassandra, some of its waves), and the next process replays from the last checkpoint.
"""

from __future__ import annotations

import dataclasses
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from eventstore.codec import EventCodec
from eventstore.keystore import SQLiteKeyStore
from eventstore.sealing import Sealer
from eventstore.sqlite import SQLiteEventStore
from migrations.runner import apply_pending
from projections import registry
from projections.rebuild import live_or_first
from projections.runner import Runner
from read_models import live, projection_state
from read_models.live import Build
from read_models.port import ReadStore
from read_models.sqlite import SQLiteReadStore
from tests.contract.read_store_backends import OPENERS, cassandra_address
from tests.integration.log_builder import append_log, build_log, snapshot

ROOT = Path(__file__).resolve().parents[2]
SEED = 20_260
#: Sized for about a minute on two cores: every projector reads rows back per event, a round trip
#: to the node on Cassandra.
EVENTS = {"sqlite": 12_000, "cassandra": 2_500}
KILLS = 4
#: The build the clean rebuild fills beside the one the killed processes filled.
CLEAN = 99
PATIENCE_S = 20.0


@dataclasses.dataclass(frozen=True)
class Target:
    store: ReadStore
    events: int


@pytest.fixture(params=sorted(OPENERS))
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Target]:
    with OPENERS[request.param](tmp_path) as store:
        apply_pending(store)
        yield Target(store, EVENTS[request.param])


def test_a_projector_killed_during_catch_up_ends_with_the_rows_of_a_clean_rebuild(
    target: Target, tmp_path: Path
) -> None:
    # Given a log of realistic size, and `strom project` pointed at it and at the read store
    read_store = target.store
    events = SQLiteEventStore(tmp_path / "events.db", sync="normal")
    keys = SQLiteKeyStore(tmp_path / "keys.db")
    codec = EventCodec(Sealer(keys))
    head = append_log(events, codec, build_log(SEED, target.events))
    env = {
        **os.environ,
        "STROM_EVENTSTORE_URL": f"sqlite:///{tmp_path / 'events.db'}",
        "STROM_KEYSTORE_URL": f"sqlite:///{tmp_path / 'keys.db'}",
        "STROM_READSTORE_URL": _url_of(read_store),
        "STROM_DATA_DIR": str(tmp_path),
    }
    rng = random.Random(SEED)
    try:
        # When the process is killed at random moments of its catch-up, then restarted
        for kill in range(1, KILLS + 1):
            process = _project(env, tmp_path, kill)
            goal = head * len(registry.ALL) * (kill / (KILLS + 1) + rng.uniform(-0.05, 0.05))
            _wait_for(read_store, process, _past(goal))
            time.sleep(rng.uniform(0, 0.05))
            process.send_signal(signal.SIGKILL)
            assert process.wait() == -signal.SIGKILL
            assert min(_checkpoints(read_store).values()) < head, f"kill {kill} came after the catch-up"
        # and the last one runs until every projector has seen the whole log
        process = _project(env, tmp_path, KILLS + 1)
        _wait_for(read_store, process, lambda done: min(done.values()) == head)
        process.terminate()
        assert process.wait(timeout=10) == 0
        # Then every table equals a clean rebuild of the same projector, row for row
        for projector in registry.ALL:
            state = projection_state.load(
                read_store, projector.name, live_or_first(read_store, projector).label, version=0
            )
            assert state.status != projection_state.FAILED, state.error
            clean = Build(projector.version, CLEAN)
            Runner(projector, events=events, codec=codec, store=read_store, build=clean, fresh=True).run(
                until=head
            )
            killed = snapshot(read_store, projector, live_or_first(read_store, projector))
            assert killed == snapshot(read_store, projector, clean), projector.name
            assert sum(len(rows) for rows in killed.values()) > 0, projector.name
    finally:
        events.close()
        keys.close()


def _url_of(store: ReadStore) -> str:
    """The URL a separate process opens the same store by."""
    from read_models.cassandra import CassandraReadStore

    if isinstance(store, SQLiteReadStore):
        return f"sqlite:///{store.path}"
    assert isinstance(store, CassandraReadStore)
    return f"cassandra://{cassandra_address()}/{store.keyspace}?replication=simple:1"


def _project(env: dict[str, str], tmp: Path, run: int) -> subprocess.Popen[bytes]:
    """`strom project` for every registered projector, its output in ``project-<run>.log``."""
    with (tmp / f"project-{run}.log").open("wb") as log:
        command = [sys.executable, "-m", "strom", "project"]
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def _checkpoints(store: ReadStore) -> dict[str, int]:
    """Each projector's checkpoint in its live build (0 before it first ran)."""
    found = {}
    for projector in registry.ALL:
        build = live.live_build(store, projector.name)
        found[projector.name] = (
            0 if build is None else projection_state.checkpoint_of(store, projector.name, build.label)
        )
    return found


def _past(goal: float) -> Callable[[dict[str, int]], bool]:
    """Whether the projectors have applied ``goal`` events between them."""
    return lambda checkpoints: sum(checkpoints.values()) >= goal


def _wait_for(
    store: ReadStore, process: subprocess.Popen[bytes], done: Callable[[dict[str, int]], bool]
) -> None:
    """Polls the checkpoints until ``done(checkpoints)``; fails if the process exits or stalls."""
    deadline, before = time.monotonic() + PATIENCE_S, 0
    while not done(checkpoints := _checkpoints(store)):
        assert process.poll() is None, f"`strom project` exited with {process.returncode}"
        if sum(checkpoints.values()) > before:
            deadline, before = time.monotonic() + PATIENCE_S, sum(checkpoints.values())
        assert time.monotonic() < deadline, f"stuck at {checkpoints} for {PATIENCE_S}s"
        time.sleep(0.01)
