"""Answers the same for everyone, which a reader may keep for a moment: the port a query takes
them through, so that the read model need not know who keeps them (``api.shared_reads`` does, for
about a second) or whether anyone does (``FRESH``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

T = TypeVar("T")


class Kept(Protocol):
    """Answers about many keys, some of them kept from a moment ago (``api.shared_reads``)."""

    def many(self, kind: str, keys: Sequence[str], load: Callable[[list[str]], Sequence[T]]) -> list[T]:
        """One answer per key, in order; ``load`` is asked, in one call, for those not kept."""
        ...


class Fresh:
    """Keeps nothing: every answer is read now."""

    def many(self, kind: str, keys: Sequence[str], load: Callable[[list[str]], Sequence[T]]) -> list[T]:
        return list(load(list(keys)))


FRESH = Fresh()
