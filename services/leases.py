"""What only one process at a time may do runs under a lease in the read store.

The process managers are such work: each follows the whole log, and two copies would each send every
export and cascade every erasure twice. Every process that may run them (``strom manage``, or
``strom project`` beside its first slice) asks for the lease every third of its time to live: the
holder renews it, the others stand by. A holder killed or cut off from the store stops renewing; its
lease expires a time to live after its last renewal, and a standby takes it when it next asks. So
two replicas of ``strom manage`` are a hot standby rather than double work. On Cassandra each change
of hands is a lightweight transaction at the store's serial consistency: ``SERIAL`` by default, one
lease across every data centre.

A holder that cannot renew stops its work a renewal before its lease could expire (a watchdog sees
to it, whatever its asks are waiting for), and one told the lease is another's stops at once. A
process whose stopped work is still finishing (a manager waits up to 10 s for its thread, then
leaves it) asks for the lease again only once it has finished, so it never runs two copies itself;
one that never finishes (a thread stuck for good) keeps its process off the lease, with a warning
each renewal, and a standby replica, or a restart, then runs the work. Two copies in two processes
overlap only if stopping takes longer than a renewal or a process stalls that long with its work
running: a lease is not a fence, and the work stays safe to repeat, as it is after a crash.
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

    @property
    def alive(self) -> bool:
        """Whether any of its threads still runs (after ``stop``: still finishing what it was doing)."""


class Leased:
    """Runs the work ``make`` builds only while this process holds the lease: started when the lease
    is taken, stopped when it is lost or can no longer be renewed in time, and built afresh if it
    is taken again.

    Two threads: one asks for the lease every ``interval_s``; a watchdog stops the work once the
    lease is a renewal from expiring unrenewed, whether or not the last ask has come back (a store
    that hangs holds up the ask, not the stop)."""

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
        #: Work stopped whose threads outlived the wait for them: until they end, no new copy starts.
        self._stopping: list[Startable] = []
        self._held_until = 0.0
        self._told: bool | None = None
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._threads = [
            threading.Thread(target=self._ask, name=f"lease-{lease.name}", daemon=True),
            threading.Thread(target=self._watch, name=f"lease-{lease.name}-watchdog", daemon=True),
        ]

    @property
    def running(self) -> bool:
        return bool(self._running)

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        """Stops the work, then gives the lease up."""
        self._stopped.set()
        for thread in self._threads:
            if thread.is_alive():
                thread.join()
        with self._lock:
            if not self._running:
                return
            self._stop_work()
        try:
            self._lease.release()
        except Exception as exc:
            log.warning("could not give up the %s lease, which expires: %s", self._lease.name, exc)

    def _ask(self) -> None:
        while True:
            self.step()
            if self._stopped.wait(self.interval_s):
                return

    def _watch(self) -> None:
        while not self._stopped.wait(min(1.0, self.interval_s / 4)):
            self.expire_if_due()

    def step(self) -> None:
        """Asks for the lease once, then starts or stops the work as the answer says. An answer that
        came too late to count on (the lease it renewed is already due) starts nothing. While work
        stopped before is still finishing, it does not ask: a copy started now would run beside it."""
        with self._lock:
            finishing = self._finishing()
        if finishing:
            log.warning(
                "%d stopped part(s) of the %s work still finishing: not asking for the lease yet",
                finishing,
                self._lease.name,
            )
            self._tell(False)
            return
        asked = self._clock()
        try:
            taken: bool | None = self._lease.take()
        except Exception as exc:  # an outage, or an answer nobody could read: the lease may be lost
            log.warning("could not renew or take the %s lease: %s", self._lease.name, exc)
            taken = None
        with self._lock:
            if taken and self._clock() < asked + self._lease.ttl_s - self.interval_s:
                self._held_until = asked + self._lease.ttl_s
                if not self._running and not self._finishing():  # the watchdog may have stopped some
                    self._start_work()
            elif taken is False and self._running:
                self._stop_work()  # another process holds it
            self._expire_if_due()
            held = bool(self._running)
        self._tell(held)

    def expire_if_due(self) -> None:
        """Stops the work once its lease is a renewal from expiring unrenewed."""
        with self._lock:
            was = bool(self._running)
            self._expire_if_due()
            ended = was and not self._running
        if ended:  # only the asks say a lease is held, or was never had
            self._tell(False)

    def _expire_if_due(self) -> None:
        if self._running and self._clock() >= self._held_until - self.interval_s:
            self._stop_work()

    def _finishing(self) -> int:
        """How many parts of the work stopped before are still finishing (under the lock)."""
        self._stopping = [work for work in self._stopping if _alive(work)]
        return len(self._stopping)

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
            with contextlib.suppress(Exception):
                self._lease.release()

    def _stop_work(self) -> None:
        """Stops every part at once: each stop waits for its own thread, and in turn those waits
        would add up."""
        running, self._running = self._running, []
        stops = [threading.Thread(target=self._stop_one, args=(work,)) for work in running]
        for stop in stops:
            stop.start()
        for stop in stops:
            stop.join()
        self._stopping += [work for work in running if _alive(work)]

    def _stop_one(self, work: Startable) -> None:
        try:
            work.stop()
        except Exception:
            log.exception("stopping %r under the %s lease failed", work, self._lease.name)

    def _tell(self, held: bool) -> None:
        if held == self._told:
            return
        self._told = held
        try:
            self._on_change(held)
        except Exception:
            log.exception("reporting the %s lease failed", self._lease.name)


def _alive(work: Startable) -> bool:
    """Whether the part still runs; one that cannot say is taken at its word that it stopped, lest
    the lease be never asked for again."""
    try:
        return work.alive
    except Exception:
        log.exception("%r could not say whether it still runs", work)
        return False
