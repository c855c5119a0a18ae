"""A command's cost against the length of its stream: it must not grow (DESIGN.md §11).

In process, on temporary SQLite stores with the default settings (durable appends), through the
real handlers:

- like/unlike (``likes.like_video`` and ``unlike_video``, in turn) of a published video by a person
  whose ``likes-<user>-<video>`` stream already holds 0, 1,000 or 2,000 earlier toggles;
- session refresh (``sessions.refresh_session``) of an account whose ``user-<id>`` stream already
  holds 0, 1,000 or 2,000 earlier refreshes.

Each is timed with the handlers' cache of folded state (``ours``) and, on a stream as long, without
one: every command folds its stream from the first event, as commands did before the cache. The
target is the design's row, read as: at every length, a median command no more than 1.25 times the
median of the same command on a fresh stream in the same run. The streams grow by the timed
commands themselves as the run goes on.
Run with ``python -m benchmarks.command_cost [--quick] [--out PATH]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from benchmarks.api_commands import _publish_video
from benchmarks.report import Line, Rate, Target, machine, save, table
from benchmarks.signed_in import account
from commands import likes as like_handlers
from commands.accounts import ANONYMOUS
from commands.context import Ports, Request
from commands.folds import FoldCache
from commands.sessions import SessionConfig, refresh_session, start_session
from domain.actors import Actor
from domain.engagement import likes
from eventstore.ids import uuid7
from eventstore.keystore import SQLiteKeyStore
from eventstore.sqlite import SQLiteEventStore
from strom.wiring import make_codec

DESCRIPTION = (
    "A command's cost at 0, 1,000 and 2,000 earlier events on its stream, with and without the cache."
)
DEFAULT_OUT = Path(__file__).parent / "results" / "command_cost.json"
LENGTHS = (0, 1_000, 2_000)
#: How much slower than on a fresh stream a median command may be and still count as "independent".
MAX_GROWTH = 1.25
ROUNDS = 4
#: Commands run before timing, on streams of their own, so the first timed ones find code and files warm.
WARMUP = 20
SESSIONS = SessionConfig(refresh_key=b"command cost benchmark".ljust(32, b"."), ttl=timedelta(days=30))

#: One command of a kind, given the ports to run it with and the number of the call.
Command = Callable[[Ports, int], object]


@dataclasses.dataclass(frozen=True, slots=True)
class Sizes:
    """Commands timed per length with the cache, and (each folding the whole stream) without it."""

    cached: int
    uncached: int


FULL = Sizes(cached=2_000, uncached=200)
QUICK = Sizes(cached=200, uncached=20)


@dataclasses.dataclass(frozen=True, slots=True)
class World:
    cached: Ports
    uncached: Ports
    video_id: str


@contextmanager
def world(folder: Path) -> Iterator[World]:
    keys = SQLiteKeyStore(folder / "keys.db")
    store = SQLiteEventStore(folder / "events.db")
    codec = make_codec(keys)
    cached = Ports(store=store, codec=codec, keys=keys)
    uncached = Ports(store=store, codec=codec, keys=keys, folds=FoldCache(0))
    try:
        yield World(cached, uncached, _publish_video(cached, str(uuid7())))
    finally:
        store.close()
        keys.close()


# -- the commands ---------------------------------------------------------------------------------


def toggling(ports: Ports, video_id: str) -> Command:
    """A new person's like on even calls, unlike on odd ones: a fresh ``likes-<user>-<video>`` stream."""
    actor = Actor(account(ports))

    def toggle(ports: Ports, i: int) -> object:
        if i % 2 == 0:
            return like_handlers.like_video(
                likes.LikeVideo(actor, video_id), ports=ports, request=Request(actor)
            )
        return like_handlers.unlike_video(
            likes.UnlikeVideo(actor, video_id), ports=ports, request=Request(actor)
        )

    return toggle


def refreshing(ports: Ports) -> Command:
    """A new account's one session, refreshed again and again with its newest token."""
    user_id = account(ports)
    request = Request(ANONYMOUS)
    token = start_session(user_id, verified=lambda _: True, ports=ports, request=request, config=SESSIONS)
    newest = [token.refresh_token]

    def refresh(ports: Ports, _: int) -> object:
        newest[0] = refresh_session(newest[0], ports=ports, request=request, config=SESSIONS).refresh_token
        return newest[0]

    return refresh


