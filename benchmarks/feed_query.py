"""Following feed page queries through the real HTTP API under 100 connections (wrk), next to a trivial app.

The platform is built for the query: ``readers`` people each follow ``follows`` small creators and
every large one; every creator publishes videos spread over the last ``WEEKS`` weeks of the wall
clock (feed rows live ``HORIZON`` from publication, so an older log such as ``benchmarks.synthetic``'s
would be expired). A reader's feed then spans several pages and weekly buckets: small creators'
videos fanned out into the reader's partitions, large creators' (above a fan-out threshold lowered
to ``readers // 2``) merged in at read time. The log holds only what the feed reads (follows and
publishes, appended as the handlers do by ``synthetic.Appender``); the ``following_feed`` projector
runs over it to the head before any request.

One API process (``python -m strom api``: uvicorn, one worker) serves the stores; ``wrk -t2 -c100``
asks for the first page (``limit=20``) of the next reader each request, after a short warm-up. Two
limits take the same wrk load: the raw floor (``benchmarks.feed_floor``: the page's SQL on the same
``read.db`` behind a bare Starlette route, DESIGN.md section 11's bar: the page at >= 0.8 of it) and
``benchmarks.trivial_app``'s ``PUT /ping``. On SQLite the three serve at once and take turns, round
after round, so a machine that slows down hurts them alike; the floor must serve the API's pages.
Latencies are wrk's own histogram, as 1,000 quantiles. Before the load, every reader's first page
must be full and one reader's whole feed is walked to check its shape; any non-2xx answer or socket
error fails the run.
The target is the feed row of DESIGN.md section 11. With ``STROM_TEST_CASSANDRA`` (or ``--cassandra``)
the same log is projected into a fresh keyspace, dropped afterwards, and measured the same way.
``--profile TOP`` runs the query in-process under cProfile instead.
Run with ``python -m benchmarks.feed_query [--quick] [--out PATH] [--cassandra HOST:PORT]``.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import pstats
import random
import re
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson

from benchmarks import signed_in, synthetic
from benchmarks.api_commands import Server, api_env, failure_kinds, failures, serving
from benchmarks.projections import cassandra_address, cassandra_stores, opened
from benchmarks.report import Line, Memory, Rate, Target, machine, save, table
from commands import streams
from commands.context import Ports
from domain.access import Visibility
from domain.social import UserFollowed
from domain.videos.events import VideoPublished
from eventstore.ids import uuid7
from eventstore.keystore import SQLiteKeyStore
from eventstore.sqlite import SQLiteEventStore
from migrations.runner import apply_pending
from projections.models import moderation_standing
from projections.models.following_feed import make_projector
from projections.rebuild import live_or_first
from projections.runner import Runner
from read_models import following_feed
from read_models.port import ReadStore
from read_models.sqlite import SQLiteReadStore
from strom.wiring import make_codec

DESCRIPTION = "Following feed page queries through the real HTTP API under wrk, next to a trivial app."
DEFAULT_OUT = Path(__file__).parent / "results" / "feed_query.json"
TARGET = Target(2_000, 20.0)
#: DESIGN.md section 11: the feed page (SQLite) at >= 0.8 of the raw floor in the same run.
FLOOR_BAR = 0.8
FLOOR_TARGET = Target(2_000, 20.0, source="feed page query row; bar: >= 0.8 of the floor")
#: Turns the three servers take, each timed for ``seconds / ROUNDS``: many short turns, so a machine
#: whose speed drifts during the run (this one's swings by a third within a minute) hurts all alike.
ROUNDS = 6
PAGE = 20
WEEKS = 6
THREADS, CONNECTIONS = 2, 100
QUANTILES = 1000
MARKER = "STROM-WRK "
SEED = 2026
#: Per request of the checks.
TIMEOUT_S = 30.0
#: wrk's per-request timeout: slower answers are failures and, beyond it, missing from its histogram,
#: so it is set well above any p99 worth reporting (wrk's default, 2 s, hid the slowest ones).
WRK_TIMEOUT_S = 10


@dataclasses.dataclass(frozen=True, slots=True)
class Sizes:
    """The platform (``follows`` must divide evenly: each small creator gets as many followers) and
    the seconds of wrk load, after ``warmup`` seconds of the same."""

    readers: int
    small: int
    follows: int
    videos: int
    large: int
    large_videos: int
    seconds: int
    warmup: int

    @property
    def threshold(self) -> int:
        """Above every small creator's followers, below the large ones' (every reader)."""
        return self.readers // 2

    def scaled(self, factor: int) -> Sizes:
        """``factor`` times the people: readers and small creators, so follows and videos grow alike
        (each reader still follows as many, each creator still publishes as many). The large
        creators stay as few, followed by every reader, as the famous are."""
        return dataclasses.replace(self, readers=self.readers * factor, small=self.small * factor)


#: Small enough that projecting into a one-node Cassandra takes about half a minute (~30 events/s).
FULL = Sizes(readers=60, small=30, follows=10, videos=6, large=3, large_videos=8, seconds=30, warmup=2)
QUICK = Sizes(readers=30, small=15, follows=5, videos=6, large=2, large_videos=6, seconds=3, warmup=1)


# -- the platform -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Platform:
    readers: list[str]
    large: list[str]
    appends: list[synthetic.Append]


def platform(sizes: Sizes, now: datetime) -> Platform:
    """Follows first (a week before the oldest video), then every publish in time order."""
    rng = random.Random(SEED)
    readers = [str(uuid7()) for _ in range(sizes.readers)]
    small = [str(uuid7()) for _ in range(sizes.small)]
    large = [str(uuid7()) for _ in range(sizes.large)]
    followed_at = _millis(now - timedelta(weeks=WEEKS + 1))
    appends = [
        synthetic.Append(streams.follows(r), (UserFollowed(r, c),), r, followed_at)
        for i, r in enumerate(readers)
        for c in [small[(i * sizes.follows + j) % sizes.small] for j in range(sizes.follows)] + large
    ]
    owners = [c for c in small for _ in range(sizes.videos)] + [
        c for c in large for _ in range(sizes.large_videos)
    ]
    span_ms = WEEKS * 7 * 86_400_000
    published = sorted((_millis(now) - rng.randrange(60_000, span_ms), owner) for owner in owners)
    appends += [_publish(owner, at_ms, rng) for at_ms, owner in published]
    return Platform(readers, large, appends)


def _publish(owner: str, at_ms: int, rng: random.Random) -> synthetic.Append:
    video_id = str(uuid7())
    visibility = Visibility.PUBLIC if rng.random() < 0.9 else Visibility.FOLLOWERS
    tags = rng.sample(synthetic.HASHTAGS, rng.randint(0, 3))
    event = VideoPublished(video_id, owner, rng.choice(synthetic.PHRASES), tags, visibility.value, True)
    return synthetic.Append(streams.video(video_id), (event,), owner, at_ms)


def _millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def project(log: synthetic.Log, store: ReadStore, sizes: Sizes) -> Rate:
    """The feed projector, its threshold lowered, from the start of the log to its head (timed);
    then the moderation standing projector, whose tables every feed page reads (labels, suspended
    owners): no one is suspended or labelled here, but the page looks, as it does in production."""
    apply_pending(store)
    timed = Rate()
    for projector in (make_projector(threshold=sizes.threshold), moderation_standing.PROJECTOR):
        with opened(log) as o:
            head = o.events.head_position()
            build = live_or_first(store, projector)
            runner = Runner(projector, events=o.events, codec=o.codec, store=store, build=build)
            start = time.perf_counter()
            runner.run(until=head)
            timed = timed if timed.seconds else Rate(head, time.perf_counter() - start)
    return timed


# -- checking the answers ---------------------------------------------------------------------


def check_feed(server: Server, tokens: Sequence[str], large: Sequence[str]) -> dict[str, int]:
    """Every reader's first page is full; the first reader's whole feed has the shape meant here."""
    with httpx.Client(base_url=server.url, timeout=TIMEOUT_S) as client:
        for token in tokens:
            if len(_page(client, token, None)["items"]) != PAGE:
                raise RuntimeError(f"a reader's first feed page is not full ({PAGE} items)")
        shape = _walk(client, tokens[0], set(large))
    if shape["pages"] < 3 or shape["weeks"] < 3 or not shape["merged_items"]:
        raise RuntimeError(f"the feed is not the one this benchmark means to measure: {shape}")
    return shape


def _walk(client: httpx.Client, token: str, large: set[str]) -> dict[str, int]:
    pages, items, cursor = 0, list[dict[str, Any]](), None
    while pages == 0 or cursor is not None:
        body = _page(client, token, cursor)
        pages, items, cursor = pages + 1, items + body["items"], body["next_cursor"]
    weeks = {following_feed.bucket_of(datetime.fromisoformat(x["published_at"])) for x in items}
    merged = sum(x["owner_id"] in large for x in items)
    return {"pages": pages, "items": len(items), "weeks": len(weeks), "merged_items": merged}


def _page(client: httpx.Client, token: str, cursor: str | None) -> dict[str, Any]:
    params: dict[str, str | int] = {"limit": PAGE} | ({"cursor": cursor} if cursor else {})
    response = client.get("/v1/feed/following", params=params, headers={"Authorization": f"Bearer {token}"})
    if response.status_code != 200:
        raise RuntimeError(f"GET /v1/feed/following answered {response.status_code}: {response.text[:300]}")
    body: dict[str, Any] = response.json()
    return body


# -- wrk --------------------------------------------------------------------------------------

#: Requests prepared once per thread, one per token in turn; ``done`` prints the results as JSON.
SCRIPT = """
local tokens = {%(tokens)s}
local prepared, n = {}, 0
init = function(args)
  for i, token in ipairs(tokens) do
    prepared[i] = wrk.format("%(method)s", "%(path)s", {Authorization = "Bearer " .. token})
  end
  if #prepared == 0 then prepared[1] = wrk.format("%(method)s", "%(path)s") end
