"""Folded stream state kept between commands, so a command costs the same however long its stream.

A command decides against its stream's state, folded from the stream's events. Folding from the
first event on every command made a like toggled a thousand times cost twenty times the first, and
an account stream grows with every session refresh. The cache keeps, per stream, the state folded
up to a revision; the next load asks the store only for the events after it.

It never answers alone: the store is always asked what came after the cached revision, so events
another process appended are folded in, never skipped, and the append's expected version still
guards every decision. Personal data unsealed into a state is a copy that crypto-shredding must
make unreadable, so an entry remembers whose keys unsealed it (``Loaded.keys_used``) and is refolded
once one of them was erased.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Generic, TypeVar, cast

S = TypeVar("S")
#: Streams whose folded state is kept; the least recently used go first (``STROM_FOLD_CACHE_SIZE``).
DEFAULT_CAPACITY = 20_000


@dataclasses.dataclass(frozen=True, slots=True)
class Loaded(Generic[S]):
    """A stream's state folded up to ``version`` (``None``: no events), the position of that event
    (0 if none), and the subjects whose data keys unsealed personal fields folded into it."""

    state: S
    version: int | None
    position: int
    keys_used: frozenset[str] = frozenset()


@dataclasses.dataclass(frozen=True, slots=True)
class Aggregate(Generic[S]):
    """How to rebuild one kind of stream's state from its events."""

    initial: S
    #: Typed ``Any`` in the event: each aggregate's ``evolve`` takes its own event union.
    evolve: Callable[[S, Any], S]


@dataclasses.dataclass(frozen=True, slots=True)
class _Entry:
    aggregate: Aggregate[Any]
    loaded: Loaded[Any]


class FoldCache:
    """A bounded map from stream to its folded state, least recently used dropped first.

    Entries are keyed by stream and by the aggregate that folded them: states are immutable, so one
    may be handed to several threads at once. A capacity of 0 keeps nothing.
    """

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 0:
            raise ValueError("the fold cache's capacity cannot be negative")
        self._capacity = capacity
        self._entries: OrderedDict[tuple[str, int], _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, stream: str, aggregate: Aggregate[S]) -> Loaded[S] | None:
        with self._lock:
            entry = self._entries.get((stream, id(aggregate)))
            if entry is None or entry.aggregate is not aggregate:
                return None
            self._entries.move_to_end((stream, id(aggregate)))
        return cast(Loaded[S], entry.loaded)

    def keep(self, stream: str, aggregate: Aggregate[S], loaded: Loaded[S]) -> None:
        """Two threads may fold the same stream at once: the further state stays."""
        if self._capacity == 0 or loaded.version is None:
            return
        key = (stream, id(aggregate))
        with self._lock:
            current = self._entries.get(key)
            if current is None or current.aggregate is not aggregate or _behind(current.loaded, loaded):
                self._entries[key] = _Entry(aggregate, loaded)
            self._entries.move_to_end(key)
            while len(self._entries) > self._capacity:
                self._entries.popitem(last=False)

    def drop(self, stream: str, aggregate: Aggregate[Any]) -> None:
        with self._lock:
            self._entries.pop((stream, id(aggregate)), None)

    def __len__(self) -> int:
        return len(self._entries)


def _behind(current: Loaded[Any], new: Loaded[Any]) -> bool:
    return current.version is None or (new.version is not None and new.version >= current.version)
