"""Reads whose answer is the same for everyone, kept for about a second.

A For You page reads the fresh pool, the trending lists, and hundreds of rows about videos (their
details, the model's records, exploration totals, creators' handles): the same rows for every person
asking in the same second. Keeping them for ``ttl_s`` turns a read per page into a read per second,
however many pages are served. What belongs to one person (history, blocks, what they saw) is never
kept here, so a person's own actions show on their next page; what everyone sees may lag by up to
``ttl_s``, as it would behind a CDN.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

#: Entries kept at most, and rows: an answer that is a list (a creator's newest videos, a trending
#: list) counts a row per element, so what is kept stays within a few tens of MB however the
#: answers are shaped. Past either, the oldest go first.
MOST_ENTRIES = 50_000
MOST_ROWS = 100_000
#: A key with no live answer kept (answers may be ``None``).
_MISSING: Any = object()


class SharedReads:
    def __init__(self, ttl_s: float = 1.0, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self._clock = clock
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()  # oldest first
        self._rows = 0
        self._lock = threading.Lock()

    def one(self, key: Hashable, load: Callable[[], T]) -> T:
        """The answer kept under ``key``, or ``load()``'s, kept from now."""
        if self.ttl_s <= 0:
            return load()
        now = self._clock()
        with self._lock:
            found = self._entries.get(key)
        if found is not None and found[0] > now:
            value: T = found[1]
            return value
        value = load()
        self._keep({key: value}, now)
        return value

    def many(self, kind: str, keys: Sequence[str], load: Callable[[list[str]], Sequence[T]]) -> list[T]:
        """One answer per key, in order: those kept, and ``load``'s for the rest (asked in one call,
        answering in the order of the keys it was given)."""
        if self.ttl_s <= 0:
            return list(load(list(keys)))
        now = self._clock()
        get = self._entries.get
        with self._lock:
            hits = [get((kind, k)) for k in keys]
        answers = [_MISSING if hit is None or hit[0] <= now else hit[1] for hit in hits]
        missing = list(dict.fromkeys(k for k, a in zip(keys, answers, strict=True) if a is _MISSING))
        if missing:
            loaded = dict(zip(missing, load(missing), strict=True))
            self._keep({(kind, k): v for k, v in loaded.items()}, now)
            answers = [loaded[k] if a is _MISSING else a for k, a in zip(keys, answers, strict=True)]
        return answers

    def _keep(self, values: dict[Hashable, Any], now: float) -> None:
        until = now + self.ttl_s
        with self._lock:
            for key, value in values.items():
                old = self._entries.pop(key, None)
                self._rows += _rows(value) - (0 if old is None else _rows(old[1]))
                self._entries[key] = (until, value)
            while len(self._entries) > MOST_ENTRIES or self._rows > MOST_ROWS:
                _, (_, gone) = self._entries.popitem(last=False)
                self._rows -= _rows(gone)


def _rows(value: Any) -> int:
    return max(1, len(value)) if isinstance(value, list) else 1


#: Keeps nothing: every read goes to the store (tests that change the store between reads).
NONE = SharedReads(0.0)
