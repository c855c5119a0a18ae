"""A SQLite connection per thread, closed when its thread ends.

A connection is bound to one thread's transactions, so each thread gets its own; but a server's
worker threads come and go, and a connection kept past its thread holds its file descriptors (the
database and its WAL) for nothing. The thread's own storage holds the only strong reference, so the
connection closes as that storage is cleared at the thread's end; ``close`` ends the rest.

Both SQLite adapters (the event store's and the read store's) use it.
"""

from __future__ import annotations

import sqlite3
import threading
import weakref
from collections.abc import Callable


class _Held:
    """Closes its connection when dropped: when its thread ends, or the pool starts afresh."""

    __slots__ = ("__weakref__", "conn")

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __del__(self) -> None:
        self.conn.close()


class ThreadConnections:
    def __init__(self, connect: Callable[[], sqlite3.Connection]) -> None:
        self._connect = connect
        self._local = threading.local()
        self._open: weakref.WeakSet[_Held] = weakref.WeakSet()
        self._lock = threading.Lock()

    def get(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use."""
        held: _Held | None = getattr(self._local, "held", None)
        if held is None:
            held = _Held(self._connect())
            with self._lock:
                self._open.add(held)
            self._local.held = held
        return held.conn

    def close(self) -> None:
        """Closes every thread's connection; a thread that asks again afterwards opens a new one."""
        with self._lock:
            held = list(self._open)
            self._open.clear()
        for one in held:
            one.conn.close()
        self._local = threading.local()
