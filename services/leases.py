"""What only one process at a time may do runs under a lease in the read store.

The process managers are such work: each follows the whole log, and two copies would each send every
export and cascade every erasure twice. Every process that may run them (``strom manage``, or
``strom project`` beside its first slice) asks for the lease every third of its time to live: the
holder renews it, the others stand by. A holder killed or cut off from the store stops renewing; its
lease expires a time to live after its last renewal, and a standby takes it. So two replicas of
``strom manage`` are a hot standby rather than double work.

A holder that cannot renew stops its work a renewal before its lease could expire, and one told the
lease is another's stops at once. Two copies then overlap only if a process stalls for longer than a
renewal with its work running: a lease is not a fence, and the work stays safe to repeat, as it is
after a crash.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Protocol

from read_models.errors import ReadStoreError
from read_models.leases import LEASES
from read_models.port import ReadStore

log = logging.getLogger("strom.leases")
#: The process managers' lease.
MANAGERS = "process-managers"


class Lease:
    """One named lease, as one holder asks for it."""

    def __init__(self, store: ReadStore, name: str, ttl_s: int, holder: str | None = None) -> None:
        if ttl_s < 3:
            raise ValueError("a lease lives at least 3 s: it is renewed every third of that")
        self.store = store
        self.name = name
        self.ttl_s = ttl_s
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    def take(self) -> bool:
        """Renews the lease if this holder has it, else takes it if nobody has; says whether it
        holds it now."""
        row = {"name": self.name, "holder": self.holder}
        mine = {"holder": self.holder}
        return self.store.replace_if(LEASES, row, mine, ttl=self.ttl_s) or self.store.insert_if_absent(
            LEASES, row, ttl=self.ttl_s
        )

    def release(self) -> bool:
        """Gives the lease up at once, if this holder has it (a standby then need not wait for it to
        expire); says whether it did."""
        return self.store.delete_if_present(LEASES, {"name": self.name}, {"holder": self.holder})


def holder_of(store: ReadStore, name: str) -> str | None:
    """Who holds the lease now, if anyone: for operators."""
    row = store.get(LEASES, {"name": name})
    return None if row is None else str(row["holder"])


class Startable(Protocol):
    def start(self) -> None: ...
    def stop(self) -> None: ...


class Leased:
    """Runs the work ``make`` builds only while this process holds the lease: started when the lease
    is taken, stopped when it is lost or can no longer be renewed in time, and built afresh if it
    is taken again."""

    def __init__(
        self,
        lease: Lease,
        make: Callable[[], Sequence[Startable]],
        *,
        on_change: Callable[[bool], None] = lambda held: None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lease = lease
        self._make = make
        self._on_change = on_change
        self._clock = clock
        self.interval_s = lease.ttl_s / 3
        self._running: list[Startable] = []
        self._held_until = 0.0
        self._told: bool | None = None
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease-{lease.name}", daemon=True)

    @property
    def running(self) -> bool:
        return bool(self._running)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stops the work, then gives the lease up."""
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join()
        if self._running:
            self._stop_work()
            try:
                self._lease.release()
            except ReadStoreError as exc:
                log.warning("could not give up the %s lease, which expires: %s", self._lease.name, exc)

    def _run(self) -> None:
        while True:
            self.step()
            if self._stopped.wait(self.interval_s):
                return

    def step(self) -> None:
        """Asks for the lease once, then starts or stops the work as the answer says."""
        asked = self._clock()
        try:
            taken: bool | None = self._lease.take()
        except ReadStoreError as exc:
            log.warning("could not renew or take the %s lease: %s", self._lease.name, exc)
            taken = None
        if taken:
            self._held_until = asked + self._lease.ttl_s
            if not self._running:
                self._start_work()
        elif self._running and (taken is False or self._clock() >= self._held_until - self.interval_s):
            self._stop_work()
        self._tell(bool(self._running))

    def _start_work(self) -> None:
        """Builds and starts the work; if that fails, stops what started and gives the lease up, so
        that a standby may do better (this process asks again a renewal later)."""
        try:
            for work in self._make():
                self._running.append(work)
                work.start()
        except Exception:
            log.exception("could not start the work of the %s lease; giving it up", self._lease.name)
            self._stop_work()
            with contextlib.suppress(ReadStoreError):
                self._lease.release()

    def _stop_work(self) -> None:
        running, self._running = self._running, []
        for work in reversed(running):
            try:
                work.stop()
            except Exception:
                log.exception("stopping %r under the %s lease failed", work, self._lease.name)

    def _tell(self, held: bool) -> None:
        if held != self._told:
            self._told = held
            self._on_change(held)
