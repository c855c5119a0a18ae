"""Per-person data keys, kept outside the event log so erasure can delete them.

Deleting a person's key is crypto-shredding: their sealed fields stay in the log,
still covered by the hash chain, but nobody can read them any more.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Protocol

from eventstore.errors import StoreUnavailable, SubjectErased

KEY_BYTES = 32


class KeyStore(Protocol):
    def key_for(self, subject: str) -> bytes:
        """The subject's key, created on first use."""

    def find(self, subject: str) -> bytes | None:
        """The subject's key, or ``None`` once it was erased (or never existed)."""

    def erase(self, subject: str) -> bool:
        """Deletes the key for good; returns whether there was one."""

    def close(self) -> None: ...


class SQLiteKeyStore:
    """Keys in their own SQLite file; erased subjects are remembered so a key is never re-created."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=5)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS data_keys (subject TEXT PRIMARY KEY, key BLOB, "
                "erased_at REAL) WITHOUT ROWID"
            )
        except sqlite3.Error as exc:
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
        had_key = self.find(subject) is not None
        with self._lock:
            self._db.execute(
                "INSERT INTO data_keys (subject, key, erased_at) VALUES (?, NULL, ?) "
                "ON CONFLICT (subject) DO UPDATE SET key = NULL, erased_at = excluded.erased_at "
                "WHERE key IS NOT NULL",
                (subject, time.time()),
            )
        return had_key

    def close(self) -> None:
        self._db.close()
