"""Watch signals: a batch is checked as a whole and becomes one event per signal."""

from __future__ import annotations

from typing import Any, cast

import pytest

from domain.actors import Actor
from domain.errors import InvalidCommand
from domain.events import DomainEvent, event_from_data
from domain.watching import (
    MAX_BATCH,
    MAX_WATCH_MS,
    QUICK_SKIP_MS,
    QuickSkip,
    RecordWatchBatch,
    VideoSkipped,
    ViewStart,
    ViewStarted,
    WatchProgress,
    WatchProgressed,
    WatchSignal,
    decide_record_watch_batch,
    dedupe_key,
)

VIEWER = Actor("viewer")


def batch(*signals: WatchSignal) -> RecordWatchBatch:
    return RecordWatchBatch(VIEWER, signals)


def views(count: int) -> list[WatchSignal]:
    return [ViewStart(f"e{i}", "v1") for i in range(count)]


def test_a_batch_becomes_one_event_per_signal_in_order() -> None:
    # Given
    cmd = batch(
        ViewStart("e1", "v1"),
        WatchProgress("e2", "v1", watched_ms=15_000, position_ms=15_000, completed=True, rewatch=False),
        QuickSkip("e3", "v2", watched_ms=800),
    )
    # When
    events = decide_record_watch_batch(cmd)
    # Then
    assert events == [
        ViewStarted(client_event_id="e1", viewer_id="viewer", video_id="v1"),
        WatchProgressed(
            client_event_id="e2",
            viewer_id="viewer",
            video_id="v1",
            watched_ms=15_000,
            position_ms=15_000,
            completed=True,
            rewatch=False,
        ),
        VideoSkipped(client_event_id="e3", viewer_id="viewer", video_id="v2", watched_ms=800),
    ]


def test_a_full_batch_of_500_signals_is_accepted() -> None:
    # Given
    cmd = batch(*views(MAX_BATCH))
    # When
    events = decide_record_watch_batch(cmd)
    # Then
    assert len(events) == MAX_BATCH


@pytest.mark.parametrize("count", [0, MAX_BATCH + 1], ids=["empty", "too-many"])
def test_a_batch_of_no_signals_or_too_many_is_refused(count: int) -> None:
    # Given
    cmd = batch(*views(count))
    # When / Then
    with pytest.raises(InvalidCommand, match=f"1 to {MAX_BATCH} signals, not {count}"):
        decide_record_watch_batch(cmd)


def test_a_client_event_id_twice_in_a_batch_refuses_it_naming_the_second() -> None:
    # Given
    cmd = batch(ViewStart("e1", "v1"), ViewStart("e2", "v1"), QuickSkip("e1", "v2", watched_ms=10))
    # When / Then
    with pytest.raises(InvalidCommand, match="signal 2: client_event_id 'e1' appears twice"):
        decide_record_watch_batch(cmd)


@pytest.mark.parametrize(
    "client_id", ["", "x" * 65, "has space", "slash/", "é", "dot."], ids=lambda v: repr(v[:8])
)
def test_a_malformed_client_event_id_refuses_the_batch(client_id: str) -> None:
    # Given
    cmd = batch(ViewStart("ok", "v1"), ViewStart(client_id, "v1"))
    # When / Then
    with pytest.raises(InvalidCommand, match="signal 1: client_event_id must be 1 to 64"):
        decide_record_watch_batch(cmd)


def test_a_client_event_id_of_64_plain_characters_is_accepted() -> None:
    # Given
    cmd = batch(ViewStart("A-z_9" + "x" * 59, "v1"))
    # When
    events = decide_record_watch_batch(cmd)
    # Then
    assert len(events) == 1


@pytest.mark.parametrize("video_id", ["", "v 1"])
def test_a_malformed_video_id_refuses_the_batch(video_id: str) -> None:
    # Given
    cmd = batch(ViewStart("e1", video_id))
    # When / Then
    with pytest.raises(InvalidCommand, match="signal 0: video_id must be"):
        decide_record_watch_batch(cmd)


