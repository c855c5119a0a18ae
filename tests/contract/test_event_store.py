"""The event-store contract: every adapter must behave exactly like this."""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from eventstore.chain import verify_chain
from eventstore.envelope import Checkpoint, EventFilter, Metadata, NewEvent, RecordedEvent, StreamState
from eventstore.errors import InvalidAppend, StreamNotFound, WrongExpectedVersion
from eventstore.port import EventStore, Subscription
from tests.contract.event_store_backends import OPENERS, Opener


@pytest.fixture(params=sorted(OPENERS))
def opener(request: pytest.FixtureRequest, tmp_path: Path) -> Opener:
    return OPENERS[request.param](tmp_path)


@pytest.fixture
def store(opener: Opener) -> Iterator[EventStore]:
    s = opener()
    yield s
    s.close()


@pytest.fixture
def category() -> str:
    """A category no other test uses, so a shared server's other events never interfere."""
    return "t" + uuid.uuid4().hex[:12]


def new(n: int = 1, type_: str = "Happened", **data: object) -> list[NewEvent]:
    return [NewEvent(type=type_, data={"n": i, **data}) for i in range(n)]


def stream_of(category: str) -> str:
    return f"{category}-{uuid.uuid4().hex}"


def test_revisions_start_at_zero_and_count_up(store: EventStore, category: str) -> None:
    stream = stream_of(category)
    first = store.append(stream, new(1), StreamState.NO_STREAM)
    second = store.append(stream, new(2), 0)
    assert first.version == 0
    assert second.version == 2
    assert second.position > first.position
    assert store.stream_version(stream) == 2
    assert [e.version for e in store.read_stream(stream)] == [0, 1, 2]


def test_exact_expected_version_that_is_stale_is_refused_with_the_actual(
    store: EventStore, category: str
) -> None:
    stream = stream_of(category)
    store.append(stream, new(2), StreamState.NO_STREAM)
    with pytest.raises(WrongExpectedVersion) as caught:
        store.append(stream, new(1), 0)
    assert caught.value.actual == 1
    assert len(store.read_stream(stream)) == 2


@pytest.mark.parametrize(
    ("exists", "expected", "accepted"),
    [
        (False, StreamState.NO_STREAM, True),
        (True, StreamState.NO_STREAM, False),
        (False, StreamState.EXISTS, False),
        (True, StreamState.EXISTS, True),
        (False, StreamState.ANY, True),
        (True, StreamState.ANY, True),
    ],
)
def test_stream_state_conditions(
    store: EventStore, category: str, exists: bool, expected: StreamState, accepted: bool
) -> None:
    # Given
    stream = stream_of(category)
    if exists:
        store.append(stream, new(1), StreamState.NO_STREAM)
    # When / Then
    if accepted:
        store.append(stream, new(1), expected)
        assert store.stream_version(stream) == (1 if exists else 0)
    else:
        with pytest.raises(WrongExpectedVersion):
            store.append(stream, new(1), expected)


def test_a_refused_multi_event_append_stores_none_of_its_events(store: EventStore, category: str) -> None:
    stream = stream_of(category)
    store.append(stream, new(1), StreamState.NO_STREAM)
    with pytest.raises(WrongExpectedVersion):
        store.append(stream, new(5), StreamState.NO_STREAM)
    assert len(store.read_stream(stream)) == 1


def test_an_empty_or_malformed_append_is_refused(store: EventStore, category: str) -> None:
    with pytest.raises(InvalidAppend):
        store.append(stream_of(category), [], StreamState.ANY)
    with pytest.raises(InvalidAppend):
        store.append("", new(1), StreamState.ANY)
    twice = new(1)
    with pytest.raises(InvalidAppend):
        store.append(stream_of(category), twice + twice, StreamState.ANY)


@pytest.mark.parametrize("expected", [StreamState.NO_STREAM, StreamState.ANY])
def test_retrying_the_same_event_ids_stores_them_once(
    store: EventStore, category: str, expected: StreamState
) -> None:
    stream = stream_of(category)
    events = new(3)
    first = store.append(stream, events, expected)
    again = store.append(stream, events, expected)
    assert again == first
    assert [e.event_id for e in store.read_stream(stream)] == [e.event_id for e in events]


def test_a_retry_after_the_stream_moved_on_answers_as_the_first_time(
    store: EventStore, category: str
) -> None:
    # Given an append at an exact version, and another append after it
    stream = stream_of(category)
    store.append(stream, new(1), StreamState.NO_STREAM)
    events = new(2)
    first = store.append(stream, events, 0)
    store.append(stream, new(1), 2)
    # When the first one is sent again with its stale version
    again = store.append(stream, events, 0)
    # Then it answers as the first time did, and nothing is stored twice
    assert again == first
    assert len(list(store.read_stream(stream))) == 4


