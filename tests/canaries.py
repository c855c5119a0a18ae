"""Canaries that show whether a process reached for something it should not: a file opened in a
watched folder (Linux inotify, which sees opens by any process), or a request to a loopback server."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

IN_OPEN = 0x00000020
EVENT = struct.Struct("iIII")


class OpenedFiles:
    """Every file opened in ``folders`` from ``__enter__`` on, by any process, but ``ignored`` ones."""

    def __init__(self, *folders: Path, ignored: tuple[Path, ...] = ()) -> None:
        self.folders = folders
        self.ignored = {path.absolute() for path in ignored}
        self._fd = -1
        self._watches: dict[int, Path] = {}

    def __enter__(self) -> OpenedFiles:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        self._fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self._fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1")
        for folder in self.folders:
            watch = libc.inotify_add_watch(self._fd, bytes(folder), IN_OPEN)
            if watch < 0:
                raise OSError(ctypes.get_errno(), f"inotify_add_watch {folder}")
            self._watches[watch] = folder.absolute()
        return self

    def __exit__(self, *_: object) -> None:
        os.close(self._fd)

    def seen(self) -> list[Path]:
        """The opens so far, in order; a folder itself stands for an open of the folder."""
        opened: list[Path] = []
        for data in self._read():
            at = 0
            while at < len(data):
                watch, _mask, _cookie, length = EVENT.unpack_from(data, at)
                name = data[at + EVENT.size : at + EVENT.size + length].rstrip(b"\0").decode()
                opened.append(self._watches[watch] / name)
                at += EVENT.size + length
        return [path for path in opened if path not in self.ignored]

    def _read(self) -> Iterator[bytes]:
        while True:
            try:
                yield os.read(self._fd, 65536)
            except BlockingIOError:
                return


@contextmanager
def http_canary() -> Iterator[tuple[str, list[str]]]:
    """A server on 127.0.0.1 that answers 404 to everything; yields its base URL and the paths asked."""
    asked: list[str] = []

    class Recorder(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_error(404)

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", asked
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