@pytest.mark.parametrize(
    ("watched", "position", "message"),
    [
        pytest.param(-1, 0, "watched_ms must be between 0", id="negative-watched"),
        pytest.param(MAX_WATCH_MS + 1, 0, "watched_ms must be between 0", id="watched-over-six-hours"),
        pytest.param(0, -5, "position_ms must be between 0", id="negative-position"),
        pytest.param(0, MAX_WATCH_MS + 1, "position_ms must be between 0", id="position-over-six-hours"),
        pytest.param(True, 0, "watched_ms must be a whole number", id="bool-watched"),
        pytest.param(cast(int, 1.5), 0, "watched_ms must be a whole number", id="fractional-watched"),
        pytest.param(0, cast(int, "9"), "position_ms must be a whole number", id="text-position"),
    ],
)
def test_progress_out_of_range_refuses_the_batch(watched: int, position: int, message: str) -> None:
    # Given
    cmd = batch(ViewStart("e0", "v1"), WatchProgress("e1", "v1", watched_ms=watched, position_ms=position))
    # When / Then
    with pytest.raises(InvalidCommand, match=f"signal 1: {message}"):
        decide_record_watch_batch(cmd)


def test_progress_of_exactly_six_hours_is_accepted() -> None:
    # Given
    cmd = batch(WatchProgress("e1", "v1", watched_ms=MAX_WATCH_MS, position_ms=MAX_WATCH_MS, rewatch=True))
    # When
    (progressed,) = decide_record_watch_batch(cmd)
    # Then
    assert isinstance(progressed, WatchProgressed)
    assert (progressed.watched_ms, progressed.rewatch, progressed.completed) == (MAX_WATCH_MS, True, False)


@pytest.mark.parametrize("field", ["completed", "rewatch"])
def test_a_progress_flag_that_is_not_a_boolean_refuses_the_batch(field: str) -> None:
    # Given
    flags: dict[str, Any] = {"completed": False, "rewatch": False, field: 1}
    cmd = batch(WatchProgress("e1", "v1", watched_ms=10, position_ms=10, **flags))
    # When / Then
    with pytest.raises(InvalidCommand, match=f"signal 0: {field} must be true or false"):
        decide_record_watch_batch(cmd)


def test_a_skip_just_under_the_threshold_is_a_quick_skip() -> None:
    # Given
    cmd = batch(QuickSkip("e1", "v1", watched_ms=QUICK_SKIP_MS - 1))
    # When
    events = decide_record_watch_batch(cmd)
    # Then
    assert events == [VideoSkipped("e1", "viewer", "v1", watched_ms=QUICK_SKIP_MS - 1)]


@pytest.mark.parametrize("watched", [QUICK_SKIP_MS, -1], ids=["at-threshold", "negative"])
def test_a_skip_outside_the_quick_skip_range_refuses_the_batch(watched: int) -> None:
    # Given
    cmd = batch(QuickSkip("e1", "v1", watched_ms=watched))
    # When / Then
    with pytest.raises(InvalidCommand, match="signal 0: watched_ms must be between 0 and 2999"):
        decide_record_watch_batch(cmd)


def test_an_unknown_kind_of_signal_refuses_the_batch() -> None:
    # Given
    cmd = batch(ViewStart("e1", "v1"), cast(WatchSignal, {"client_event_id": "e2"}))
    # When / Then
    with pytest.raises(InvalidCommand, match="signal 1: unknown signal dict"):
        decide_record_watch_batch(cmd)


def test_only_the_first_bad_signal_is_named() -> None:
    # Given
    cmd = batch(ViewStart("e0", "v1"), QuickSkip("e1", "v1", watched_ms=-1), ViewStart("", "v1"))
    # When / Then
    with pytest.raises(InvalidCommand, match=r"^signal 1: "):
        decide_record_watch_batch(cmd)


def test_the_same_client_signal_gets_the_same_dedupe_key_in_any_batch() -> None:
    # Given
    first = decide_record_watch_batch(batch(ViewStart("e1", "v1")))
    resent = decide_record_watch_batch(batch(ViewStart("e0", "v9"), ViewStart("e1", "v1")))
    other_viewer = decide_record_watch_batch(RecordWatchBatch(Actor("someone"), (ViewStart("e1", "v1"),)))
    # When
    keys = [dedupe_key(first[0]), dedupe_key(resent[1]), dedupe_key(other_viewer[0])]
    # Then
    assert keys[0] == keys[1] == ("watch", "viewer", "e1")
    assert keys[2] != keys[0]


@pytest.mark.parametrize(
    "event",
    [
        ViewStarted("e1", "viewer", "v1"),
        WatchProgressed("e2", "viewer", "v1", watched_ms=1, position_ms=2, completed=True, rewatch=True),
        VideoSkipped("e3", "viewer", "v1", watched_ms=3),
    ],
    ids=lambda e: type(e).__name__,
)
def test_each_event_round_trips_through_its_stored_data(event: DomainEvent) -> None:
    # Given
    data = event.to_data()
    # When
    restored = event_from_data(event.event_type, data)
    # Then
    assert restored == event