end
request = function()
  n = n %% #prepared + 1
  return prepared[n]
end
done = function(summary, latency, requests)
  local q = {}
  for i = 0, %(quantiles)d - 1 do
    q[#q + 1] = string.format("%%d", latency:percentile(100 * i / %(quantiles)d))
  end
  local e = summary.errors
  io.write(string.format('%(marker)s{"requests":%%d,"duration_us":%%d,"status":%%d,"connect":%%d,' ..
    '"read":%%d,"write":%%d,"timeout":%%d,"quantiles_us":[%%s]}\\n', summary.requests, summary.duration,
    e.status, e.connect, e.read, e.write, e.timeout, table.concat(q, ",")))
end
"""


@dataclasses.dataclass(frozen=True, slots=True)
class Load:
    """What wrk sends: ``method path``, with each token in turn (none: no Authorization header)."""

    method: str
    path: str
    tokens: Sequence[str] = ()


def wrk_rate(server: Server, load: Load, seconds: int, folder: Path) -> Rate:
    """``seconds`` of wrk at ``CONNECTIONS`` connections; wrk's non-2xx and socket errors are failures."""
    script = folder / "load.lua"
    tokens = ", ".join(f'"{t}"' for t in load.tokens)
    params = {"tokens": tokens, "method": load.method, "path": load.path}
    script.write_text(SCRIPT % (params | {"quantiles": QUANTILES, "marker": MARKER}))
    command = [
        "wrk",
        f"-t{THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        f"--timeout={WRK_TIMEOUT_S}s",
        "--latency",
        "-s",
        str(script),
    ]
    done = subprocess.run([*command, server.url + load.path], capture_output=True, text=True, check=False)
    found = re.search(f"^{MARKER}(.*)$", done.stdout, re.MULTILINE)
    if done.returncode != 0 or found is None:
        raise RuntimeError(f"wrk exited with {done.returncode}:\n{done.stdout}\n{done.stderr}")
    result = orjson.loads(found.group(1))
    errors = [("HTTP status > 399", result["status"])]
    errors += [(f"socket {kind}", result[kind]) for kind in ("connect", "read", "write", "timeout")]
    return Rate(
        result["requests"],
        result["duration_us"] / 1e6,
        tuple(q / 1e6 for q in result["quantiles_us"]),
        tuple(f"{load.method} {kind}" for kind, count in errors for _ in range(count)),
    )


def measured(server: Server, load: Load, sizes: Sizes, folder: Path) -> Rate:
    """A warm-up (its failures kept, its numbers not), then the timed run."""
    warmup = wrk_rate(server, load, sizes.warmup, folder)
    timed = wrk_rate(server, load, sizes.seconds, folder)
    return dataclasses.replace(timed, failures=warmup.failures + timed.failures)


# -- the run ----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Setup:
    """The log on disk, who reads the feeds and their tokens, signed with the API's secret."""

    folder: Path
    sizes: Sizes
    platform: Platform
    secret: str
    tokens: list[str]

    @property
    def log(self) -> synthetic.Log:
        return synthetic.Log(self.folder)

    def load(self) -> Load:
        return Load("GET", f"/v1/feed/following?limit={PAGE}", self.tokens)


@dataclasses.dataclass(frozen=True, slots=True)
class Measured:
    engine: str
    ours: Rate
    projected: Rate
    feed: dict[str, int]
    #: The API process's memory once the load is over.
    memory: Memory | None = None


def prepare(folder: Path, sizes: Sizes) -> Setup:
    built = platform(sizes, datetime.now(UTC))
    synthetic.build(folder, built.appends)
    secret = secrets.token_urlsafe(48)
    return Setup(folder, sizes, built, secret, sign_in(synthetic.Log(folder), secret, built.readers))


def sign_in(log: synthetic.Log, secret: str, readers: Sequence[str]) -> list[str]:
    """Each reader gets an account and a live session: the API's session gate asks for both."""
    keys = SQLiteKeyStore(log.keys)
    store = SQLiteEventStore(log.events)
    try:
        ports = Ports(store=store, codec=make_codec(keys), keys=keys)
        return [signed_in.access_token(ports, secret, signed_in.account(ports, reader)) for reader in readers]
    finally:
        store.close()
        keys.close()


def measure_api(engine: str, setup: Setup, projected: Rate, read_store_url: str) -> Measured:
    """One API process on the projected read store: the checks, then the load."""
    env = api_env(setup.folder, setup.secret) | {"STROM_READSTORE_URL": read_store_url}
    with serving(f"api-{engine}", ["strom", "api"], env, setup.folder) as api:
        feed = check_feed(api, setup.tokens, setup.platform.large)
        ours = measured(api, setup.load(), setup.sizes, setup.folder)
        memory = api.memory()
        if ours.failures:
            print(f"API log, last lines:\n{api.tail()}\n", flush=True)
    print(f"  {engine}: {ours.cell('req')}; API {memory.cell()}", flush=True)
    return Measured(engine, ours, projected, feed, memory)


@dataclasses.dataclass(frozen=True, slots=True)
class Limits:
    """The trivial route and the raw floor (the page's SQL behind a bare Starlette route)."""

    trivial: Rate
    floor: Rate


def on_sqlite(setup: Setup) -> tuple[Limits, Measured]:
    """The API, the raw floor and the trivial app serve at once and take turns under the same load,
    so a machine that slows down during the run hurts all three alike."""
    path = setup.folder / "read.db"
    store = SQLiteReadStore(path)
    try:
        projected = project(setup.log, store, setup.sizes)
    finally:
        store.close()
    env = api_env(setup.folder, setup.secret) | {"STROM_READSTORE_URL": f"sqlite:///{path}"}
    readers = setup.folder / "readers.json"
    readers.write_bytes(orjson.dumps(dict(zip(setup.tokens, setup.platform.readers, strict=True))))
    floor_args = ["benchmarks.feed_floor", "--db", str(path), "--readers", str(readers)]
    with (
        serving("trivial", ["benchmarks.trivial_app"], env, setup.folder) as trivial,
        serving("floor", floor_args, env, setup.folder) as floor,
        serving("api-sqlite", ["strom", "api"], env, setup.folder) as api,
    ):
        feed = check_feed(api, setup.tokens, setup.platform.large)
        check_floor(floor, api, setup.tokens)
        servers = ((trivial, Load("PUT", "/ping")), (floor, setup.load()), (api, setup.load()))
        rates = [
            Rate(failures=wrk_rate(s, load, setup.sizes.warmup, setup.folder).failures) for s, load in servers
        ]
        turn = max(1, setup.sizes.seconds // ROUNDS)
        for _ in range(ROUNDS):
            this_round = [wrk_rate(s, load, turn, setup.folder) for s, load in servers]
            print(f"    round: API / floor {this_round[2].per_s / this_round[1].per_s:.2f}", flush=True)
            rates = [r + t for r, t in zip(rates, this_round, strict=True)]
        memory = api.memory()
        if rates[2].failures:
            print(f"API log, last lines:\n{api.tail()}\n", flush=True)
    limits = Limits(trivial=rates[0], floor=rates[1])
    print(f"  trivial app: {limits.trivial.cell('req')}", flush=True)
    print(f"  raw floor: {limits.floor.cell('req')}", flush=True)
    print(f"  sqlite: {rates[2].cell('req')}; API {memory.cell()}", flush=True)
    return limits, Measured("sqlite", rates[2], projected, feed, memory)


def check_floor(floor: Server, api: Server, tokens: Sequence[str]) -> None:
    """The floor serves the same pages as the API (the same videos, in the same order)."""
    with httpx.Client(timeout=TIMEOUT_S) as client:
        for token in tokens[:5]:
            headers = {"Authorization": f"Bearer {token}"}
            pages = [
                client.get(f"{s.url}/v1/feed/following", params={"limit": PAGE}, headers=headers).json()
                for s in (api, floor)
            ]
            if [[x["video_id"] for x in p["items"]] for p in pages] != [
                [x["video_id"] for x in pages[0]["items"]]
            ] * 2:
                raise RuntimeError("the raw floor does not serve the page the API serves")


def on_cassandra(setup: Setup, address: str) -> Measured:
    from read_models.cassandra import CassandraReadStore

    with cassandra_stores(address)() as store:
        assert isinstance(store, CassandraReadStore)
        projected = project(setup.log, store, setup.sizes)
        url = f"cassandra://{address}/{store.keyspace}?replication=simple:1"
        return measure_api("cassandra", setup, projected, url)


def run(setup: Setup, cassandra: str | None, skipped: str) -> tuple[Limits, list[Measured]]:
    print(
        f"wrk -t{THREADS} -c{CONNECTIONS}, {ROUNDS} rounds of {max(1, setup.sizes.seconds // ROUNDS)} s each"
        f" after {setup.sizes.warmup} s warm-up"
    )
    limits, sqlite = on_sqlite(setup)
    if cassandra is None:
        print(f"  cassandra: skipped, {skipped}", flush=True)
        return limits, [sqlite]
    return limits, [sqlite, on_cassandra(setup, cassandra)]


def lines(limits: Limits, results: Sequence[Measured], sizes: Sizes) -> list[Line]:
    """Each engine against the trivial route; SQLite also against the raw floor (section 11's bar)."""
    how = (
        f"wrk -t{THREADS} -c{CONNECTIONS}, {ROUNDS} x {max(1, sizes.seconds // ROUNDS)} s: GET"
        f" /v1/feed/following?limit={PAGE}, the next of {sizes.readers} readers each request"
    )
    trivial = f"{how}; limit: PUT /ping on a trivial FastAPI app"
    floor = f"{how}; limit: the same page's SQL behind a bare Starlette route (benchmarks.feed_floor)"
    out = [
        Line(
            f"feed_page_{m.engine}",
            f"feed page ({m.engine})",
            m.ours,
            limits.trivial,
            TARGET,
            trivial,
            unit="req",
        )
        for m in results
    ]
    sqlite = [m for m in results if m.engine == "sqlite"]
    out += [
        Line(
            "feed_page_sqlite_vs_floor",
            "feed page (sqlite) vs raw floor",
            m.ours,
            limits.floor,
            FLOOR_TARGET,
            floor,
            unit="req",
        )
        for m in sqlite
    ]
    return out


def report(
    lines: Sequence[Line], results: Sequence[Measured], setup: Setup, quick: bool, skipped: str
) -> dict[str, Any]:
    bad = [f for line in lines for f in failures(line)]
    floor = next(x for x in lines if x.key == "feed_page_sqlite_vs_floor")
    return {
        "benchmark": "feed_query",
        "mode": "quick" if quick else "full",
        "machine": machine(),
        "sizes": dataclasses.asdict(setup.sizes) | {"threshold": setup.sizes.threshold, "weeks": WEEKS},
        "engines": {
            m.engine: {
                "projection": m.projected.as_dict(),
                "feed": m.feed,
                "api_memory": m.memory and m.memory.as_dict(),
            }
            for m in results
        },
        "cassandra_skipped": skipped or None,
        "operations": {x.key: x.as_dict() for x in lines},
        "floor_bar": {"ratio": round(floor.ratio, 3), "bar": FLOOR_BAR, "met": floor.ratio >= FLOOR_BAR},
        "failures": {"count": len(bad), "kinds": failure_kinds(bad)},
    }


# -- profile ----------------------------------------------------------------------------------


def profile(setup: Setup, top: int, calls: int = 2000) -> None:
    """The query function in-process on SQLite, first pages of each reader in turn, under cProfile."""
    store = SQLiteReadStore(setup.folder / "read.db")
    try:
        project(setup.log, store, setup.sizes)
        readers = setup.platform.readers
        profiler = cProfile.Profile()
        start = time.perf_counter()
        profiler.enable()
        for i in range(calls):
            following_feed.following_feed(store, readers[i % len(readers)], PAGE)
        profiler.disable()
        print(f"{calls} first pages in-process: {(time.perf_counter() - start) / calls * 1000:.3f} ms each")
    finally:
        store.close()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(top)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.feed_query", description=DESCRIPTION)
    parser.add_argument("--quick", action="store_true", help="a small platform and short runs: a smoke run")
    parser.add_argument("--cassandra", help="host:port of a node (default: $STROM_TEST_CASSANDRA)")
    parser.add_argument(
        "--profile", type=int, metavar="TOP", help="print the query's TOP hot spots, then stop"
    )
    parser.add_argument(
        "--scale", type=int, default=1, help="K times the readers, creators, follows and videos (default 1)"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"JSON results (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    sizes = (QUICK if args.quick else FULL).scaled(args.scale)
    if shutil.which("wrk") is None and not args.profile:
        parser.error("wrk is not installed: run scripts/system_deps.sh (Debian: apt-get install wrk)")
    with tempfile.TemporaryDirectory(prefix="strom-bench-feed-") as folder:
        setup = prepare(Path(folder).resolve(), sizes)
        if args.profile:
            profile(setup, args.profile)
            return 0
        cassandra, skipped = cassandra_address(args.cassandra)
        limits, results = run(setup, cassandra, skipped)
    measured_lines = lines(limits, results, sizes)
    print(table(measured_lines))
    result = report(measured_lines, results, setup, args.quick, skipped)
    for kind, count in result["failures"]["kinds"].items():
        print(f"  {count:>6} x {kind}")
    print(f"  feed page / raw floor: {result['floor_bar']['ratio']:.2f} (bar {FLOOR_BAR})")
    save(args.out, result)
    return 1 if result["failures"]["count"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
