"""A subscription's last mark, repeated while nothing comes, for a store whose own subscription
only speaks when something happens (KurrentDB's is pushed by the server).

Consumers that record their progress only now and then (``projections.following``) settle their
checkpoint on such a repeat once the log goes quiet; without one, a checkpoint that skipped the last
mark of a burst would wait for the next event, however long that takes. The SQLite subscription
repeats its mark itself, after each quiet wait.

The subscription is read in a thread of its own, a bounded queue ahead of the reader, so a quiet
spell is noticed as a wait on the queue that runs out.
"""

from __future__ import annotations

import dataclasses
import queue
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from eventstore.envelope import Checkpoint, RecordedEvent

#: Seconds without anything from the subscription before its last mark is repeated.
QUIET_S = 1.0
#: Items read ahead of the reader at most.
DEPTH = 256
_PUT_WAIT_S = 0.1


@dataclasses.dataclass(frozen=True, slots=True)
class _Failed:
    error: BaseException


_END = object()


def with_quiet_marks(
    items: Iterable[RecordedEvent | Checkpoint], quiet_s: float = QUIET_S
) -> Iterator[RecordedEvent | Checkpoint]:
    """``items``, and after each ``quiet_s`` without one, the last ``Checkpoint`` again (none before
    the first). An error reading ``items`` is raised here; closing this iterator stops reading them
    once the source yields or ends (the caller stops the source)."""
    handoff: queue.Queue[Any] = queue.Queue(maxsize=DEPTH)
    closed = threading.Event()
    reader = threading.Thread(target=_pump, args=(items, handoff, closed), name="subscription", daemon=True)
    reader.start()
    last: int | None = None
    try:
        while True:
            try:
                item = handoff.get(timeout=quiet_s)
            except queue.Empty:
                if last is not None:
                    yield Checkpoint(last)
                continue
            if item is _END:
                return
            if isinstance(item, _Failed):
                raise item.error
            if isinstance(item, Checkpoint):
                last = item.position
            yield item
    finally:
        closed.set()


def _pump(items: Iterable[Any], handoff: queue.Queue[Any], closed: threading.Event) -> None:
    try:
        for item in items:
            if not _put(handoff, item, closed):
                return
    except BaseException as error:  # raised in the reader's thread, where it can be handled
        _put(handoff, _Failed(error), closed)
        return
    _put(handoff, _END, closed)


def _put(handoff: queue.Queue[Any], item: Any, closed: threading.Event) -> bool:
    """Waits for room, unless the reader went away meanwhile."""
    while not closed.is_set():
        try:
            handoff.put(item, timeout=_PUT_WAIT_S)
        except queue.Full:
            continue
        return True
    return False