def test_events_round_trip_with_their_envelope(store: EventStore, category: str) -> None:
    stream = stream_of(category)
    meta = Metadata(actor="user-1", correlation_id="c-1", causation_id="k-1", idempotency_key="idem-1")
    sent = NewEvent(type="VideoLiked", data={"text": "héllo ✓", "n": [1, 2]}, schema_version=3, metadata=meta)
    store.append(stream, [sent], StreamState.NO_STREAM)
    (got,) = store.read_stream(stream)
    assert (got.event_id, got.type, got.schema_version, got.data) == (
        sent.event_id,
        "VideoLiked",
        3,
        {"text": "héllo ✓", "n": [1, 2]},
    )
    assert (got.metadata.actor, got.metadata.correlation_id, got.metadata.causation_id) == (
        "user-1",
        "c-1",
        "k-1",
    )
    assert got.metadata.idempotency_key == "idem-1"
    assert got.metadata.occurred_at == meta.occurred_at
    assert got.category == category


def test_appends_build_a_hash_chain_that_verifies(store: EventStore, category: str) -> None:
    stream = stream_of(category)
    store.append(stream, new(2), StreamState.NO_STREAM)
    store.append(stream, new(3), StreamState.ANY)
    events = store.read_stream(stream)
    assert events[0].metadata.prev_hash == ""
    assert all(b.metadata.prev_hash == a.metadata.hash for a, b in itertools.pairwise(events))
    assert verify_chain(events) == []


def test_read_stream_forwards_backwards_and_limited(store: EventStore, category: str) -> None:
    stream = stream_of(category)
    store.append(stream, new(5), StreamState.NO_STREAM)
    assert [e.version for e in store.read_stream(stream, from_version=2)] == [2, 3, 4]
    assert [e.version for e in store.read_stream(stream, backwards=True)] == [4, 3, 2, 1, 0]
    assert [e.version for e in store.read_stream(stream, from_version=3, backwards=True, limit=2)] == [3, 2]
    assert [e.version for e in store.read_stream(stream, limit=2)] == [0, 1]


def test_reading_forward_from_past_a_streams_end_gives_nothing_new(store: EventStore, category: str) -> None:
    """What a command pays when its cached state is current: the read after it finds nothing."""
    stream = stream_of(category)
    store.append(stream, new(3), StreamState.NO_STREAM)
    assert store.read_stream(stream, from_version=3) == []
    store.append(stream, new(1), 2)
    assert [e.version for e in store.read_stream(stream, from_version=3)] == [3]


def test_reading_a_missing_stream_raises_stream_not_found(store: EventStore, category: str) -> None:
    with pytest.raises(StreamNotFound):
        store.read_stream(stream_of(category))
    assert store.stream_version(stream_of(category)) is None


def _all_of(store: EventStore, category: str, after: int | None = None) -> list[RecordedEvent]:
    return list(store.read_all(after=after, filter=EventFilter(categories=(category,))))


def test_read_all_is_in_strictly_increasing_global_order_across_streams(
    store: EventStore, category: str
) -> None:
    a, b = stream_of(category), stream_of(category)
    for i in range(3):
        store.append(a, new(1, i=i), StreamState.ANY)
        store.append(b, new(1, i=i), StreamState.ANY)
    events = _all_of(store, category)
    positions = [e.position for e in events]
    assert positions == sorted(set(positions))
    assert [e.stream for e in events] == [a, b] * 3


def test_read_all_after_a_position_excludes_that_position(store: EventStore, category: str) -> None:
    stream = stream_of(category)
    store.append(stream, new(4), StreamState.NO_STREAM)
    events = _all_of(store, category)
    later = _all_of(store, category, after=events[1].position)
    assert [e.version for e in later] == [2, 3]


def test_read_all_filters_by_category_or_by_type(store: EventStore, category: str) -> None:
    other = "u" + category[1:]
    store.append(stream_of(category), new(1, type_=f"{category}Liked"), StreamState.ANY)
    store.append(stream_of(other), new(1, type_=f"{category}Shared"), StreamState.ANY)
    store.append(stream_of(other), new(1, type_="Other"), StreamState.ANY)
    by_type = list(store.read_all(filter=EventFilter(types=(f"{category}Shared",))))
    assert [e.type for e in by_type] == [f"{category}Shared"]
    by_cat = list(store.read_all(filter=EventFilter(categories=(other,))))
    assert [e.type for e in by_cat] == [f"{category}Shared", "Other"]


def test_read_all_honours_the_limit(store: EventStore, category: str) -> None:
    store.append(stream_of(category), new(5), StreamState.ANY)
    got = list(store.read_all(filter=EventFilter(categories=(category,)), limit=3))
    assert len(got) == 3


