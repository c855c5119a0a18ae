"""Personal data is sealed in the log and can be shredded without breaking the chain."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from eventstore.chain import verify_chain
from eventstore.codec import EventCodec
from eventstore.envelope import StreamState
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
