"""Checkpoints of the log chain: the key that signs them is kept safe, and what differs from one is
named, down to the event."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from eventstore import checkpoints
from eventstore.chain import GENESIS, log_link
from eventstore.checkpoints import CheckpointError
from eventstore.envelope import NewEvent, RecordedEvent, StreamState
from eventstore.log_audit import LogAuditor
from eventstore.sqlite import SQLiteEventStore


@pytest.fixture
def log(tmp_path: Path) -> list[RecordedEvent]:
    """``a`` v0, ``b`` v0, ``a`` v1 at positions 1, 2, 3."""
    store = SQLiteEventStore(tmp_path / "e.db")
    for stream in ("a-1", "b-1", "a-1"):
        store.append(stream, [NewEvent("Noted", {"s": stream})], StreamState.ANY)
    events = list(store.read_all())
    store.close()
    return events


def audit(events: list[RecordedEvent], checkpointed: list[RecordedEvent]) -> list[str]:
    cp = checkpoints.make(checkpointed, None, Ed25519PrivateKey.generate())
    assert cp is not None
    auditor = LogAuditor([cp])
    for e in events:
        auditor.check(e)
    return auditor.finish()


def test_the_log_chain_depends_on_the_order_of_events_across_streams(log: list[RecordedEvent]) -> None:
    a, b = dataclasses.replace(log[0], position=2), dataclasses.replace(log[1], position=1)
    in_order = log_link(log_link(GENESIS, log[0]), log[1])
    assert log_link(log_link(GENESIS, b), a) != in_order


def test_an_untouched_log_matches_its_checkpoint(log: list[RecordedEvent]) -> None:
    assert audit(log, log) == []


def test_an_event_that_was_not_there_at_the_checkpoint_is_named(log: list[RecordedEvent]) -> None:
    found = audit(log, [log[0], log[2]])
    assert "event at position 2 (b-1 v0) was not in the log when checkpoint 1 was made" in found


def test_an_event_moved_into_a_deleted_events_place_is_named(log: list[RecordedEvent]) -> None:
    # Given a checkpoint of a-1 v0, b-1 v0, a-1 v1; When a-1 v0 goes and b-1 v0 takes its place
    tampered = [dataclasses.replace(log[1], position=1), log[2]]
    # Then
    assert audit(tampered, log) == [
        "the log no longer matches checkpoint 1 at position 3",
        "stream a-1 lost version 0 since checkpoint 1 at position 3",
        "event b-1 v0 moved from position 2 to 1 since checkpoint 1",
    ]


def test_a_signing_key_others_may_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "audit.key"
    checkpoints.signing_key(path)
    os.chmod(path, 0o644)
    with pytest.raises(CheckpointError, match="chmod 600"):
        checkpoints.signing_key(path)


def test_a_lost_signing_key_is_not_silently_replaced(tmp_path: Path) -> None:
    """Old checkpoints can only be checked with the old public key: it must not be overwritten."""
    path = tmp_path / "audit.key"
    checkpoints.signing_key(path)
    path.unlink()
    with pytest.raises(CheckpointError, match="restore that key"):
        checkpoints.signing_key(path)
    assert checkpoints.public_key(tmp_path / "audit.pub") is not None
