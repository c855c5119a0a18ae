"""Long-lived objects out of the cycle collector's way, so a process serving live traffic does not
stop for it.

A full collection walks every object the collector tracks, and every entry of every container among
them. The memories a projector or API process keeps (rows it wrote, folded accounts, answers kept for
a second, LRU caches of tens of thousands of entries) made each one 45 to 98 ms in ``strom project``,
measured, once every few seconds at 200 appends/s: that pause was the p99 of live lag.

So after each full collection, whatever survived it is frozen (``gc.freeze``) and later collections
walk only what is newer: 5 ms. Freezing right after a full collection holds no garbage, since it
just took all there was. An object frozen that later becomes garbage in a reference cycle would stay,
so every ``refresh_s`` the frozen objects are thawed and the next full collection takes them all
again: one long pause every ten minutes rather than one every few seconds. Objects freed by their
reference count (most) are freed whether frozen or not.
"""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Callable, Iterator
from typing import Any

#: Seconds between full collections over everything, frozen objects included.
REFRESH_S = 600.0


class Settler:
    def __init__(self, *, refresh_s: float = REFRESH_S, clock: Callable[[], float] = time.monotonic) -> None:
        self._refresh_s = refresh_s
        self._clock = clock
        self._thaw_at = clock() + refresh_s

    def install(self) -> None:
        gc.callbacks.append(self._after)

    def uninstall(self) -> None:
        """Stops freezing, and thaws what was frozen: it is the collector's again."""
        if self._after in gc.callbacks:
            gc.callbacks.remove(self._after)
        gc.unfreeze()

    def _after(self, phase: str, info: dict[str, Any]) -> None:
        """Runs with the interpreter lock held and the collection over; collections never overlap."""
        if phase != "stop" or info["generation"] != 2:
            return
        if self._clock() >= self._thaw_at:
            gc.unfreeze()  # the next full collection walks everything once
            self._thaw_at = self._clock() + self._refresh_s
        else:
            gc.freeze()


def settle() -> Settler:
    """Installed for the life of the process."""
    settler = Settler()
    settler.install()
    return settler


@contextlib.contextmanager
def settled() -> Iterator[None]:
    """Installed for a while: a rebuild in a process that goes on afterwards (``strom projections
    rebuild`` runs in the test process too), which then leaves nothing frozen."""
    settler = settle()
    try:
        yield
    finally:
        settler.uninstall()
