"""The settler freezes what survives each full collection, and holds no garbage for longer than its
refresh: what was frozen and then left in a cycle is collected after the next thaw."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from plumbing.gc_settle import Settler, settled


class Node:
    """Something the cycle collector tracks, and that can be in a cycle."""

    def __init__(self) -> None:
        self.other: Node | None = None


def cycle() -> tuple[Node, weakref.ref[Node]]:
    a, b = Node(), Node()
    a.other, b.other = b, a
    return a, weakref.ref(a)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Iterator[Clock]:
    clock = Clock()
    settler = Settler(refresh_s=60, clock=clock)
    settler.install()
    try:
        yield clock
    finally:
        settler.uninstall()


@pytest.mark.usefixtures("clock")
def test_what_survives_a_full_collection_is_frozen_and_garbage_is_not() -> None:
    # Given a live cycle and a cycle that is garbage
    alive, alive_ref = cycle()
    garbage, garbage_ref = cycle()
    del garbage

    # When a full collection runs
    gc.collect()

    # Then the garbage is gone and the living are frozen, out of later collections' way
    assert garbage_ref() is None
    assert alive_ref() is alive
    assert gc.get_freeze_count() > 0
    assert not any(o is alive for o in gc.get_objects())


def test_a_frozen_cycle_left_as_garbage_is_collected_after_the_refresh(clock: Clock) -> None:
    # Given a cycle frozen while alive, then dropped
    kept, ref = cycle()
    gc.collect()
    del kept
    gc.collect()
    assert ref() is not None  # frozen: no collection walks it until the thaw

    # When the refresh comes: the full collection then thaws, and the next one takes it
    clock.now = 61.0
    gc.collect()
    gc.collect()

    # Then it is gone, and what lives is frozen again
    assert ref() is None
    assert gc.get_freeze_count() > 0


def test_uninstalling_thaws_everything() -> None:
    settler = Settler(refresh_s=60, clock=Clock())
    settler.install()
    gc.collect()
    assert gc.get_freeze_count() > 0
    settler.uninstall()
    assert gc.get_freeze_count() == 0
    assert settler._after not in gc.callbacks


def test_settled_for_a_while_leaves_nothing_frozen_and_no_callback_behind() -> None:
    # Given a process that settles for a while (a rebuild), with a full collection meanwhile
    with settled():
        gc.collect()
        assert gc.get_freeze_count() > 0
        # When the while is over
    # Then the collector has everything back, and nothing freezes any more
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert gc.get_freeze_count() == 0
