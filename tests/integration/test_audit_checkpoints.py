"""Signed checkpoints make tampering with the log evident even to someone with write access to its file:
deleting a stream's tail or a whole stream, rewriting an event and re-hashing the rest of its stream,
or reordering events all pass the per-stream chains, and ``strom audit verify --all`` still says what
changed since the last checkpoint. So does a forged or edited checkpoint file.

The attacks below use raw ``sqlite3`` on the event store's file (SQLite only: no KurrentDB server here).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner, Result

from commands import audit
from eventstore.chain import GENESIS, event_hash
from eventstore.envelope import Metadata, NewEvent, StreamState
from eventstore.keystore import SQLiteKeyStore
from eventstore.sealing import Sealer
from eventstore.sqlite import SQLiteEventStore
from strom.cli import app

STREAMS = {"video-x": 10, "user-y": 6, "follows-z": 3}


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Stores, signing key and checkpoint file under ``tmp_path``, as ``strom`` finds them."""
    monkeypatch.setenv("STROM_EVENTSTORE_URL", f"sqlite:///{tmp_path}/events.db")
    monkeypatch.setenv("STROM_KEYSTORE_URL", f"sqlite:///{tmp_path}/keys.db")
    monkeypatch.setenv("STROM_AUDIT_SIGNING_KEY", str(tmp_path / "audit" / "signing.key"))
    return tmp_path


@pytest.fixture
def db(files: Path) -> Path:
    """Three streams, appended in turns so their positions interleave (19 events)."""
    store = SQLiteEventStore(files / "events.db")
    for version in range(max(STREAMS.values())):
        for stream, length in STREAMS.items():
            if version < length:
                store.append(stream, [NewEvent("Noted", {"n": version})], StreamState.ANY)
    store.close()
    return files / "events.db"


def strom(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def checkpoint(files: Path, name: str = "checkpoints.jsonl") -> Result:
    result = strom("audit", "checkpoint", "--checkpoints", str(files / name))
    assert result.exit_code == 0, result.output
    return result


def verify(files: Path) -> Result:
    return strom("audit", "verify", "--all", "--checkpoints", str(files / "checkpoints.jsonl"))


def tampered(result: Result) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.startswith(("TAMPERED", "BROKEN"))]


def position_of(db: Path, stream: str, version: int) -> int:
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT position FROM events WHERE stream = ? AND version = ?", (stream, version))
        position: int = row.fetchone()[0]
    return position


# -- what an attacker with the file does ---------------------------------------------------------------


def delete_tail(db: Path, stream: str, first: int) -> None:
    """Removes versions ``first``.. and sets the stream's head back, so appends carry on unnoticed."""
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM events WHERE stream = ? AND version >= ?", (stream, first))
        (meta,) = conn.execute(
            "SELECT metadata FROM events WHERE stream = ? AND version = ?", (stream, first - 1)
        ).fetchone()
        last_hash = orjson.loads(meta)["hash"]
        conn.execute(
            "UPDATE streams SET version = ?, last_hash = ? WHERE stream = ?", (first - 1, last_hash, stream)
        )


def delete_stream(db: Path, stream: str) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM events WHERE stream = ?", (stream,))
        conn.execute("DELETE FROM streams WHERE stream = ?", (stream,))


def rewrite_and_rehash(db: Path, stream: str, version: int, data: dict[str, object]) -> None:
    """Changes one event, then recomputes its hash and every later one with the project's own
    function, so the stream's chain verifies again."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT version, event_id, type, schema_version, data, metadata FROM events "
            "WHERE stream = ? ORDER BY version",
            (stream,),
        ).fetchall()
        prev = GENESIS
        for v, event_id, type_, schema_version, raw_data, raw_meta in rows:
            meta = Metadata.from_dict(orjson.loads(raw_meta))
            if v < version:
                prev = meta.hash
                continue
            body = data if v == version else orjson.loads(raw_data)
            digest = event_hash(
                stream=stream, version=v, event_id=event_id, event_type=type_, schema_version=schema_version,
                data=body, metadata=meta.unchained(), prev_hash=prev,
            )  # fmt: skip
            chained = orjson.dumps(meta.chained(hash=digest, prev_hash=prev))
            conn.execute(
                "UPDATE events SET data = ?, metadata = ? WHERE stream = ? AND version = ?",
                (orjson.dumps(body), chained, stream, v),
            )
            prev = digest
        conn.execute("UPDATE streams SET last_hash = ? WHERE stream = ?", (prev, stream))


def swap(db: Path, a: int, b: int) -> None:
    """Two events of different streams trade global positions; each stream's order is unchanged."""
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE events SET position = -1 WHERE position = ?", (a,))
        conn.execute("UPDATE events SET position = ? WHERE position = ?", (a, b))
        conn.execute("UPDATE events SET position = ? WHERE position = -1", (b,))


