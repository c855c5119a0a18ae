"""Runs several projectors in one process over one subscription: the log is read once, each event
decoded once and handed to every projector that handles it, and each wake-up's rows and checkpoints
are committed together (``projections.runner.Stream``). One that fails stops alone.

Each projector follows its live build. The stream starts with the projectors whose checkpoints are
close together (within ``JOIN_GAP`` of the furthest); one far behind (new, or after a rebuild went
live) runs on its own (a ``Runner``) until it is within ``JOIN_GAP`` of the stream, then joins it, so
the others never wait for its catch-up. A projector whose code version is ahead of the live build (a
bumped version) is rebuilt first, alone; partitioned supervisors wait for that build to go live. When
a rebuild elsewhere switches the live build, the projector leaves the stream and joins again on the
new build. A store that fails for a while is retried from the checkpoints, backing off.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

from eventstore.codec import EventCodec
from eventstore.port import EventStore
from projections.lane import Lane
from projections.projector import Projector
from projections.rebuild import ParityFailed, live_or_first, rebuild
from projections.runner import TRANSIENT, WHOLE, Partition, ProjectorFailed, Runner, Stream
from read_models import live
from read_models import projection_state as states
from read_models.errors import MissingTable
from read_models.port import ReadStore

log = logging.getLogger("strom.projections")
T = TypeVar("T")

WAIT_FOR_BUILD_S = 1.0
RETRY_FIRST_S, RETRY_MAX_S = 0.5, 30.0
#: Events a projector may be behind the stream and still join it; further behind, it catches up alone.
JOIN_GAP = 20_000


class Supervisor:
    def __init__(
        self,
        projectors: Sequence[Projector],
        *,
        events: EventStore,
        codec: EventCodec,
        store: ReadStore,
        partition: Partition = WHOLE,
    ) -> None:
        self.projectors = tuple(projectors)
        self.names = [p.name + ("" if partition == WHOLE else f"#{partition.label}") for p in projectors]
        self._events, self._codec, self._store, self._partition = events, codec, store, partition
        self._runners: dict[str, Runner] = {}
        self._threads: list[threading.Thread] = []
        self._stopped = threading.Event()
        self._stream: Stream | None = None
        self._lock = threading.Lock()
        self._members = len(self.projectors)

    @property
    def stream(self) -> Stream | None:
        return self._stream

    def start(self) -> None:
        self._spawn(self._follow, "projections")

    def _start_stream(self) -> Stream:
        """The stream with the projectors close to each other; the rest catch up alone."""
        ready: dict[Projector, Lane] = {}
        for projector in self.projectors:
            build = live_or_first(self._store, projector)
            if build.version == projector.version:
                ready[projector] = self._lane(projector, build)
                ready[projector].prepare()
        furthest = max((lane.position for lane in ready.values()), default=0)
        leaders = [lane for lane in ready.values() if furthest - lane.position <= JOIN_GAP]
        start = min((lane.position for lane in leaders), default=self._events.head_position())
        self._stream = Stream(
            leaders,
            events=self._events,
            codec=self._codec,
            store=self._store,
            types={t for p in self.projectors for t in p.handles},
            after=start,
            stay_open=True,
            on_leave=self._left,
        )
        for projector in self.projectors:
            if projector not in ready or ready[projector] not in leaders:
                self._spawn(functools.partial(self._catch_up, projector), projector.name)
        return self._stream

    def _lane(self, projector: Projector, build: live.Build) -> Lane:
        return Lane(projector, store=self._store, build=build, partition=self._partition, watch_live=True)

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _retrying(self, step: Callable[[], T]) -> T | None:
        """Runs ``step`` until it returns or the supervisor stops (then ``None``), backing off while
        a store fails."""
        backoff = RETRY_FIRST_S
        while not self._stopped.is_set():
            try:
                return step()
            except TRANSIENT as exc:
                log.warning("projections: %s; retrying in %.1f s", exc, backoff)
                self._stopped.wait(backoff)
                backoff = min(backoff * 2, RETRY_MAX_S)
        return None

    def _follow(self) -> None:
        """The stream, until stopped; after a store failure, again from the checkpoints."""
        stream = self._retrying(self._start_stream)
        while stream is not None and not self._stopped.is_set():
            self._retrying(stream.run)

    def _left(self, lane: Lane) -> None:
        """A lane left the stream: a failed one stays stopped, a retired one joins on the new build."""
        if lane.failure is not None:
            log.error("%s (see `strom projections status`)", lane.failure)
            self._gone()
        elif not self._stopped.is_set():
            self._spawn(functools.partial(self._catch_up, lane.projector), lane.projector.name)

    def _gone(self) -> None:
        """One projector fewer; with none left, the supervisor is done."""
        with self._lock:
            self._members -= 1
            if self._members == 0:
                self._stopped.set()
                if self._stream is not None:
                    self._stream.stop()

    def _catch_up(self, projector: Projector) -> None:
        """Runs the projector alone until it is close to the stream, then hands it over."""
        try:
            while not self._stopped.is_set():
                if self._retrying(lambda: self._catch_up_once(projector)):
                    return
        except (ProjectorFailed, ParityFailed) as exc:
            log.error("%s (see `strom projections status`)", exc)
            self._gone()

    def _catch_up_once(self, projector: Projector) -> bool:
        """One run of the current build towards the stream; says whether it joined the stream."""
        stream = self._stream
        build = self._current_build(projector)
        if build is None or stream is None:
            self._stopped.wait(WAIT_FOR_BUILD_S)
            return False
        runner = Runner(
            projector,
            events=self._events,
            codec=self._codec,
            store=self._store,
            build=build,
            partition=self._partition,
            watch_live=True,
        )
        self._runners[projector.name] = runner
        try:
            state = self._run(runner, until=stream.position)
        finally:
            self._runners.pop(projector.name, None)
        if self._stopped.is_set() or state.status == states.RETIRED:
            return False
        if stream.position - state.position > JOIN_GAP:
            return False
        stream.join(self._lane(projector, build))
        return True

    def _current_build(self, projector: Projector) -> live.Build | None:
        build = live_or_first(self._store, projector)
        if build.version == projector.version:
            return build
        if self._partition != WHOLE:
            return None  # the whole runner, or `strom projections rebuild`, builds the new version
        log.info(
            "%s: version %d is ahead of live build %s; rebuilding",
            projector.name,
            projector.version,
            build.label,
        )
        return rebuild(projector, events=self._events, codec=self._codec, store=self._store).new

    def _run(self, runner: Runner, *, until: int) -> states.ProjectionState:
        try:
            return runner.run(until=until)
        except MissingTable:
            if live.live_build(self._store, runner.projector.name) != runner.build:
                name, label = runner.projector.name, runner.build.label
                return states.ProjectionState(name, label, status=states.RETIRED)
            raise

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stopped.set()
        if self._stream is not None:
            self._stream.stop()
        for runner in list(self._runners.values()):
            runner.stop()
        for thread in list(self._threads):
            thread.join(timeout_s)

    def wait(self) -> None:
        while True:
            threads = [t for t in self._threads if t.is_alive()]
            if not threads:
                return
            for thread in threads:
                thread.join()
