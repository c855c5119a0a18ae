"""A process manager's checkpoint (``projections.following``) is written at most about once a second
while the log is live, not at every catch-up (a write for each append, for each manager), and still
settles at the head once the log goes quiet."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from eventstore.envelope import Checkpoint, NewEvent, RecordedEvent, StreamState
from eventstore.sqlite import SQLiteEventStore, SQLiteSubscription
from migrations.runner import apply_pending
from projections.following import Follower
from read_models.sqlite import SQLiteReadStore


class Counting(Follower):
    name = "counting_follower"

    def __init__(self, *, events: SQLiteEventStore, store: SQLiteReadStore) -> None:
        super().__init__(events=events, store=store)
        self.saves: list[int] = []

    def react(self, record: RecordedEvent) -> bool:
        return False

    def _save(self, position: int) -> None:
        self.saves.append(position)
        super()._save(position)


@pytest.fixture
def events(tmp_path: Path) -> Iterator[SQLiteEventStore]:
    store = SQLiteEventStore(tmp_path / "events.db")
    yield store
    store.close()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteReadStore]:
    store = SQLiteReadStore(tmp_path / "read.db")
    apply_pending(store)
    yield store
    store.close()


def wait_for(check: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.02)
    raise AssertionError("not within the time")


def test_a_live_follower_writes_its_checkpoint_seldom_and_settles_at_the_head(
    events: SQLiteEventStore, store: SQLiteReadStore
) -> None:
    # Given a follower reading the live log
    follower = Counting(events=events, store=store)
    follower.start()
    try:
        # When forty events come one by one, each a catch-up of its own
        for n in range(40):
            events.append(f"thing-{n}", [NewEvent(type="Happened", data={"n": n})], StreamState.NO_STREAM)
            time.sleep(0.01)
        head = events.head_position()

        # Then its checkpoint reaches the head once the log is quiet
        wait_for(lambda: follower.checkpoint() == head, 5.0)
        # And it was written a few times, not once for each catch-up
        assert len(follower.saves) <= 6
    finally:
        follower.stop()


def test_a_quiet_subscription_repeats_its_mark(events: SQLiteEventStore) -> None:
    # Given a subscription that has caught up with a log holding one event
    events.append("thing-1", [NewEvent(type="Happened", data={})], StreamState.NO_STREAM)
    subscription = SQLiteSubscription(events, 0, None, checkpoints=True, fallback_s=0.05)
    seen: list[object] = []
    reader = threading.Thread(target=lambda: seen.extend(subscription), daemon=True)

    # When nothing more comes for half a second
    reader.start()
    time.sleep(0.5)
    subscription.stop()
    reader.join(5)

    # Then the event, then the same mark again and again
    head = events.head_position()
    assert isinstance(seen[0], RecordedEvent)
    assert len(seen) >= 4
    assert set(seen[1:]) == {Checkpoint(head)}
