"""The KurrentDB adapter's pure mapping: envelopes, chain, filters and errors, without a server."""

from __future__ import annotations

import dataclasses
import re
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any, cast

import kurrentdbclient as kdb
import orjson
import pytest
from kurrentdbclient import exceptions as driver
from kurrentdbclient.common import construct_filter_include_regex
from kurrentdbclient.connection_spec import ConnectionSpec

from eventstore.chain import GENESIS, link, verify_chain
from eventstore.envelope import (
    AppendResult,
    Checkpoint,
    EventFilter,
    Metadata,
    NewEvent,
    RecordedEvent,
    StreamState,
    check_expected,
)
from eventstore.errors import (
    CorruptEvent,
    DuplicateEventId,
    EventStoreError,
    InvalidAppend,
    StoreUnavailable,
    StreamNotFound,
    WrongExpectedVersion,
)
from eventstore.kurrentdb import (
    KurrentDBEventStore,
    KurrentDBSubscription,
    canonical_ids,
    client_uri,
    earlier_append,
    from_client_event,
    host_of,
    matching,
    server_filter,
    to_client_event,
    translated,
)


def stored(
    sent: kdb.NewEvent, stream: str, version: int, position: int, *, data: bytes | None = None
) -> kdb.RecordedEvent:
    """What the client hands back for an event the server stored, built by hand."""
    return kdb.RecordedEvent(
        type=sent.type,
        data=sent.data if data is None else data,
        metadata=sent.metadata,
        content_type=sent.content_type,
        id=sent.id,
        stream_name=stream,
        stream_position=version,
        commit_position=position,
        prepare_position=position,
    )


def raw(stream: str, type_: str = "Happened", position: int = 100, version: int = 0) -> kdb.RecordedEvent:
    return stored(to_client_event(NewEvent(type_, {"n": 1})), stream, version, position)


def store_linked(stream: str, events: list[NewEvent], first_position: int = 1000) -> list[kdb.RecordedEvent]:
    linked = link(stream, 0, GENESIS, events)
    return [stored(to_client_event(e), stream, i, first_position + 10 * i) for i, e in enumerate(linked)]


# -- envelope and chain -----------------------------------------------------------------


def test_an_envelope_survives_the_trip_through_the_client_types() -> None:
    # Given
    meta = Metadata(actor="user-1", correlation_id="c-1", causation_id="k-1", idempotency_key="i-1")
    sent = NewEvent(type="VideoLiked", data={"text": "héllo ✓", "n": [1, 2]}, schema_version=3, metadata=meta)
    # When
    on_the_wire = to_client_event(sent)
    got = from_client_event(stored(on_the_wire, "video-1", 4, 1234))
    # Then
    assert on_the_wire.id == uuid.UUID(sent.event_id)
    assert on_the_wire.content_type == "application/json"
    assert orjson.loads(on_the_wire.metadata)["schema_version"] == 3
    assert got == RecordedEvent(
        stream="video-1",
        version=4,
        position=1234,
        event_id=sent.event_id,
        type="VideoLiked",
        schema_version=3,
        data={"text": "héllo ✓", "n": [1, 2]},
        metadata=meta,
    )


def test_a_chain_linked_for_kurrentdb_verifies_after_the_round_trip() -> None:
    events = [NewEvent("Happened", {"n": i}, metadata=Metadata(actor="user-1")) for i in range(4)]
    read_back = [from_client_event(r) for r in store_linked("video-1", events)]
    assert verify_chain(read_back) == []
    assert read_back[0].metadata.prev_hash == GENESIS


def test_event_ids_are_hashed_in_the_spelling_kurrentdb_reads_back() -> None:
    upper = str(uuid.uuid4()).upper()
    (event,) = canonical_ids("s-1", [NewEvent("A", {}, event_id=upper)])
    assert event.event_id == upper.lower()
    with pytest.raises(InvalidAppend, match="UUID"):
        canonical_ids("s-1", [NewEvent("A", {}, event_id="order-42")])


@pytest.mark.parametrize(
    ("data", "metadata", "reason"),
    [
        (b"{not json", None, "unreadable event data"),
        (b"[1, 2]", None, "data is not a JSON object"),
        (None, b"\xff\xfe", "unreadable event metadata"),
        (None, orjson.dumps({"actor": "user-1"}), "no integer schema_version"),
    ],
)
def test_an_unreadable_event_is_corrupt_and_says_where(
    data: bytes | None, metadata: bytes | None, reason: str
) -> None:
    good = stored(to_client_event(NewEvent("A", {"n": 1})), "video-7", 2, 9876)
    bad = dataclasses.replace(good, data=data or good.data, metadata=metadata or good.metadata)
    with pytest.raises(CorruptEvent, match=reason) as caught:
        from_client_event(bad)
    assert (caught.value.stream, caught.value.position) == ("video-7", 9876)


