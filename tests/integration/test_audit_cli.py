"""Auditors replay a stream's history and verify hash chains through the ``strom`` command."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from domain.auditing import PersonalDataRevealed
from eventstore.codec import EventCodec
from eventstore.envelope import Metadata, NewEvent, StreamState
from eventstore.keystore import SQLiteKeyStore
from eventstore.sealing import Sealer
from eventstore.sqlite import SQLiteEventStore


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "STROM_EVENTSTORE_URL": f"sqlite:///{tmp_path}/events.db",
        "STROM_KEYSTORE_URL": f"sqlite:///{tmp_path}/keys.db",
        "STROM_AUDIT_SIGNING_KEY": f"{tmp_path}/audit/signing.key",
    }


def strom(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "strom", *args], env=env, capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def history(tmp_path: Path, env: dict[str, str]) -> list[int]:
    """Three events in ``video-1``, the second with a sealed caption; returns their positions."""
    store = SQLiteEventStore(tmp_path / "events.db")
    keys = SQLiteKeyStore(tmp_path / "keys.db")
    sealed = Sealer(keys).seal({"caption": "hello #cats"}, ("caption",), subject="u1", event_id="e-2")
    events = [
        NewEvent("VideoDrafted", {"owner": "u1"}, metadata=Metadata(actor="u1")),
        NewEvent("VideoPublished", sealed, event_id="e-2", metadata=Metadata(actor="u1", key_id="u1")),
        NewEvent("VideoHidden", {"reason": "spam"}, metadata=Metadata(actor="mod-1")),
    ]
    positions = [store.append("video-1", [e], StreamState.ANY).position for e in events]
    store.append("video-2", [NewEvent("VideoDrafted", {"owner": "u2"})], StreamState.ANY)
    store.close()
    keys.close()
    return positions


def _shown(stdout: str) -> list[dict[str, object]]:
    return [orjson.loads(chunk) for chunk in stdout.replace("}\n{", "}\x00{").split("\x00") if chunk.strip()]


def test_audit_stream_prints_history_with_metadata_and_personal_fields_masked(
    env: dict[str, str], history: list[int]
) -> None:
    result = strom(env, "audit", "stream", "video-1")
    assert result.returncode == 0, result.stderr
    shown = _shown(result.stdout)
    assert [e["type"] for e in shown] == ["VideoDrafted", "VideoPublished", "VideoHidden"]
    assert shown[1]["data"] == {"caption": "[personal]"}
    assert "hello" not in result.stdout
    assert shown[2]["metadata"]["actor"] == "mod-1"  # type: ignore[index]
    assert shown[1]["metadata"]["hash"] == shown[2]["metadata"]["prev_hash"]  # type: ignore[index]


def test_a_sealed_field_of_a_type_this_code_does_not_know_is_masked_too(
    tmp_path: Path, env: dict[str, str]
) -> None:
    store = SQLiteEventStore(tmp_path / "events.db")
    keys = SQLiteKeyStore(tmp_path / "keys.db")
    sealed = Sealer(keys).seal({"motto": "carpe diem", "n": 1}, ("motto",), subject="u1", event_id="e-9")
    old = NewEvent("MottoChosen", sealed, event_id="e-9", metadata=Metadata(actor="u1", key_id="u1"))
    store.append("user-u1", [old], StreamState.ANY)
    store.close()
    keys.close()
    result = strom(env, "audit", "stream", "user-u1")
    assert _shown(result.stdout)[0]["data"] == {"motto": "[personal]", "n": 1}


def test_audit_stream_reveals_for_a_reason_and_records_the_operator_did(
    tmp_path: Path, env: dict[str, str], history: list[int]
) -> None:
    # When
    result = strom(env, "audit", "stream", "video-1", "--reveal", "--reason", "legal hold request 77")
    # Then
    assert result.returncode == 0, result.stderr
    assert _shown(result.stdout)[1]["data"] == {"caption": "hello #cats"}
    store = SQLiteEventStore(tmp_path / "events.db")
    keys = SQLiteKeyStore(tmp_path / "keys.db")
    try:
        (record,) = store.read_stream("reveals-system:operator")
        revealed = EventCodec(Sealer(keys)).decode(record).event
    finally:
        store.close()
        keys.close()
    assert record.metadata.actor == "system:operator"
    assert isinstance(revealed, PersonalDataRevealed)
    assert (revealed.stream, revealed.reason, revealed.event_ids) == (
        "video-1",
        "legal hold request 77",
        ["e-2"],
    )


def test_audit_stream_will_not_reveal_without_a_reason(
    tmp_path: Path, env: dict[str, str], history: list[int]
) -> None:
    # Given
    store = SQLiteEventStore(tmp_path / "events.db")
    head = store.head_position()
    # When
    result = strom(env, "audit", "stream", "video-1", "--reveal")
    # Then
    try:
        assert store.head_position() == head
    finally:
        store.close()
    assert result.returncode == 2
    assert "reason" in result.stderr
    assert "hello" not in result.stdout


def test_audit_stream_as_of_a_position_stops_there(env: dict[str, str], history: list[int]) -> None:
    result = strom(env, "audit", "stream", "video-1", "--as-of", str(history[1]))
    assert [e["type"] for e in _shown(result.stdout)] == ["VideoDrafted", "VideoPublished"]


def test_audit_stream_shows_erased_fields_as_erased(
    tmp_path: Path, env: dict[str, str], history: list[int]
) -> None:
    SQLiteKeyStore(tmp_path / "keys.db").erase("u1")
    masked = _shown(strom(env, "audit", "stream", "video-1").stdout)
    revealed = _shown(
        strom(env, "audit", "stream", "video-1", "--reveal", "--reason", "legal hold 77").stdout
    )
    assert masked[1]["data"] == revealed[1]["data"] == {"caption": "[erased]"}
    assert strom(env, "audit", "verify", "video-1").returncode == 0


def test_audit_of_a_missing_stream_or_bad_as_of_is_a_clear_error(
    env: dict[str, str], history: list[int]
) -> None:
    missing = strom(env, "audit", "stream", "video-404")
    assert missing.returncode == 2
    assert "video-404" in missing.stderr
    bad = strom(env, "audit", "stream", "video-1", "--as-of", "yesterday")
    assert bad.returncode == 2
    assert "--as-of" in bad.stderr


def test_verify_passes_an_intact_log(env: dict[str, str], history: list[int]) -> None:
    result = strom(env, "audit", "verify", "--all")
    assert result.returncode == 0, result.stderr
    assert "OK 4 events verified" in result.stdout


def test_verify_fails_when_the_sqlite_file_was_tampered_with(
    tmp_path: Path, env: dict[str, str], history: list[int]
) -> None:
    # Given someone rewrote an event's data directly in the database file
    with sqlite3.connect(tmp_path / "events.db") as db:
        db.execute("UPDATE events SET data = ? WHERE position = ?", (b'{"reason":"ok"}', history[2]))
    # When
    one = strom(env, "audit", "verify", "video-1")
    every = strom(env, "audit", "verify", "--all")
    other = strom(env, "audit", "verify", "video-2")
    # Then
    assert one.returncode == 1
    assert f"video-1@2 (position {history[2]}): hash does not match content" in one.stdout
    assert every.returncode == 1
    assert other.returncode == 0
