"""Commands run on an event loop (``execute_async``) decide as threads do: against the freshest state,
one at a time per stream, and keep the state their append made."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from commands import streams
from commands.aggregates import VIDEO_LIKE
from commands.context import Outcome, Ports, Request
from commands.folds import FoldCache
from commands.handling import execute, execute_async, load
from domain.actors import Actor
from domain.engagement import likes
from eventstore.codec import EventCodec
from eventstore.envelope import AppendResult, Expected, NewEvent
from eventstore.keystore import SQLiteKeyStore
from eventstore.sealing import Sealer
from eventstore.sqlite import SQLiteEventStore
from tests import loops

USER, VIDEO = "u-1", "v-1"
STREAM = streams.video_like(USER, VIDEO)


class CountingStore(SQLiteEventStore):
    """Counts the appends it was asked for, the refused ones included."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, sync="normal")
        self.asked = 0

    async def append_async(self, stream: str, events: Sequence[NewEvent], expected: Expected) -> AppendResult:
        self.asked += 1
        return await super().append_async(stream, events, expected)


@pytest.fixture
def ports(tmp_path: Path) -> Iterator[Ports]:
    keys = SQLiteKeyStore(tmp_path / "keys.db")
    store = CountingStore(tmp_path / "events.db")
    yield Ports(store=store, codec=EventCodec(Sealer(keys)), keys=keys, folds=FoldCache())
    store.close()
    keys.close()


def toggling(state: likes.State) -> list[likes.Event]:
    """Likes what is not liked, unlikes what is: every command records one event."""
    if state.liked:
        return [likes.VideoUnliked(user_id=USER, video_id=VIDEO)]
    return [likes.VideoLiked(user_id=USER, video_id=VIDEO)]


async def toggle(ports: Ports) -> Outcome:
    return await execute_async(ports, Request(Actor(USER)), STREAM, VIDEO_LIKE, toggling)


def test_commands_on_one_stream_on_one_loop_take_turns_and_never_conflict(ports: Ports) -> None:
    # When twenty people's taps on one like button arrive at once
    async def at_once() -> list[Outcome]:
        return await asyncio.gather(*(toggle(ports) for _ in range(20)))

    outcomes = loops.run(at_once())

    # Then each decided on the state the one before it left: twenty events, alternating, none refused
    events = [e.type for e in ports.store.read_stream(STREAM)]
    assert len(events) == 20
    assert all(a != b for a, b in itertools.pairwise(events))
    assert events[0] == "VideoLiked"
    store: Any = ports.store
    assert store.asked == 20
    assert sorted(o.position for o in outcomes) == [e.position for e in ports.store.read_stream(STREAM)]


def test_a_command_on_the_loop_and_one_on_a_thread_see_each_others_events(ports: Ports) -> None:
    # Given a like recorded on the loop
    loops.run(toggle(ports))

    # When a thread unlikes, and the loop likes again
    execute(ports, Request(Actor(USER)), STREAM, VIDEO_LIKE, toggling)
    loops.run(toggle(ports))

    # Then the history alternates and the state kept is the log's
    assert [e.type for e in ports.store.read_stream(STREAM)] == ["VideoLiked", "VideoUnliked", "VideoLiked"]
    uncached = Ports(store=ports.store, codec=ports.codec, keys=ports.keys, folds=FoldCache(0))
    assert load(ports, STREAM, VIDEO_LIKE) == load(uncached, STREAM, VIDEO_LIKE)