# -- filters ----------------------------------------------------------------------------


def effective(args: dict[str, object]) -> re.Pattern[str]:
    """The regex the server receives, as the client builds it from ``filter_include``."""
    include = args["filter_include"]
    assert isinstance(include, tuple)
    return re.compile(construct_filter_include_regex(include))


def test_categories_become_one_anchored_stream_name_regex() -> None:
    args = server_filter(EventFilter(categories=("video", "user")))
    assert args["filter_by_stream_name"] is True
    regex = effective(args)
    assert [bool(regex.match(s)) for s in ("video-1", "user-2", "user", "videos-1", "$$video-1")] == [
        True,
        True,
        True,
        False,
        False,
    ]


def test_types_become_one_anchored_event_type_regex() -> None:
    args = server_filter(EventFilter(types=("VideoLiked", "Odd.Type")))
    assert "filter_by_stream_name" not in args
    regex = effective(args)
    assert [bool(regex.match(t)) for t in ("VideoLiked", "Odd.Type", "OddxType", "VideoLikedAgain")] == [
        True,
        True,
        False,
        False,
    ]


@pytest.mark.parametrize(
    "filter", [None, EventFilter(), EventFilter(categories=("video",), types=("UserFollowed",))]
)
def test_no_filter_or_a_mixed_one_only_excludes_system_events_on_the_server(
    filter: EventFilter | None,
) -> None:
    assert server_filter(filter) == {"filter_exclude": (kdb.KDB_SYSTEM_EVENTS_REGEX,)}


def test_matching_skips_the_start_position_system_events_and_what_the_filter_refuses() -> None:
    raws = [
        raw("video-1", position=10),
        raw("video-1", position=20),
        raw("$$video-1", "$metadata", position=30),
        raw("video-1", "$>", position=40),
        raw("user-1", "UserFollowed", position=50),
        raw("user-1", "UserRenamed", position=60),
    ]
    mixed = EventFilter(categories=("video",), types=("UserFollowed",))
    assert [e.position for e in matching(raws, 10, mixed)] == [20, 50]
    assert [e.position for e in matching(raws, -1, None)] == [10, 20, 50, 60]


# -- appends ----------------------------------------------------------------------------


def test_a_retry_of_the_same_events_finds_the_first_result_in_the_tail() -> None:
    events = canonical_ids("s-1", [NewEvent("A", {"n": i}) for i in range(5)])
    tail = list(reversed(store_linked("s-1", events)))
    assert earlier_append("s-1", tail, events[2:4]) == AppendResult(version=3, position=1030)
    assert earlier_append("s-1", tail, canonical_ids("s-1", [NewEvent("A", {})])) is None


def test_reusing_some_stored_ids_in_a_different_append_is_refused() -> None:
    events = canonical_ids("s-1", [NewEvent("A", {"n": i}) for i in range(3)])
    tail = list(reversed(store_linked("s-1", events)))
    with pytest.raises(DuplicateEventId):
        earlier_append("s-1", tail, [events[1], NewEvent("A", {})])
    with pytest.raises(DuplicateEventId):
        earlier_append("s-1", tail, [events[2], events[0]])


@pytest.mark.parametrize(
    ("expected", "current", "accepted"),
    [
        (StreamState.NO_STREAM, None, True),
        (StreamState.NO_STREAM, 0, False),
        (StreamState.EXISTS, None, False),
        (StreamState.EXISTS, 3, True),
        (StreamState.ANY, None, True),
        (2, 2, True),
        (2, 3, False),
        (0, None, False),
    ],
)
def test_the_expected_version_is_checked_against_the_revision_read(
    expected: StreamState | int, current: int | None, accepted: bool
) -> None:
    if accepted:
        check_expected("s-1", expected, current)
    else:
        with pytest.raises(WrongExpectedVersion) as caught:
            check_expected("s-1", expected, current)
        assert caught.value.actual == current


# -- errors and connection --------------------------------------------------------------


