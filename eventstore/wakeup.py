"""Cross-process wake-ups for subscribers of a file-based log, without polling.

Each waiting subscriber binds a Unix datagram socket in a folder that belongs to the
database file; an appender sends one byte to each after it commits. A lost datagram
costs at most ``fallback_s`` of latency, never an event: the subscriber re-reads the log.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import tempfile
from pathlib import Path

from eventstore.ids import uuid7


def channel_dir(db_path: Path) -> Path:
    """A short folder for the sockets (Unix socket paths are limited to ~100 bytes)."""
    digest = hashlib.sha256(str(db_path.resolve()).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"strom-wake-{digest}"


class Waker:
    """The appender's side: nudge every subscriber of this log."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._sock.setblocking(False)
        self._mtime = -1
        self._targets: list[str] = []

    def _refresh(self) -> None:
        try:
            mtime = self._folder.stat().st_mtime_ns
        except FileNotFoundError:
            self._targets = []
            return
        if mtime != self._mtime:
            self._mtime = mtime
            self._targets = [str(p) for p in self._folder.glob("*.sock")]

    def wake(self) -> None:
        self._refresh()
        for target in self._targets:
            try:
                self._sock.sendto(b"!", target)
            except (BlockingIOError, FileNotFoundError):
                continue  # its queue is full (it will re-read anyway) or it just left
            except ConnectionRefusedError:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(target)  # a subscriber that died without cleaning up

    def close(self) -> None:
        self._sock.close()


class Listener:
    """The subscriber's side: block until nudged or until the fallback timeout."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(mode=0o700, exist_ok=True)
        self._path = folder / f"{uuid7().hex}.sock"
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._sock.bind(str(self._path))

    def wait(self, timeout_s: float) -> None:
        self._sock.settimeout(timeout_s)
        with contextlib.suppress(TimeoutError, OSError):
            self._sock.recv(64)
        self._drain()

    def _drain(self) -> None:
        self._sock.setblocking(False)
        with contextlib.suppress(BlockingIOError, OSError):
            while self._sock.recv(64):
                continue

    def nudge(self) -> None:
        """Wakes this listener from another thread (used to stop a subscription)."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s, contextlib.suppress(OSError):
            s.sendto(b"!", str(self._path))

    def close(self) -> None:
        self._sock.close()
        with contextlib.suppress(FileNotFoundError):
            self._path.unlink()
