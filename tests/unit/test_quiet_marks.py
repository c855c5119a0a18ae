"""A subscription that only speaks when something happens has its last mark repeated while nothing
comes (``eventstore.quiet_marks``, used for KurrentDB's), hands on what it reads in order, and raises
its errors in the reader's thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from eventstore.envelope import Checkpoint, RecordedEvent
from eventstore.quiet_marks import with_quiet_marks


def source(
    items: list[Checkpoint], gate: threading.Event, error: Exception | None = None
) -> Iterator[Checkpoint]:
    """Yields ``items``, then waits, silent, until ``gate`` is set; then raises ``error`` or ends."""
    yield from items
    gate.wait(10)
    if error is not None:
        raise error


def test_the_last_mark_comes_again_while_nothing_comes_and_the_end_ends_it() -> None:
    # Given a source that gives two marks, then nothing for a while, then ends
    gate = threading.Event()
    seen: list[RecordedEvent | Checkpoint] = []
    marks = with_quiet_marks(source([Checkpoint(3), Checkpoint(7)], gate), quiet_s=0.05)

    # When it is read through the quiet spell
    reader = threading.Thread(target=lambda: seen.extend(marks), daemon=True)
    reader.start()
    time.sleep(0.4)
    gate.set()
    reader.join(5)

    # Then the marks came in order, then the last one again, and the reading ended with the source
    assert not reader.is_alive()
    assert seen[:2] == [Checkpoint(3), Checkpoint(7)]
    assert len(seen) >= 4
    assert set(seen[2:]) == {Checkpoint(7)}


def test_an_error_of_the_source_is_raised_to_the_reader() -> None:
    gate = threading.Event()
    gate.set()
    marks = with_quiet_marks(source([Checkpoint(1)], gate, RuntimeError("gone")), quiet_s=0.05)
    assert next(marks) == Checkpoint(1)
    with pytest.raises(RuntimeError, match="gone"):
        next(marks)


def test_nothing_is_repeated_before_the_first_mark() -> None:
    gate = threading.Event()
    marks = with_quiet_marks(source([], gate), quiet_s=0.02)
    seen: list[RecordedEvent | Checkpoint] = []
    reader = threading.Thread(target=lambda: seen.extend(marks), daemon=True)
    reader.start()
    time.sleep(0.2)
    gate.set()
    reader.join(5)
    assert seen == []
