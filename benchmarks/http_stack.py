"""Which HTTP stack serves the API best here: uvicorn's h11 or httptools protocol, on asyncio's
event loop or uvloop, each measured on the Following feed page and on the trivial route.

The platform is ``benchmarks.feed_query``'s (projected into SQLite the same way). Every stack runs
two servers, the API (built from settings as ``strom api`` builds it) and the trivial app, all at
once; ``wrk -t2 -c100`` takes turns over them, round after round, so a machine that slows down
during the run hurts every stack alike. Both protocols run with the slow-client guard
(``strom.connection_guard``), as the API does. The verdict weighs throughput and the p99 at 100
connections (the latency tail). Run with
``python -m benchmarks.http_stack [--quick] [--out PATH]``.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import itertools
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.api_commands import api_env, serving
from benchmarks.feed_query import FULL, QUICK, Load, Setup, prepare, project, wrk_rate
from benchmarks.report import Rate, machine, save
from read_models.sqlite import SQLiteReadStore

DESCRIPTION = "The API and the trivial route on h11 or httptools, asyncio or uvloop, under wrk."
DEFAULT_OUT = Path(__file__).parent / "results" / "http_stack.json"
STACKS = tuple(itertools.product(("h11", "httptools"), ("asyncio", "uvloop")))
ROUNDS = 3


@dataclasses.dataclass
class Measured:
    feed: Rate = dataclasses.field(default_factory=Rate)
    trivial: Rate = dataclasses.field(default_factory=Rate)


def run(setup: Setup, seconds: int) -> dict[str, Measured]:
    path = setup.folder / "read.db"
    store = SQLiteReadStore(path)
    try:
        project(setup.log, store, setup.sizes)
    finally:
        store.close()
    env = api_env(setup.folder, setup.secret) | {"STROM_READSTORE_URL": f"sqlite:///{path}"}
    results = {f"{http}+{loop}": Measured() for http, loop in STACKS}
    with contextlib.ExitStack() as stack:
        servers = {}
        for http, loop in STACKS:
            for app in ("api", "trivial"):
                args = ["benchmarks.stack_server", "--app", app, "--http", http, "--loop", loop]
                servers[(f"{http}+{loop}", app)] = stack.enter_context(
                    serving(f"{app}-{http}-{loop}", args, env, setup.folder)
                )
        feed, ping = setup.load(), Load("PUT", "/ping")
        for (_, app), server in servers.items():  # warm-up, not counted
            wrk_rate(server, feed if app == "api" else ping, 1, setup.folder)
        for _ in range(ROUNDS):
            for (name, app), server in servers.items():
                rate = wrk_rate(server, feed if app == "api" else ping, seconds, setup.folder)
                measured = results[name]
                if app == "api":
                    measured.feed += rate
                else:
                    measured.trivial += rate
    return results


def report(results: dict[str, Measured], seconds: int, quick: bool) -> dict[str, Any]:
    return {
        "benchmark": "http_stack",
        "mode": "quick" if quick else "full",
        "machine": machine(),
        "how": f"wrk -t2 -c100, {ROUNDS} rounds of {seconds} s per server, taking turns; feed: GET"
        " /v1/feed/following?limit=20 (benchmarks.feed_query's platform); trivial: PUT /ping",
        "stacks": {
            name: {"feed_page": m.feed.as_dict(), "trivial": m.trivial.as_dict()}
            for name, m in results.items()
        },
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.http_stack", description=DESCRIPTION)
    parser.add_argument("--quick", action="store_true", help="a small platform and short runs: a smoke run")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"JSON results (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    sizes, seconds = (QUICK, 1) if args.quick else (FULL, 4)
    with tempfile.TemporaryDirectory(prefix="strom-bench-stack-") as folder:
        results = run(prepare(Path(folder).resolve(), sizes), seconds)
    print(f"{'stack':20s}  {'feed page':40s}  trivial route")
    for name, m in results.items():
        print(f"{name:20s}  {m.feed.cell('req'):40s}  {m.trivial.cell('req')}")
    failed = sum(len(m.feed.failures) + len(m.trivial.failures) for m in results.values())
    save(args.out, report(results, seconds, args.quick))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