# -- the tests ----------------------------------------------------------------------------------------


def test_the_first_checkpoint_makes_an_owner_only_key_and_verify_holds_the_log_to_it(
    files: Path, db: Path
) -> None:
    # When, with the checkpoint file where it goes by default: beside the key
    made = strom("audit", "checkpoint")
    result = strom("audit", "verify", "--all")
    # Then
    audit_dir = files / "audit"
    assert (audit_dir / "signing.key").stat().st_mode & 0o777 == 0o600
    assert (audit_dir / "signing.pub").exists()
    assert len((audit_dir / "checkpoints.jsonl").read_bytes().splitlines()) == 1
    assert "checkpoint 1 at position 19: 19 events" in made.stdout
    assert result.exit_code == 0, result.output
    assert "OK 19 events verified" in result.stdout
    assert "checkpoint 1 (key " in result.stdout
    assert "match the log up to position 19" in result.stdout


def test_deleting_the_tail_of_a_stream_is_found(files: Path, db: Path) -> None:
    # Given
    checkpoint(files)
    # When the last three events of video-x are deleted and its head set back
    delete_tail(db, "video-x", 7)
    result = verify(files)
    # Then the streams' own chains are fine, but the checkpoint says what went
    assert result.exit_code == 1
    assert tampered(result) == [
        "TAMPERED the log no longer matches checkpoint 1 at position 19",
        "TAMPERED stream video-x lost versions 7..9 since checkpoint 1 at position 19",
    ]


def test_deleting_a_whole_stream_is_found(files: Path, db: Path) -> None:
    # Given
    checkpoint(files)
    # When
    delete_stream(db, "follows-z")
    result = verify(files)
    # Then
    assert result.exit_code == 1
    assert "TAMPERED stream follows-z is missing (checkpoint 1 at position 19 recorded versions 0..2)" in (
        tampered(result)
    )


def test_rewriting_an_event_and_rehashing_its_stream_is_found(files: Path, db: Path) -> None:
    # Given
    checkpoint(files)
    position = position_of(db, "user-y", 3)
    # When user-y v3 is rewritten and v3..v5 re-hashed so that its chain verifies again
    rewrite_and_rehash(db, "user-y", 3, {"n": 333})
    assert strom("audit", "verify", "user-y").exit_code == 0
    result = verify(files)
    # Then
    assert result.exit_code == 1
    assert tampered(result) == [
        "TAMPERED the log no longer matches checkpoint 1 at position 19",
        f"TAMPERED event at position {position} (user-y v3) was rewritten since checkpoint 1",
        "TAMPERED 2 later events of user-y (v4..v5) were re-hashed after it",
    ]


def test_two_events_that_swap_places_are_found(files: Path, db: Path) -> None:
    # Given
    checkpoint(files)
    a, b = position_of(db, "video-x", 1), position_of(db, "user-y", 1)
    # When
    swap(db, a, b)
    result = verify(files)
    # Then
    assert result.exit_code == 1
    assert tampered(result) == [
        "TAMPERED the log no longer matches checkpoint 1 at position 19",
        f"TAMPERED events at positions {a} and {b} are in a different order "
        "(user-y v1 and video-x v1 swapped since checkpoint 1)",
    ]


