"""The hash chain detects any change to a stored event or to the order of a stream."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from eventstore.chain import verify_chain
from eventstore.envelope import Metadata, NewEvent, RecordedEvent, StreamState
from eventstore.sqlite import SQLiteEventStore


@pytest.fixture
def chain(tmp_path: Path) -> list[RecordedEvent]:
    store = SQLiteEventStore(tmp_path / "e.db")
    meta = Metadata(actor="user-1")
    store.append("s-1", [NewEvent("A", {"n": i}, metadata=meta) for i in range(4)], StreamState.NO_STREAM)
    return store.read_stream("s-1")


def test_an_untouched_stream_verifies(chain: list[RecordedEvent]) -> None:
    assert verify_chain(chain) == []


@pytest.mark.parametrize(
    "tamper",
    [
        lambda e: dataclasses.replace(e, data={"n": 99}),
        lambda e: dataclasses.replace(e, type="B"),
        lambda e: dataclasses.replace(e, schema_version=2),
        lambda e: dataclasses.replace(e, metadata=dataclasses.replace(e.metadata, actor="someone-else")),
        lambda e: dataclasses.replace(e, event_id="00000000-0000-0000-0000-000000000000"),
    ],
    ids=["data", "type", "schema", "actor", "event_id"],
)
def test_changing_any_covered_field_breaks_the_chain_at_that_event(
    chain: list[RecordedEvent], tamper: object
) -> None:
    chain[2] = tamper(chain[2])  # type: ignore[operator]
    breaks = verify_chain(chain)
    assert [(b.version, b.reason) for b in breaks] == [(2, "hash does not match content")]


def test_a_removed_event_is_reported_as_a_gap(chain: list[RecordedEvent]) -> None:
    del chain[1]
    reasons = {b.reason for b in verify_chain(chain)}
    assert reasons == {"revision gap", "prev_hash does not link"}