def test_subscription_catches_up_then_receives_live_events_promptly(
    store: EventStore, opener: Opener, category: str
) -> None:
    # Given history before the subscription starts
    stream = stream_of(category)
    start = store.head_position()
    store.append(stream, new(3), StreamState.NO_STREAM)
    sub = store.subscribe(after=start, filter=EventFilter(categories=(category,)))
    received: list[tuple[RecordedEvent, float]] = []

    def consume() -> None:
        for event in sub:
            assert isinstance(event, RecordedEvent)  # no checkpoints unless asked for
            received.append((event, time.monotonic()))
            if len(received) == 5:
                return

    thread = threading.Thread(target=consume, daemon=True)
    thread.start()
    _wait_for(lambda: len(received) >= 3)
    # When another connection appends while the subscriber waits
    writer = opener()
    time.sleep(0.2)
    sent_at = time.monotonic()
    writer.append(stream, new(2), 2)
    thread.join(timeout=5)
    sub.stop()
    writer.close()
    # Then it sees history and live events once each, in order, well within the fallback
    assert [e.version for e, _ in received] == [0, 1, 2, 3, 4]
    assert received[3][1] - sent_at < 0.5


def test_checkpoints_mark_progress_through_events_the_filter_leaves_out(
    store: EventStore, category: str
) -> None:
    # Given a subscription to one category, asking for checkpoints
    other = "u" + category[1:]
    start = store.head_position()
    sub = store.subscribe(after=start, filter=EventFilter(categories=(category,)), checkpoints=True)
    seen: list[RecordedEvent | Checkpoint] = []
    # When only other categories' events are appended
    last = store.append(stream_of(other), new(40), StreamState.ANY).position
    thread = threading.Thread(target=lambda: _collect_until(sub, seen, last), daemon=True)
    thread.start()
    thread.join(timeout=10)
    sub.stop()
    # Then it reports a checkpoint at or past them, and no event
    assert any(isinstance(item, Checkpoint) and item.position >= last for item in seen)
    assert not any(isinstance(item, RecordedEvent) for item in seen)


def test_while_the_log_is_quiet_the_last_checkpoint_comes_again(store: EventStore, category: str) -> None:
    # Given a subscription with checkpoints that has caught up with an event
    store.append(stream_of(category), new(1), StreamState.NO_STREAM)
    head = store.head_position()
    sub = store.subscribe(after=head - 1, filter=EventFilter(categories=(category,)), checkpoints=True)
    seen: list[RecordedEvent | Checkpoint] = []
    reader = threading.Thread(target=lambda: seen.extend(sub), daemon=True)

    # When nothing more is appended for a few seconds
    reader.start()
    time.sleep(2.6)
    sub.stop()
    reader.join(timeout=10)

    # Then the event came, and after it its mark, again and again
    marks = [item for item in seen if isinstance(item, Checkpoint)]
    assert [item.position for item in seen if isinstance(item, RecordedEvent)] == [head]
    assert len(marks) >= 2
    assert {mark.position for mark in marks} == {head}


def _collect_until(sub: Subscription, seen: list[RecordedEvent | Checkpoint], position: int) -> None:
    for item in sub:
        seen.append(item)
        if isinstance(item, Checkpoint) and item.position >= position:
            return


def test_stop_ends_a_waiting_subscription(store: EventStore, category: str) -> None:
    sub = store.subscribe(after=store.head_position(), filter=EventFilter(categories=(category,)))
    done = threading.Event()

    def drain() -> None:
        for _ in sub:
            continue
        done.set()

    thread = threading.Thread(target=drain, daemon=True)
    thread.start()
    time.sleep(0.2)
    sub.stop()
    assert done.wait(timeout=3)


def test_stream_metadata_round_trips(store: EventStore, category: str) -> None:
    stream = stream_of(category)
    store.append(stream, new(1), StreamState.NO_STREAM)
    assert store.get_stream_metadata(stream) == {}
    store.set_stream_metadata(stream, {"owner": "user-1", "tags": ["a"]})
    assert store.get_stream_metadata(stream) == {"owner": "user-1", "tags": ["a"]}
    assert store.stream_version(stream) == 0


def test_everything_reads_back_after_reopening(store: EventStore, opener: Opener, category: str) -> None:
    stream = stream_of(category)
    result = store.append(stream, new(3), StreamState.NO_STREAM)
    store.close()
    reopened = opener()
    try:
        assert [e.version for e in reopened.read_stream(stream)] == [0, 1, 2]
        assert reopened.head_position() >= result.position
        assert verify_chain(reopened.read_stream(stream)) == []
        assert reopened.append(stream, new(1), 2).version == 3
    finally:
        reopened.close()


def _wait_for(condition: object, timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)
