"""Per-person data keys, kept outside the event log so erasure can delete them.

Deleting a person's key is crypto-shredding: their sealed fields stay in the log,
still covered by the hash chain, but nobody can read them any more. That holds only if
no copy of the key survives in any file of the key store, so deletion is made real here
(see ``SQLiteKeyStore.erase``) and the files are readable by their owner alone.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Protocol

from eventstore.errors import StoreUnavailable, SubjectErased
from eventstore.files import private_sqlite_file

KEY_BYTES = 32
#: How long ``erase`` waits for other connections to let go of the WAL before it fails.
PURGE_TIMEOUT_S = 30.0


class KeyStore(Protocol):
    def key_for(self, subject: str) -> bytes:
        """The subject's key, created on first use."""

    def find(self, subject: str) -> bytes | None:
        """The subject's key, or ``None`` once it was erased (or never existed)."""

    def erase(self, subject: str) -> bool:
        """Deletes the key for good, from every file, before returning; returns whether there was one."""

    def close(self) -> None: ...


class SQLiteKeyStore:
    """Keys in their own SQLite file; erased subjects are remembered so a key is never re-created.

    Every connection runs with ``secure_delete``: SQLite zeroes what it frees (the erased key's
    bytes, and cells a page split moves away) in the pages it writes, instead of leaving them in
    unused space. Builds differ in their default, so it is set, not assumed."""

    def __init__(
        self, path: Path | str, *, busy_timeout_s: float = 5.0, purge_timeout_s: float = PURGE_TIMEOUT_S
    ) -> None:
        self.path = Path(path)
        self._purge_timeout_s = purge_timeout_s
        self._lock = threading.Lock()
        try:
            private_sqlite_file(self.path)
            self._db = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=busy_timeout_s
            )
            self._db.execute("PRAGMA secure_delete=ON")
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS data_keys (subject TEXT PRIMARY KEY, key BLOB, "
                "erased_at REAL) WITHOUT ROWID"
            )
        except (sqlite3.Error, OSError) as exc:
            raise StoreUnavailable(f"{self.path}: key store unusable: {exc}") from exc

    def key_for(self, subject: str) -> bytes:
        with self._lock:
            self._db.execute(
                "INSERT INTO data_keys (subject, key) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (subject, os.urandom(KEY_BYTES)),
            )
            row = self._db.execute("SELECT key FROM data_keys WHERE subject = ?", (subject,)).fetchone()
        if row[0] is None:
            raise SubjectErased(subject)
        key: bytes = row[0]
        return key

    def find(self, subject: str) -> bytes | None:
        with self._lock:
            row = self._db.execute("SELECT key FROM data_keys WHERE subject = ?", (subject,)).fetchone()
        return row[0] if row else None

    def erase(self, subject: str) -> bool:
        """Clears the key, then purges the WAL. Asked again, it purges again: an erasure that failed
        on a busy WAL is finished by repeating it."""
        had_key = self.find(subject) is not None
        with self._lock:
            try:
                self._db.execute(
                    "INSERT INTO data_keys (subject, key, erased_at) VALUES (?, NULL, ?) "
                    "ON CONFLICT (subject) DO UPDATE SET key = NULL, erased_at = excluded.erased_at "
                    "WHERE key IS NOT NULL",
                    (subject, time.time()),
                )
                self._purge_wal(subject)
            except sqlite3.Error as exc:
                raise StoreUnavailable(f"{self.path}: erasing the key of {subject} failed: {exc}") from exc
        return had_key

    def _purge_wal(self, subject: str) -> None:
        """``secure_delete`` zeroed the key in the page the erasure wrote, but the WAL still holds the
        earlier images of that page, key and all, until SQLite happens to write over them: minutes and
        thousands of writes later. A TRUNCATE checkpoint copies the newest images into the main file
        and empties the WAL. It must wait until no connection of any process (``strom api`` and
        ``strom worker`` share this file) is reading or writing; past the deadline the erasure fails
        loudly rather than return with the key still on disk."""
        deadline = time.monotonic() + self._purge_timeout_s
        while self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]:
            if time.monotonic() >= deadline:
                raise StoreUnavailable(
                    f"{self.path}: the key of {subject} is cleared, but other connections kept the WAL "
                    f"busy for {self._purge_timeout_s:.0f}s, so its bytes may remain there: erase again"
                )
            time.sleep(0.05)

    def close(self) -> None:
        self._db.close()
