"""Folding a stream's events into state: the one piece every aggregate shares."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

S = TypeVar("S")
E = TypeVar("E")


def fold(evolve: Callable[[S, E], S], initial: S, events: Iterable[E]) -> S:
    state = initial
    for event in events:
        state = evolve(state, event)
    return state