@pytest.mark.parametrize(
    ("raised", "ours"),
    [
        (
            driver.WrongCurrentVersionError("x", actual_version=4, expected_version=2),
            WrongExpectedVersion,
        ),
        (driver.NotFoundError("gone"), StreamNotFound),
        (driver.ServiceUnavailableError("down"), StoreUnavailable),
        (driver.GrpcDeadlineExceededError("slow"), StoreUnavailable),
        (driver.AppendDeadlineExceededError(), StoreUnavailable),
        (driver.UnknownError("?"), EventStoreError),
    ],
)
def test_driver_errors_become_ours(raised: Exception, ours: type[Exception]) -> None:
    with pytest.raises(ours) as caught, translated("db.example:2113", "video-1"):
        raise raised
    assert not isinstance(caught.value, driver.KurrentDBClientError)
    if isinstance(caught.value, WrongExpectedVersion):
        assert (caught.value.stream, caught.value.expected, caught.value.actual) == ("video-1", 2, 4)
    if isinstance(caught.value, StoreUnavailable):
        assert "db.example:2113" in str(caught.value)


def test_our_url_is_what_the_client_parses() -> None:
    spec = ConnectionSpec(client_uri("kurrentdb://db.example:2113?tls=false"))
    assert (spec.targets, spec.options.tls) == (["db.example:2113"], False)
    assert ConnectionSpec(client_uri("esdb://db.example?tls=false")).targets == ["db.example:2113"]


@pytest.mark.parametrize(
    "url", ["sqlite:///var/events.db", "kurrentdb://u:sekret@db.example:2113?tls=false&bogus=1"]
)
def test_a_bad_url_names_the_setting_and_hides_the_password(url: str) -> None:
    with pytest.raises(ValueError, match="STROM_EVENTSTORE_URL") as caught:
        client_uri(url)
    assert "sekret" not in str(caught.value)


def test_error_messages_name_the_host_without_credentials() -> None:
    assert host_of("kurrentdb://admin:changeit@db.example:2113?tls=true") == "db.example:2113"


def test_a_server_that_does_not_answer_is_unavailable_naming_the_host() -> None:
    with pytest.raises(StoreUnavailable, match=re.escape("127.0.0.1:1")):
        KurrentDBEventStore("kurrentdb://127.0.0.1:1?tls=false", timeout_s=1)


def test_server_checkpoints_pass_through_as_ours_and_old_ones_are_dropped() -> None:
    import kurrentdbclient as kdb

    raws = [
        kdb.Checkpoint(commit_position=50, prepare_position=50, recorded_at=None),
        kdb.Checkpoint(commit_position=120, prepare_position=120, recorded_at=None),
    ]
    assert list(matching(raws, 100, None)) == [Checkpoint(120)]


def test_once_caught_up_each_live_event_is_followed_by_a_checkpoint_at_its_position() -> None:
    """A batching reader flushes on checkpoints; live events arrive alone, with none between them."""
    import kurrentdbclient as kdb

    caught_up = kdb.CaughtUp(stream_position=0, commit_position=0, prepare_position=0, recorded_at=None)
    raws = [raw("video-1", position=110), caught_up, raw("video-1", position=130, version=1)]
    assert [
        (type(item).__name__, item.position) for item in matching(raws, 100, None, live_checkpoints=True)
    ] == [("RecordedEvent", 110), ("Checkpoint", 110), ("RecordedEvent", 130), ("Checkpoint", 130)]
    assert [item.position for item in matching(raws, 100, None)] == [110, 130]


class QuietServer:
    """A catch-up subscription as the client gives it: what the server sent, then silence until
    stopped (the server sends nothing while the log is quiet)."""

    def __init__(self, raws: list[kdb.RecordedEvent]) -> None:
        self._raws = raws
        self._stopped = threading.Event()

    def __iter__(self) -> Iterator[kdb.RecordedEvent]:
        yield from self._raws
        self._stopped.wait(10)

    def stop(self) -> None:
        self._stopped.set()


def test_with_checkpoints_the_last_comes_again_while_the_server_is_quiet() -> None:
    # Given a subscription whose server sent an event and caught up, then nothing
    caught_up = kdb.CaughtUp(stream_position=0, commit_position=0, prepare_position=0, recorded_at=None)
    server = QuietServer([raw("video-1", position=110), caught_up])
    subscription = KurrentDBSubscription(cast(Any, server), 100, None, "localhost:2113", checkpoints=True)
    seen: list[RecordedEvent | Checkpoint] = []
    reader = threading.Thread(target=lambda: seen.extend(subscription), daemon=True)

    # When it is read for a quiet while, then stopped
    reader.start()
    time.sleep(2.5)
    subscription.stop()
    reader.join(5)

    # Then the event and its mark came, and the mark again while nothing came
    assert not reader.is_alive()
    assert [(type(item).__name__, item.position) for item in seen[:2]] == [
        ("RecordedEvent", 110),
        ("Checkpoint", 110),
    ]
    assert len(seen) >= 4
    assert set(seen[2:]) == {Checkpoint(110)}
