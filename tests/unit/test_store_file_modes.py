"""Every store file is owner-only (DESIGN.md §12): keys, events, read models and media hold personal
data, and another account on the same host must not read them. SQLite's ``-wal`` and ``-shm`` hold
pages of the database, so they count too. The stores see to it themselves, under a permissive umask,
so a library caller is as safe as the ``strom`` command."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from eventstore.codec import EventCodec
from eventstore.envelope import StreamState
from eventstore.keystore import SQLiteKeyStore
from eventstore.sealing import Sealer
from eventstore.sqlite import SQLiteEventStore
from media.storage import FileStorage
from read_models.sqlite import SQLiteReadStore
from read_models.tables import TEXT, Table, columns_of
from strom import cli
from tests.unit.fixtures import NoteWritten, register_test_events

NOTES = Table("notes", columns_of(k=TEXT, text=TEXT), ("k",))


@pytest.fixture(autouse=True)
def permissive_umask() -> Iterator[None]:
    """The common 022: what a library caller's process would have."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def open_to_others(folder: Path) -> dict[str, str]:
    """Files and folders under ``folder`` (itself included) that anyone but the owner may use."""
    found = [folder, *folder.rglob("*")]
    return {
        str(p.relative_to(folder.parent)): oct(p.stat().st_mode & 0o777)
        for p in found
        if p.stat().st_mode & 0o077
    }


def test_the_key_store_and_event_store_files_are_owner_only(tmp_path: Path) -> None:
    # Given the stores of a fresh data folder
    var = tmp_path / "var"
    keys = SQLiteKeyStore(var / "keys.db")
    events = SQLiteEventStore(var / "events.db")
    register_test_events()
    codec = EventCodec(Sealer(keys))
    # When they write
    events.append("note-1", [codec.encode(NoteWritten("u1", "a note", "tag"))], StreamState.NO_STREAM)
    keys.erase("u1")
    # Then, open and closed
    assert {p.name for p in var.iterdir()} >= {"keys.db", "keys.db-wal", "events.db", "events.db-wal"}
    assert open_to_others(var) == {}
    events.close()
    keys.close()
    assert open_to_others(var) == {}


def test_the_read_store_files_are_owner_only(tmp_path: Path) -> None:
    # Given
    var = tmp_path / "var" / "read"
    store = SQLiteReadStore(var / "read.db")
    # When
    store.create_table(NOTES)
    store.upsert(NOTES, {"k": "1", "text": "a note"})
    # Then
    assert {p.name for p in var.iterdir()} >= {"read.db", "read.db-wal", "read.db-shm"}
    assert open_to_others(tmp_path / "var") == {}
    store.close()


def test_a_store_file_an_older_version_left_readable_is_narrowed_on_opening(tmp_path: Path) -> None:
    # Given a read store whose files (WAL and all) an older version made readable to all
    path = tmp_path / "read.db"
    older = SQLiteReadStore(path)
    older.create_table(NOTES)
    older.upsert(NOTES, {"k": "1", "text": "a note"})
    keep_wal_open = sqlite3.connect(path)
    keep_wal_open.execute("SELECT * FROM notes").fetchall()
    older.close()
    for file in tmp_path.iterdir():
        file.chmod(0o644)
    # When
    store = SQLiteReadStore(path)
    # Then
    assert {p.name: oct(p.stat().st_mode & 0o777) for p in tmp_path.iterdir()} == {
        "read.db": "0o600",
        "read.db-wal": "0o600",
        "read.db-shm": "0o600",
    }
    store.close()
    keep_wal_open.close()


def test_media_files_and_their_folders_are_owner_only(tmp_path: Path) -> None:
    # Given
    media = FileStorage(tmp_path / "var" / "media")
    # When
    media.put_bytes(f"videos/{datetime.now(UTC):%Y%m%d}/720p/seg-00001.m4s", b"\0" * 100)
    source = tmp_path / "upload.bin"
    source.write_bytes(b"\1" * 100)
    media.put_file("uploads/u1/original", source)
    # Then
    assert open_to_others(tmp_path / "var") == {}


def test_the_strom_command_makes_everything_it_creates_owner_only(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a command that reports the umask it runs under
    seen: list[int] = []

    def command() -> None:
        seen.append(os.umask(0o077))

    monkeypatch.setattr(cli, "app", command)
    # When
    cli.main()
    # Then
    assert seen == [0o077]
