"""Crypto-shredding holds only if the erased key is in no file of the key store once ``erase``
returns: not in the main file, not in the WAL (which kept it for minutes and a thousand writes), not
in unused space SQLite left behind, and not while another process is reading the same file."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eventstore.errors import StoreUnavailable
from eventstore.keystore import SQLiteKeyStore

HOLD_A_READ = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN")
db.execute("SELECT count(*) FROM data_keys").fetchone()
print("reading", flush=True)
sys.stdin.read()
db.execute("COMMIT")
"""


def files_holding(folder: Path, secrets: list[bytes]) -> list[str]:
    """Every file in the folder that still holds one of the secrets, byte for byte."""
    return [
        p.name for p in sorted(folder.iterdir()) if p.is_file() and any(s in p.read_bytes() for s in secrets)
    ]


def fill(keys: SQLiteKeyStore, count: int) -> dict[str, bytes]:
    """Keys for random (not time-ordered) subjects, so pages split and cells move about."""
    return {subject: keys.key_for(subject) for subject in (str(uuid.uuid4()) for _ in range(count))}


@pytest.fixture
def keys(tmp_path: Path) -> Iterator[SQLiteKeyStore]:
    store = SQLiteKeyStore(tmp_path / "keys.db")
    yield store
    store.close()


@pytest.fixture
def reader(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process in the middle of a read of the key store, until its stdin is closed."""
    SQLiteKeyStore(tmp_path / "keys.db").close()
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD_A_READ, str(tmp_path / "keys.db")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline() == "reading\n"
    yield proc
    proc.kill()
    proc.wait()


def test_an_erased_key_is_in_no_file_once_erase_returns_and_stays_gone(
    tmp_path: Path, keys: SQLiteKeyStore
) -> None:
    # Given many keys, some of them erased
    known = fill(keys, 2000)
    erased = list(known)[::100]
    # When
    for subject in erased:
        assert keys.erase(subject) is True
    # Then no file of the store holds them, now or after a thousand more keys
    secrets = [known[s] for s in erased]
    assert files_holding(tmp_path, secrets) == []
    fill(keys, 1000)
    assert files_holding(tmp_path, secrets) == []
    assert all(keys.find(s) is None for s in erased)
    assert [keys.find(s) for s in list(known)[1::100]] == [known[s] for s in list(known)[1::100]]


def test_freed_bytes_are_zeroed_even_where_sqlite_leaves_them_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a SQLite build that does not zero what it frees (Debian's does; others do not)
    connect = sqlite3.connect

    def connect_without_secure_delete(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        db: sqlite3.Connection = connect(*args, **kwargs)
        db.execute("PRAGMA secure_delete=OFF")
        return db

    monkeypatch.setattr(sqlite3, "connect", connect_without_secure_delete)
    keys = SQLiteKeyStore(tmp_path / "keys.db")
    known = fill(keys, 2000)
    erased = list(known)[::100]
    # When
    for subject in erased:
        keys.erase(subject)
    # Then
    assert files_holding(tmp_path, [known[s] for s in erased]) == []
    keys.close()


def test_erase_waits_for_a_reader_in_another_process_then_leaves_no_trace(
    tmp_path: Path, reader: subprocess.Popen[str]
) -> None:
    # Given another process reading, and a key store with a short wait per attempt
    keys = SQLiteKeyStore(tmp_path / "keys.db", busy_timeout_s=0.1, purge_timeout_s=10)
    known = fill(keys, 200)
    subject = next(iter(known))
    # When the reader finishes half a second into the erasure
    assert reader.stdin is not None
    threading.Timer(0.5, reader.stdin.close).start()
    keys.erase(subject)
    # Then
    assert files_holding(tmp_path, [known[subject]]) == []
    keys.close()


def test_erase_fails_loudly_while_a_reader_holds_the_wal_and_finishes_when_asked_again(
    tmp_path: Path, reader: subprocess.Popen[str]
) -> None:
    # Given another process that does not stop reading
    keys = SQLiteKeyStore(tmp_path / "keys.db", busy_timeout_s=0.1, purge_timeout_s=0.5)
    known = fill(keys, 200)
    subject = next(iter(known))
    # When / Then the erasure refuses to return as if done
    with pytest.raises(StoreUnavailable, match="erase again"):
        keys.erase(subject)
    assert keys.find(subject) is None
    # And asked again once the reader is gone, it finishes
    assert reader.stdin is not None
    reader.stdin.close()
    reader.wait()
    assert keys.erase(subject) is False
    assert files_holding(tmp_path, [known[subject]]) == []
    keys.close()
