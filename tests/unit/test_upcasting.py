"""Old event shapes are lifted to the newest on read; the log itself is never rewritten."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from domain.events import DomainEvent
from domain.videos import VideoProcessingSucceeded
from eventstore.codec import EventCodec
from eventstore.envelope import NewEvent, StreamState
from eventstore.errors import CorruptEvent, UnknownEventType
from eventstore.keystore import SQLiteKeyStore
from eventstore.sealing import Sealer
from eventstore.sqlite import SQLiteEventStore


@dataclasses.dataclass(frozen=True, slots=True)
class Renamed(DomainEvent):
    """Version 3 of a test event: v1 had ``name``, v2 split it, v3 added ``lang``."""

    first: str
    last: str
    lang: str


def v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    first, _, last = data["name"].partition(" ")
    return {"first": first, "last": last}


def v2_to_v3(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "lang": "und"}


@pytest.fixture
def setup(tmp_path: Path) -> tuple[SQLiteEventStore, EventCodec]:
    Renamed.event_type, Renamed.schema_version = "Renamed", 3
    codec = EventCodec(
        Sealer(SQLiteKeyStore(tmp_path / "k.db")),
        types={"Renamed": Renamed},
        upcasters={("Renamed", 1): v1_to_v2, ("Renamed", 2): v2_to_v3},
    )
    return SQLiteEventStore(tmp_path / "e.db"), codec


def test_a_v1_event_reads_as_the_newest_shape(setup: tuple[SQLiteEventStore, EventCodec]) -> None:
    store, codec = setup
    store.append("p-1", [NewEvent("Renamed", {"name": "Ada Lovelace"}, schema_version=1)], StreamState.ANY)
    (record,) = store.read_stream("p-1")
    assert codec.decode(record).event == Renamed("Ada", "Lovelace", "und")
    assert record.data == {"name": "Ada Lovelace"}  # stored as written


def test_a_version_with_no_upcaster_is_a_loud_error_naming_the_position(
    setup: tuple[SQLiteEventStore, EventCodec],
) -> None:
    store, codec = setup
    result = store.append("p-1", [NewEvent("Renamed", {"x": 1}, schema_version=0)], StreamState.ANY)
    with pytest.raises(CorruptEvent, match=f"position {result.position}"):
        codec.decode(store.read_stream("p-1")[0])


def test_a_version_newer_than_the_code_is_refused(setup: tuple[SQLiteEventStore, EventCodec]) -> None:
    store, codec = setup
    store.append("p-1", [NewEvent("Renamed", {"first": "a"}, schema_version=4)], StreamState.ANY)
    with pytest.raises(CorruptEvent, match="newer than this code"):
        codec.decode(store.read_stream("p-1")[0])


def test_an_unknown_event_type_names_stream_and_position(setup: tuple[SQLiteEventStore, EventCodec]) -> None:
    store, codec = setup
    result = store.append("p-9", [NewEvent("NoSuchThing", {})], StreamState.ANY)
    with pytest.raises(UnknownEventType) as caught:
        codec.decode(store.read_stream("p-9")[0])
    assert (caught.value.stream, caught.value.position) == ("p-9", result.position)


def test_a_processing_result_stored_before_thumbnail_strips_reads_with_none(tmp_path: Path) -> None:
    store, codec = SQLiteEventStore(tmp_path / "e.db"), EventCodec(Sealer(SQLiteKeyStore(tmp_path / "k.db")))
    v1 = {"video_id": "v", "owner_id": "o", "renditions": ["240p"], "master_playlist": "m", "poster": "p"}
    store.append("video-v", [NewEvent("VideoProcessingSucceeded", v1, schema_version=1)], StreamState.ANY)
    (record,) = store.read_stream("video-v")
    assert codec.decode(record).event == VideoProcessingSucceeded("v", "o", ["240p"], "m", "p", None)
    assert VideoProcessingSucceeded.schema_version == 2
