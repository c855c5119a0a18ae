"""Runs several projectors side by side, each in its own thread: one that fails stops alone.

Each thread follows its projector's live build. A projector whose code version is ahead of the
live build (a bumped version) is rebuilt first, by the whole runner; partitioned runners wait for
that build to go live. When a rebuild elsewhere switches the live build, the thread moves over.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

from eventstore.codec import EventCodec
from eventstore.port import EventStore
from projections.projector import Projector
from projections.rebuild import ParityFailed, live_or_first, rebuild
from projections.runner import TRANSIENT, WHOLE, Partition, ProjectorFailed, Runner
from read_models import live
from read_models import projection_state as states
from read_models.errors import MissingTable
from read_models.port import ReadStore

log = logging.getLogger("strom.projections")

WAIT_FOR_BUILD_S = 1.0
RETRY_FIRST_S, RETRY_MAX_S = 0.5, 30.0


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

    def start(self) -> None:
        for projector, name in zip(self.projectors, self.names, strict=True):
            thread = threading.Thread(target=self._follow, args=(projector,), name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def _follow(self, projector: Projector) -> None:
        """Runs the live build until stopped, moving to each new build a rebuild switches to. A store
        that fails for a while is retried from the checkpoint, backing off; a projector bug stops it."""
        backoff = RETRY_FIRST_S
        try:
            while not self._stopped.is_set():
                try:
                    if self._follow_once(projector):
                        return
                    backoff = RETRY_FIRST_S
                except TRANSIENT as exc:
                    log.warning("%s: %s; retrying in %.1f s", projector.name, exc, backoff)
                    self._stopped.wait(backoff)
                    backoff = min(backoff * 2, RETRY_MAX_S)
        except (ProjectorFailed, ParityFailed) as exc:
            log.error("%s (see `strom projections status`)", exc)

    def _follow_once(self, projector: Projector) -> bool:
        """Runs the current build; says whether following is over (stopped, or not retired)."""
        build = self._current_build(projector)
        if build is None:
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
        return self._stopped.is_set() or self._run(runner) != states.RETIRED

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

    def _run(self, runner: Runner) -> str:
        try:
            return runner.run().status
        except MissingTable:
            if live.live_build(self._store, runner.projector.name) != runner.build:
                return states.RETIRED  # dropped by a rebuild just after switching: move over
            raise

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stopped.set()
        for runner in list(self._runners.values()):
            runner.stop()
        for thread in self._threads:
            thread.join(timeout_s)

    def wait(self) -> None:
        for thread in self._threads:
            thread.join()
