"""Runs several projectors side by side, each in its own thread: one that fails stops alone."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

from eventstore.codec import EventCodec
from eventstore.port import EventStore
from projections.projector import Projector
from projections.runner import WHOLE, Partition, ProjectorFailed, Runner
from read_models.port import ReadStore

log = logging.getLogger("strom.projections")


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
        self.runners = [
            Runner(p, events=events, codec=codec, store=store, partition=partition) for p in projectors
        ]
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for runner in self.runners:
            thread = threading.Thread(target=self._run, args=(runner,), name=runner.name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def _run(self, runner: Runner) -> None:
        try:
            runner.run()
        except ProjectorFailed as exc:
            log.error("%s (see `strom projections status`)", exc)

    def stop(self, timeout_s: float = 5.0) -> None:
        for runner in self.runners:
            runner.stop()
        for thread in self._threads:
            thread.join(timeout_s)

    def wait(self) -> None:
        for thread in self._threads:
            thread.join()