# -- timing ---------------------------------------------------------------------------------------


@dataclasses.dataclass
class Timed:
    """One command on its own stream, run with one set of ports; ``done`` counts its calls so far."""

    ports: Ports
    command: Command
    done: int = 0

    def run(self, count: int, *, ports: Ports | None = None) -> Rate:
        latencies = []
        started = time.perf_counter()
        for _ in range(count):
            begin = time.perf_counter()
            self.command(ports or self.ports, self.done)
            latencies.append(time.perf_counter() - begin)
            self.done += 1
        return Rate(count, time.perf_counter() - started, tuple(latencies))


def measure(w: World, make: Callable[[], Command], sizes: Sizes) -> dict[int, tuple[Rate, Rate]]:
    """Per length, two streams of that many earlier commands: one timed with the cache, the other
    without. Each side's lengths take turns in every round, so a machine that slows down hurts them
    all alike. Returns (with, without) per length."""
    for ports in (w.cached, w.uncached):  # warm-up, on streams of its own
        Timed(ports, make()).run(WARMUP)
    sides = {length: (Timed(w.cached, make()), Timed(w.uncached, make())) for length in LENGTHS}
    for length, pair in sides.items():
        for side in pair:
            side.run(length, ports=w.cached)  # the earlier commands: how they are run is not timed
    with_cache = in_rounds({length: pair[0] for length, pair in sides.items()}, sizes.cached)
    without = in_rounds({length: pair[1] for length, pair in sides.items()}, sizes.uncached)
    return {length: (with_cache[length], without[length]) for length in LENGTHS}


def in_rounds(sides: dict[int, Timed], count: int) -> dict[int, Rate]:
    rates = {length: Rate() for length in sides}
    for _ in range(ROUNDS):
        for length, side in sides.items():
            rates[length] += side.run(count // ROUNDS)
    return rates


# -- the run --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class CostLine(Line):
    """Judged on the median command against the median on a fresh stream: the machine's other work
    moves the mean and the tail from run to run, the median hardly."""

    fresh_p50_ms: float = 0.0

    @property
    def met(self) -> bool:
        p50 = self.ours.percentile_ms(50)
        return p50 is not None and p50 <= MAX_GROWTH * self.fresh_p50_ms and not self.ours.failures


def lines_of(key: str, operation: str, rates: dict[int, tuple[Rate, Rate]], how: str) -> list[Line]:
    fresh = rates[0][0].percentile_ms(50) or 0.0
    target = Target(source=f"§11: p50 <= {MAX_GROWTH} x the p50 at 0 earlier, {MAX_GROWTH * fresh:.2f} ms")
    return [
        CostLine(f"{key}_{n}", f"{operation}, {n:,} earlier", ours, uncached, target, how, "cmd", fresh)
        for n, (ours, uncached) in rates.items()
    ]


def run(sizes: Sizes, folder: Path) -> list[Line]:
    with world(folder) as w:
        toggles = measure(w, lambda: toggling(w.cached, w.video_id), sizes)
        refreshes = measure(w, lambda: refreshing(w.cached), sizes)
    how = (
        "in process, one thread, SQLite event store (full sync); "
        "limit: the same command folding its stream from the start, on a stream as long"
    )
    return lines_of("like_unlike", "like/unlike", toggles, how) + lines_of(
        "session_refresh", "session refresh", refreshes, how
    )


def report(lines: Sequence[Line], sizes: Sizes, quick: bool) -> dict[str, Any]:
    return {
        "benchmark": "command_cost",
        "mode": "quick" if quick else "full",
        "machine": machine(),
        "sizes": {**dataclasses.asdict(sizes), "lengths": list(LENGTHS), "rounds": ROUNDS},
        "operations": {line.key: line.as_dict() for line in lines},
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.command_cost", description=DESCRIPTION)
    parser.add_argument("--quick", action="store_true", help="a tenth of the commands: a smoke run")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"JSON results (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    with tempfile.TemporaryDirectory(prefix="strom-bench-command-cost-") as folder:
        lines = run(sizes, Path(folder).resolve())
    print(table(lines, limit="folded from the start"))
    save(args.out, report(lines, sizes, args.quick))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
