"""Personal data is sealed in the log and can be shredded without breaking the chain."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.watching import WatchProgressed
from eventstore.chain import verify_chain
from eventstore.codec import EventCodec
from eventstore.envelope import NewEvent, StreamState
from eventstore.errors import CorruptEvent, SubjectErased
from eventstore.keystore import SQLiteKeyStore
from eventstore.sealing import SEALED, Sealer
from eventstore.sqlite import SQLiteEventStore
from tests.unit.fixtures import NoteWritten, register_test_events


@pytest.fixture
def keys(tmp_path: Path) -> Iterator[SQLiteKeyStore]:
    store = SQLiteKeyStore(tmp_path / "keys.db")
    yield store
    store.close()


@pytest.fixture
def events(tmp_path: Path) -> Iterator[SQLiteEventStore]:
    store = SQLiteEventStore(tmp_path / "events.db")
    yield store
    store.close()


@pytest.fixture
def codec(keys: SQLiteKeyStore) -> EventCodec:
    register_test_events()
    return EventCodec(Sealer(keys))


def test_personal_fields_are_stored_encrypted_and_read_back_plain(
    codec: EventCodec, events: SQLiteEventStore
) -> None:
    # Given
    note = NoteWritten(author_id="u1", text="my secret", public_tag="tag")
    # When
    events.append("note-1", [codec.encode(note)], StreamState.NO_STREAM)
    (record,) = events.read_stream("note-1")
    # Then
    assert set(record.data["text"]) == {SEALED}
    assert "my secret" not in str(record.data)
    assert record.data["public_tag"] == "tag"
    assert record.metadata.key_id == "u1"
    assert codec.decode(record).event == note


def test_erasing_the_key_makes_personal_fields_read_as_erased_and_the_chain_still_verifies(
    codec: EventCodec, events: SQLiteEventStore, keys: SQLiteKeyStore
) -> None:
    # Given
    events.append("note-1", [codec.encode(NoteWritten("u1", "first"))], StreamState.NO_STREAM)
    events.append("note-1", [codec.encode(NoteWritten("u2", "other person"))], 0)
    # When
    assert keys.erase("u1") is True
    # Then
    first, second = (codec.decode(r) for r in events.read_stream("note-1"))
    assert first.erased == {"text"}
    assert first.event == NoteWritten("u1", None, "")  # type: ignore[arg-type]
    assert second.erased == frozenset()
    assert second.event == NoteWritten("u2", "other person")
    assert verify_chain(events.read_stream("note-1")) == []


def test_an_erased_subject_never_gets_a_new_key(keys: SQLiteKeyStore) -> None:
    keys.key_for("u1")
    keys.erase("u1")
    with pytest.raises(SubjectErased):
        keys.key_for("u1")
    assert keys.find("u1") is None
    assert keys.erase("u1") is False


def test_a_sealed_value_moved_to_another_event_does_not_decrypt(
    codec: EventCodec, events: SQLiteEventStore
) -> None:
    # Given two sealed notes by the same author
    a = codec.encode(NoteWritten("u1", "alpha"))
    b = codec.encode(NoteWritten("u1", "beta"))
    # When the sealed text of one is pasted into the other
    forged = type(b)(type=b.type, data={**b.data, "text": a.data["text"]}, metadata=b.metadata)
    events.append("note-1", [forged], StreamState.NO_STREAM)
    # Then reading it is a loud error naming where, never a silent wrong value
    with pytest.raises(CorruptEvent, match="note-1"):
        codec.decode(events.read_stream("note-1")[0])


def test_fields_sealed_together_are_one_box_that_reads_back_and_shreds_like_the_others(
    codec: EventCodec, events: SQLiteEventStore, keys: SQLiteKeyStore
) -> None:
    # Given a watch signal, whose video and figures are sealed together, and one stored before they were
    signal = WatchProgressed("c1", "u1", "v-secret", 9000, 8000, True, False)
    old = NewEvent(type="WatchProgressed", data={**signal.to_data(), "client_event_id": "c0"})
    # When both are stored
    events.append("activity-u1-20250101", [codec.encode(signal), old], StreamState.ANY)
    new_record, old_record = events.read_stream("activity-u1-20250101")
    # Then the new one holds one box and nothing of what it seals; both read back as written
    assert set(new_record.data) == {"client_event_id", "viewer_id", SEALED}
    assert new_record.data[SEALED]["fields"] == [
        "video_id",
        "watched_ms",
        "position_ms",
        "completed",
        "rewatch",
    ]
    assert "v-secret" not in str(new_record.data)
    assert codec.decode(new_record).event == signal
    assert codec.decode(old_record).event.to_data()["video_id"] == "v-secret"
    # And once the viewer's key is erased, the new one reads as erased, field by field
    keys.erase("u1")
    erased = codec.decode(new_record)
    assert erased.event == WatchProgressed("c1", "u1", None, None, None, None, None)
    assert erased.erased == {"video_id", "watched_ms", "position_ms", "completed", "rewatch"}
    assert verify_chain(events.read_stream("activity-u1-20250101")) == []


def test_a_box_moved_to_another_event_does_not_open(codec: EventCodec, events: SQLiteEventStore) -> None:
    first, second = (codec.encode(WatchProgressed(c, "u1", "v1", 1, 1, False, False)) for c in ("a", "b"))
    moved = dataclasses.replace(second, data={**second.data, SEALED: first.data[SEALED]})
    events.append("activity-u1-20250102", [moved], StreamState.ANY)
    (record,) = events.read_stream("activity-u1-20250102")
    with pytest.raises(CorruptEvent):
        codec.decode(record)


class CountingKeys:
    """The key store, counting the lookups a reader makes."""

    def __init__(self, keys: SQLiteKeyStore) -> None:
        self.keys, self.found = keys, 0

    def key_for(self, subject: str) -> bytes:
        return self.keys.key_for(subject)

    def find(self, subject: str) -> bytes | None:
        self.found += 1
        return self.keys.find(subject)

    def erase(self, subject: str) -> bool:
        return self.keys.erase(subject)

    def close(self) -> None:
        self.keys.close()


def test_a_batch_codec_looks_each_key_up_once_and_the_next_batch_sees_an_erasure(
    codec: EventCodec, events: SQLiteEventStore, keys: SQLiteKeyStore
) -> None:
    # Given three notes by u1 and one by u2
    notes = [
        NoteWritten(author_id=a, text=f"t{i}", public_tag="x") for i, a in enumerate(["u1", "u1", "u2", "u1"])
    ]
    events.append("note-1", [codec.encode(n) for n in notes], StreamState.NO_STREAM)
    records = events.read_stream("note-1")
    counting = CountingKeys(keys)
    reader = EventCodec(Sealer(counting))
    # When one batch reads them all
    batch = reader.for_batch()
    assert [batch.decode(r).event for r in records] == notes
    # Then each person's key was looked up once
    assert counting.found == 2
    # And once u1 is erased, the next batch reads u1's notes as erased, u2's as written
    keys.erase("u1")
    after = [reader.for_batch().decode(r) for r in records]
    assert [d.erased for d in after] == [frozenset({"text"})] * 2 + [frozenset()] + [frozenset({"text"})]
    # And a reader without a batch asks the store every time
    counting.found = 0
    [reader.decode(r) for r in records]
    assert counting.found == 4
