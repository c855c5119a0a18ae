"""Rebuild: fill a projector's current version into fresh tables beside the live ones, check parity,
switch the API over, drop the old tables. Queries keep answering from the old build throughout.

Runs on an engineer's command (``strom projections rebuild NAME``) and by itself when a projector's
code version is ahead of its live build (a bumped version). Live runners of the old build notice
the switch and move to the new one (``Runner(watch_live=True)``).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

from eventstore.codec import EventCodec
from eventstore.port import EventStore
from projections import parity
from projections.projector import Projector
from projections.runner import Runner
from read_models import live
from read_models import projection_state as states
from read_models.live import Build
from read_models.port import ReadStore

#: A rebuild chases the head this many times before it checks parity against where it stopped.
CATCH_UP_ROUNDS = 5


class ParityFailed(Exception):
    def __init__(self, report: parity.Report) -> None:
        super().__init__("parity check failed; the live build is unchanged:\n" + "\n".join(report.lines()))
        self.report = report


@dataclasses.dataclass(frozen=True, slots=True)
class Rebuilt:
    old: Build | None
    new: Build
    position: int
    events_per_s: float
    report: parity.Report


def live_or_first(store: ReadStore, projector: Projector) -> Build:
    """The live build; the first time a projector runs, its version's first build becomes live."""
    build = live.live_build(store, projector.name)
    if build is None:
        build = Build(projector.version)
        live.switch(store, projector.name, build)
    return build


def rebuild(
    projector: Projector,
    *,
    events: EventStore,
    codec: EventCodec,
    store: ReadStore,
    on_progress: Callable[[int, int], None] | None = None,
    accept_count_differences: bool = False,
) -> Rebuilt:
    """``on_progress(position, head)`` is called as the new build advances."""
    old = live.live_build(store, projector.name)
    new = old.successor(projector.version) if old else Build(projector.version)
    discard(store, projector, new)
    started, head = time.monotonic(), events.head_position()
    runner = Runner(
        projector,
        events=events,
        codec=codec,
        store=store,
        build=new,
        fresh=True,
        on_progress=None if on_progress is None else (lambda p: on_progress(p, head)),
    )
    state = runner.prepare()
    for _ in range(CATCH_UP_ROUNDS):
        head = events.head_position()
        state = runner.run(until=head)
        if events.head_position() == state.position:
            break
    elapsed = max(time.monotonic() - started, 1e-9)
    report = parity.check(projector, events=events, codec=codec, store=store, old=old, new=new)
    if not report.ok(accept_count_differences=accept_count_differences):
        discard(store, projector, new)
        raise ParityFailed(report)
    live.switch(store, projector.name, new)
    if old is not None and old != new:
        time.sleep(live.GRACE_S)  # readers and old runners let go of the old tables first
        discard(store, projector, old)
    return Rebuilt(old, new, state.position, state.position / elapsed, report)


def discard(store: ReadStore, projector: Projector, build: Build) -> None:
    """Drops a build's tables and checkpoints."""
    for table in projector.tables_of(build).values():
        store.drop_table(table)
    states.forget(store, projector.name, build.label)
