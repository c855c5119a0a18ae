"""The operator's blocklist of frame hashes, kept in a text file the operator chooses.

One entry a line: 16 hex digits, then what the operator noted (``3fa1c0d2e4b59687 clip.mp4 #3``).
Lines starting with ``#`` are comments. The file is small (a blocklisted clip adds a line a frame)
and read again whenever it changed, so an entry added while workers run applies to the next upload.
Changes are written to a sibling file and renamed over the old one, so a worker never reads half a
file, and the file is the operator's alone (mode 0600).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path

from media.screening.hashing import Entry, fingerprint, parse_hash

MAX_NOTE = 200


class BlocklistFile:
    """The real ``Blocklist``: entries from, and changes to, one file (no file: no entries)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._read: tuple[tuple[int, int, int] | None, list[Entry]] = (None, [])

    def entries(self) -> list[Entry]:
        """Read again only when the file changed (another process may have changed it)."""
        try:
            info = self.path.stat()
        except FileNotFoundError:
            return []
        seen = (info.st_ino, info.st_mtime_ns, info.st_size)
        with self._lock:
            if self._read[0] != seen:
                lines = self.path.read_text().splitlines()
                self._read = (seen, [entry for line in lines if (entry := _parse_line(line)) is not None])
            return list(self._read[1])

    def version(self) -> str:
        return fingerprint(self.entries())

    def add(self, hashes: Iterable[int], note: str) -> list[Entry]:
        """Adds the hashes not there yet; returns those added."""
        have = {entry.hash for entry in self.entries()}
        clean = " ".join(note.split())[:MAX_NOTE]
        new = [Entry(value, clean) for value in dict.fromkeys(hashes) if value not in have]
        if new:
            self._write([*self.entries(), *new])
        return new

    def remove(self, ids: Iterable[str]) -> list[Entry]:
        """Removes the entries with these ids (hashes in hex); returns those removed."""
        gone = {format(parse_hash(value), "016x") for value in ids}
        entries = self.entries()
        removed = [entry for entry in entries if entry.id in gone]
        if removed:
            self._write([entry for entry in entries if entry.id not in gone])
        return removed

    def _write(self, entries: list[Entry]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lines = ["# strom screening blocklist: a frame hash (pHash, hex) and a note a line"]
        lines += [f"{entry.id} {entry.note}".rstrip() for entry in entries]
        fd, temporary = tempfile.mkstemp(prefix=".blocklist-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w") as file:
                file.write("\n".join(lines) + "\n")
                file.flush()
                os.fsync(file.fileno())
            os.chmod(temporary, 0o600)
            os.replace(temporary, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise


def _parse_line(line: str) -> Entry | None:
    text = line.strip()
    if not text or text.startswith("#"):
        return None
    value, _, note = text.partition(" ")
    return Entry(parse_hash(value), note.strip())