def test_checkpoints_forged_with_another_key_are_refused(
    files: Path, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the operator's checkpoint
    checkpoint(files)
    operator = orjson.loads((files / "checkpoints.jsonl").read_bytes())["key"]
    # When an attacker deletes a stream, signs the result with a key of their own and puts that in place
    delete_stream(db, "follows-z")
    monkeypatch.setenv("STROM_AUDIT_SIGNING_KEY", str(files / "attacker.key"))
    checkpoint(files, "forged.jsonl")
    shutil.copy(files / "forged.jsonl", files / "checkpoints.jsonl")
    monkeypatch.setenv("STROM_AUDIT_SIGNING_KEY", str(files / "audit" / "signing.key"))
    result = verify(files)
    # Then
    assert result.exit_code == 1
    (line,) = tampered(result)
    assert line.startswith("TAMPERED checkpoint 1 (line 1) is signed by key ")
    assert line.endswith(f"not the audit key {operator}")


def test_an_edited_checkpoint_is_refused(files: Path, db: Path) -> None:
    # Given
    checkpoint(files)
    # When an attacker deletes video-x's tail and edits the checkpoint to match
    delete_tail(db, "video-x", 7)
    path = files / "checkpoints.jsonl"
    line = orjson.loads(path.read_bytes())
    first, positions, prints = line["streams"]["video-x"]
    line["streams"]["video-x"] = [first, positions[:7], prints[: 7 * 12]]
    path.write_bytes(orjson.dumps(line) + b"\n")
    result = verify(files)
    # Then
    assert result.exit_code == 1
    assert tampered(result) == ["TAMPERED checkpoint 1 (line 1) was changed after it was signed"]


def test_a_checkpoint_removed_from_the_middle_of_the_file_is_found(files: Path, db: Path) -> None:
    # Given three checkpoints
    store = SQLiteEventStore(db)
    for n in range(3):
        store.append("video-x", [NewEvent("Noted", {"n": n})], StreamState.ANY)
        checkpoint(files)
    store.close()
    # When the second is cut out
    path = files / "checkpoints.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(lines[0] + lines[2])
    result = verify(files)
    # Then
    assert result.exit_code == 1
    assert tampered(result) == [
        "TAMPERED checkpoint 3 (line 2) does not follow checkpoint 1: one was removed, replaced or reordered"
    ]


def test_checkpoints_without_a_public_key_to_check_them_are_an_error(files: Path, db: Path) -> None:
    checkpoint(files)
    trail = str(files / "checkpoints.jsonl")
    result = strom("audit", "verify", "--all", "--checkpoints", trail, "--public-key", str(files / "no.pub"))
    assert result.exit_code == 2
    assert "no public key" in result.stderr


def test_events_after_the_last_checkpoint_are_said_to_rest_on_their_streams_chains(
    files: Path, db: Path
) -> None:
    # Given
    checkpoint(files)
    store = SQLiteEventStore(db)
    store.append("video-x", [NewEvent("Noted", {"n": 10}), NewEvent("Noted", {"n": 11})], StreamState.ANY)
    store.close()
    # When
    result = verify(files)
    # Then
    assert result.exit_code == 0, result.output
    assert "2 events after the last checkpoint are not covered yet" in result.stdout


def test_an_erasure_leaves_the_log_verifiable_against_its_checkpoints(files: Path) -> None:
    # Given a sealed caption, checkpointed
    store = SQLiteEventStore(files / "events.db")
    keys = SQLiteKeyStore(files / "keys.db")
    sealed = Sealer(keys).seal({"caption": "hello"}, ("caption",), subject="u1", event_id="e-1")
    event = NewEvent("VideoPublished", sealed, event_id="e-1", metadata=Metadata(actor="u1", key_id="u1"))
    store.append("video-1", [event], StreamState.ANY)
    store.close()
    checkpoint(files)
    # When the person's key is shredded
    keys.erase("u1")
    keys.close()
    # Then
    result = verify(files)
    assert result.exit_code == 0, result.output


def test_checkpoint_will_not_carry_on_from_a_file_that_does_not_check_out(files: Path, db: Path) -> None:
    # Given
    checkpoint(files)
    path = files / "checkpoints.jsonl"
    path.write_bytes(path.read_bytes().replace(b'"events":19', b'"events":18'))
    # When
    result = strom("audit", "checkpoint", "--checkpoints", str(path))
    # Then
    assert result.exit_code == 2
    assert "was changed after it was signed" in result.stderr
    assert len(path.read_bytes().splitlines()) == 1


def test_a_long_log_gets_several_checkpoints_that_verify_together(files: Path, db: Path) -> None:
    # Given
    store = SQLiteEventStore(db)
    trail = files / "checkpoints.jsonl"
    key = Path(os.environ["STROM_AUDIT_SIGNING_KEY"])
    # When
    made = audit.checkpoint_log(store, key=key, trail=trail, limit=5)
    verdict = audit.verify_log(store, trail=trail, public_key=key.with_suffix(".pub"))
    store.close()
    # Then
    assert [(cp.seq, cp.events) for cp in made] == [(1, 5), (2, 10), (3, 15), (4, 19)]
    assert verdict.intact, verdict.tampering
    assert len(verdict.checkpoints) == 4
