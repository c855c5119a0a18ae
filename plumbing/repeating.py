"""A task repeated on a thread of its own until stopped."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger("strom.repeating")


class Repeating:
    """Runs ``task`` every ``every_s`` (the first time after one wait) until ``stop``. A failing
    round is logged and the next one tries again: the tasks here are sweeps over durable state
    (a store away now is back later), so nothing is lost by waiting for the next round."""

    def __init__(self, task: Callable[[], object], *, name: str, every_s: float) -> None:
        self._task, self.name, self.every_s = task, name, every_s
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    @property
    def alive(self) -> bool:
        """Whether its thread still runs: after ``stop`` gave up waiting, it may still be finishing."""
        return self._thread is not None and self._thread.is_alive()

    def _loop(self) -> None:
        while not self._stopped.wait(self.every_s):
            try:
                self._task()
            except Exception as error:
                log.warning("%s failed: %s; trying again in %.0f s", self.name, error, self.every_s)
