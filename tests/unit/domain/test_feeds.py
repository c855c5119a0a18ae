"""Served pages: what was shown is recorded once per page, in order, with a reason for each item."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from commands import streams
from commands.context import Ports, Request
from commands.feeds import record_feed_served
from domain.actors import Actor
from domain.errors import InvalidCommand
from domain.feeds import MAX_ITEMS, FeedServed, RecordFeedServed, ServedItem, decide_record_feed_served
from eventstore.codec import EventCodec
from eventstore.keystore import SQLiteKeyStore
from eventstore.sealing import Sealer
from eventstore.sqlite import SQLiteEventStore

VIEWER = Actor("0190aaaa-bbbb-7ccc-8ddd-00000000000a")
ITEM = ServedItem("v1", 0.75, "trending", "popular in #cats")


def served(*items: ServedItem, personalised: bool = True) -> RecordFeedServed:
    return RecordFeedServed(VIEWER, "page-1", personalised, items)


@pytest.mark.parametrize(
    ("shown", "recorded"),
    [
        ("from @ana_dances, whom you follow", "from @[withheld], whom you follow"),
        ("because you liked @bo.b's video", "because you liked @[withheld]'s video"),
        ("popular in #cats", "popular in #cats"),
    ],
)
def test_a_reason_is_recorded_without_the_handle_it_names(shown: str, recorded: str) -> None:
    # Given: the viewer is shown the creator's handle, but the record is the viewer's and would
    # keep the creator's handle after the creator's erasure
    cmd = served(ServedItem("v1", 0.5, "following", shown))
    # When
    (event,) = decide_record_feed_served(cmd)
    # Then
    assert event.items is not None
    assert event.items[0]["reason"] == recorded


def test_a_page_becomes_one_event_with_its_items_in_order() -> None:
    second = ServedItem("v2", 0.5, "fresh", "new on Strom")
    (event,) = decide_record_feed_served(served(ITEM, second, personalised=False))
    assert event == FeedServed(
        page_id="page-1",
        viewer_id=VIEWER.user_id,
        personalised=False,
        items=[
            {"video_id": "v1", "score": 0.75, "source": "trending", "reason": "popular in #cats"},
            {"video_id": "v2", "score": 0.5, "source": "fresh", "reason": "new on Strom"},
        ],
    )


def test_an_empty_page_records_nothing() -> None:
    assert decide_record_feed_served(served()) == []


@pytest.mark.parametrize(
    "item",
    [
        ServedItem("v1", float("nan"), "trending", "r"),
        ServedItem("v1", 1.0, "gossip", "r"),
        ServedItem("v1", 1.0, "trending", ""),
        ServedItem("v1", 1.0, "trending", "x" * 121),
    ],
    ids=["nan-score", "unknown-source", "no-reason", "long-reason"],
)
def test_a_page_with_a_malformed_item_is_refused(item: ServedItem) -> None:
    with pytest.raises(InvalidCommand):
        decide_record_feed_served(served(item))


def test_a_page_over_the_limit_is_refused() -> None:
    with pytest.raises(InvalidCommand):
        decide_record_feed_served(served(*[ITEM] * (MAX_ITEMS + 1)))


@pytest.fixture
def ports(tmp_path: Path) -> Iterator[Ports]:
    keys = SQLiteKeyStore(tmp_path / "keys.db")
    store = SQLiteEventStore(tmp_path / "events.db")
    yield Ports(store=store, codec=EventCodec(Sealer(keys)), keys=keys)
    store.close()
    keys.close()


def test_a_page_recorded_twice_is_stored_once_in_the_viewers_day_stream(ports: Ports) -> None:
    day = datetime(2026, 11, 24, 12, tzinfo=UTC)
    first = record_feed_served(served(ITEM), ports=ports, request=Request(VIEWER), clock=lambda: day)
    again = record_feed_served(served(ITEM), ports=ports, request=Request(VIEWER), clock=lambda: day)
    records = list(ports.store.read_stream(streams.feeds(VIEWER.user_id, "20261124")))
    assert [r.type for r in records] == ["FeedServed"]
    assert first.appended == 1
    assert again.position == first.position
