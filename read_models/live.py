"""Which build of each read model the API serves, so a rebuild can fill fresh tables beside it.

A build is a projector's version plus a rebuild number: ``v1`` is the first build of version 1,
``v1r2`` its second rebuild. Its tables carry that suffix (``video_counters_v1r2``). A
``strom_meta`` row (``live_build:<projector>``) names the build queries read; a rebuild switches
it once the new build has caught up and passed its parity check, and drops the old tables only
after readers have let go of them (``GRACE_S``, longer than the cache below).
"""

from __future__ import annotations

import dataclasses
import functools
import threading
import time
import weakref
from collections.abc import Sequence

from read_models import projection_state
from read_models.port import ReadStore
from read_models.tables import TEXT, Table, columns_of

#: Facts about the read store itself, one value per key (migration 1).
STROM_META = Table("strom_meta", columns=columns_of(key=TEXT, value=TEXT), partition_key=("key",))

#: How long a process trusts what it last read of ``projection_live``.
CACHE_S = 1.0
#: How long a rebuild waits after the switch before dropping the old tables.
GRACE_S = 3 * CACHE_S


@dataclasses.dataclass(frozen=True, slots=True, order=True)
class Build:
    version: int
    rebuild: int = 0

    @property
    def label(self) -> str:
        return f"v{self.version}" if not self.rebuild else f"v{self.version}r{self.rebuild}"

    @classmethod
    def parse(cls, label: str) -> Build:
        version, _, rebuild = label.removeprefix("v").partition("r")
        return cls(int(version), int(rebuild or 0))

    def table(self, table: Table) -> Table:
        """The declaration under this build's physical name (made once: queries ask on every call)."""
        return _physical(table, self.label)

    def successor(self, version: int) -> Build:
        """The build a rebuild fills: the next rebuild of the same version, or a bumped version's first."""
        return Build(version, self.rebuild + 1) if version == self.version else Build(version)


def live_build(store: ReadStore, projector: str) -> Build | None:
    """The build queries read, straight from the store; ``None`` before the projector first ran."""
    row = store.get(STROM_META, {"key": _key(projector)})
    return None if row is None else Build.parse(row["value"])


def live_builds(store: ReadStore, projectors: Sequence[str]) -> list[Build | None]:
    """``live_build`` of each, in one read: a stream asks for all its lanes at once, where a round
    trip each would hold up every lane behind it on Cassandra."""
    rows = store.get_many(STROM_META, [{"key": _key(name)} for name in projectors])
    return [None if row is None else Build.parse(row["value"]) for row in rows]


def switch(store: ReadStore, projector: str, build: Build) -> None:
    store.upsert(STROM_META, {"key": _key(projector), "value": build.label})
    _CACHE.forget(store, projector)


def _key(projector: str) -> str:
    return f"live_build:{projector}"


@dataclasses.dataclass(frozen=True, slots=True)
class ReadModel:
    """What a query module needs to find its projector's live tables."""

    projector: str
    version: int

    def build(self, store: ReadStore) -> Build:
        """The live build (cached for ``CACHE_S``); this version's first before the projector ran."""
        return _CACHE.build(store, self)

    def table(self, store: ReadStore, table: Table) -> Table:
        """``table`` as the live build names it."""
        return self.build(store).table(table)

    def shards(self, store: ReadStore) -> tuple[str, ...]:
        """The shards the live build's partitions write (``projection_state.shards_of``), cached as
        the build is: a sharded aggregate's parts are read by key, all at once."""
        return _CACHE.shards(store, self)


@functools.cache
def _physical(table: Table, label: str) -> Table:
    return dataclasses.replace(table, name=f"{table.name}_{label}")


class _LiveCache:
    """Per read store, the live build of each projector and its shards, and when they were read."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: weakref.WeakKeyDictionary[ReadStore, dict[str, tuple[float, Build]]] = (
            weakref.WeakKeyDictionary()
        )
        self._shards: weakref.WeakKeyDictionary[
            ReadStore, dict[str, tuple[float, Build, tuple[str, ...]]]
        ] = weakref.WeakKeyDictionary()

    def build(self, store: ReadStore, model: ReadModel) -> Build:
        now = time.monotonic()
        with self._lock:
            known = self._seen.setdefault(store, {}).get(model.projector)
        if known is not None and now - known[0] < CACHE_S:
            return known[1]
        build = live_build(store, model.projector) or Build(model.version)
        with self._lock:
            self._seen.setdefault(store, {})[model.projector] = (now, build)
        return build

    def shards(self, store: ReadStore, model: ReadModel) -> tuple[str, ...]:
        build, now = self.build(store, model), time.monotonic()
        with self._lock:
            known = self._shards.setdefault(store, {}).get(model.projector)
        if known is not None and now - known[0] < CACHE_S and known[1] == build:
            return known[2]
        shards = projection_state.shards_of(store, model.projector, build.label)
        with self._lock:
            self._shards.setdefault(store, {})[model.projector] = (now, build, shards)
        return shards

    def forget(self, store: ReadStore, projector: str) -> None:
        with self._lock:
            self._seen.get(store, {}).pop(projector, None)
            self._shards.get(store, {}).pop(projector, None)


_CACHE = _LiveCache()
