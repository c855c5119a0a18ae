"""Command throughput through the real HTTP API, next to a trivial FastAPI app under the same load.

A fresh API process (``python -m strom api``) runs on temporary SQLite stores holding one
published video; 50 signed-in users, one connection each, alternately like and unlike it, so
every request appends an event (with the default full sync). The "limit" is
``benchmarks.trivial_app``: one ``PUT /ping`` answering a small JSON body, served the same way
(uvicorn, one process, warnings only, no access log) and driven by the same client, so the ratio
says what auth, dependencies, rate limiting, loading the streams and a durable append cost on top
of the framework. Both servers run at once and take turns, so a machine that slows down during
the run hurts both alike. Client and servers share the machine: on two cores the client's own
CPU is part of both numbers, which is why the default client is a bare asyncio one (see
``BareConnection``); ``--client httpx`` drives both through one ``httpx.AsyncClient`` instead.

Section 11 of DESIGN.md has no row for HTTP commands; the per-API-process bar of its feed row
(≥ 2,000 req/s, p99 ≤ 20 ms) is used as the target. Every response must be 2xx; the run exits 1
and prints them otherwise. Run with ``python -m benchmarks.api_commands [--quick] [--out PATH]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import httpx
import orjson

from api.tokens import Tokens
from benchmarks.append import machine
from commands import streams
from commands.context import Ports, Request
from commands.handling import Aggregate, execute
from domain import videos
from domain.access import Visibility
from domain.actors import Actor
from domain.events import DomainEvent
from domain.videos.rules import PIPELINE
from eventstore.ids import uuid7
from eventstore.keystore import SQLiteKeyStore
from eventstore.sqlite import SQLiteEventStore
from strom.wiring import make_codec

DESCRIPTION = "Command throughput through the real HTTP API, next to a trivial FastAPI app."
DEFAULT_OUT = Path(__file__).parent / "results" / "api_commands.json"
ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
USERS = 50
#: Alternating rounds of limit then ours; each user's share of a round must be even (like, unlike).
ROUNDS = 2
#: So the per-user write limiter never answers 429: the benchmark measures work, not refusals.
WRITE_RATE = "1000000"
READY_TIMEOUT_S = 30.0
#: Per request; the store gives up on a locked database after 5 s, so this is never the first to act.
TIMEOUT_S = 30.0
#: What a client raises for a request that got no HTTP answer (TimeoutError is an OSError).
CLIENT_ERRORS = (httpx.HTTPError, OSError, EOFError, asyncio.LimitOverrunError, ValueError)
CLIENTS = ("bare", "httpx")
#: Failures shown on the terminal; the JSON keeps the same number.
SHOWN_FAILURES = 10

VIDEO: Aggregate[videos.State] = Aggregate(videos.initial, videos.evolve)


@dataclasses.dataclass(frozen=True, slots=True)
class Sizes:
    """Requests in the timed rounds, and per user before them to open connections and warm caches."""

    requests: int
    warmup_per_user: int

    def per_user_per_round(self) -> int:
        count = self.requests // (USERS * ROUNDS)
        if count < 2 or count % 2 or self.warmup_per_user % 2:
            raise ValueError("each user must like and unlike equally often in a round and in warm-up")
        return count


FULL = Sizes(requests=4_000, warmup_per_user=4)
QUICK = Sizes(requests=400, warmup_per_user=2)


# -- results ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Load:
    """Requests answered in a time, one latency (seconds) per answer, and what went wrong."""

    requests: int = 0
    seconds: float = 0.0
    latencies: tuple[float, ...] = ()
    failures: tuple[str, ...] = ()

    def __add__(self, other: Load) -> Load:
        return Load(
            self.requests + other.requests,
            self.seconds + other.seconds,
            self.latencies + other.latencies,
            self.failures + other.failures,
        )

    @property
    def per_s(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    def percentile_ms(self, p: float) -> float | None:
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "seconds": round(self.seconds, 4),
            "requests_per_s": round(self.per_s, 1),
            "p50_ms": _round(self.percentile_ms(50)),
            "p99_ms": _round(self.percentile_ms(99)),
            "non_2xx": len(self.failures),
        }


@dataclasses.dataclass(frozen=True, slots=True)
class Target:
    """The bar the verdict is printed against; see the module docstring for where it comes from."""

    per_s: float
    p99_ms: float

    def met_by(self, load: Load) -> bool:
        p99 = load.percentile_ms(99)
        return load.per_s >= self.per_s and p99 is not None and p99 <= self.p99_ms and not load.failures

    def __str__(self) -> str:
        return f">= {self.per_s:,.0f} req/s, p99 <= {self.p99_ms:g} ms"


@dataclasses.dataclass(frozen=True, slots=True)
class Line:
    """One operation measured both ways; ``key`` names it in the JSON, ``operation`` in the table."""

    key: str
    operation: str
    ours: Load
    limit: Load
    target: Target
    how: str

    @property
    def met(self) -> bool:
        return self.target.met_by(self.ours)

    @property
    def ratio(self) -> float:
        return self.ours.per_s / self.limit.per_s if self.limit.per_s else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "how": self.how,
            "ours": self.ours.as_dict(),
            "limit": self.limit.as_dict(),
            "ratio": round(self.ratio, 3),
            "target": {"requests_per_s": self.target.per_s, "p99_ms": self.target.p99_ms},
            "met": self.met,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


# -- the data the API starts with -------------------------------------------------------


def _publish_video(ports: Ports, owner_id: str) -> str:
    """Upload, processing and publishing through the domain, as the API test harness does."""
    video_id = str(uuid7())
    owner = Actor(owner_id)
    publish = videos.PublishVideo(owner, video_id, "a clip #bench", [], Visibility.PUBLIC, True)
    processed = videos.CompleteProcessing(
        PIPELINE, video_id, ["240p", "720p"], f"{video_id}/master.m3u8", f"{video_id}/poster.jpg"
    )
    upload = videos.CompleteUpload(owner, video_id, "up-1", 1_000_000, 15_000, 1080, 1920)
    steps: list[tuple[Actor, Callable[[videos.State], Sequence[DomainEvent]]]] = [
        (owner, lambda s: videos.decide_create_draft(s, videos.CreateDraft(owner, video_id))),
        (owner, lambda s: videos.decide_complete_upload(s, upload)),
        (PIPELINE, lambda s: videos.decide_start_processing(s, videos.StartProcessing(PIPELINE, video_id))),
        (PIPELINE, lambda s: videos.decide_complete_processing(s, processed)),
        (owner, lambda s: videos.decide_publish_video(s, publish)),
    ]
    for actor, decide in steps:
        execute(ports, Request(actor), streams.video(video_id), VIDEO, decide)
    return video_id


def seed(folder: Path) -> str:
    """Written straight into the files the API will open, then closed so the API has them alone."""
    keys = SQLiteKeyStore(folder / "keys.db")
    store = SQLiteEventStore(folder / "events.db")
    try:
        return _publish_video(Ports(store=store, codec=make_codec(keys), keys=keys), str(uuid7()))
    finally:
        store.close()
        keys.close()


def bearer_headers(secret: str, count: int) -> list[dict[str, str]]:
    """Users with no account events: a like is decided on the actor and the video alone."""
    tokens = Tokens(secret, ttl_s=3600)
    return [{"Authorization": f"Bearer {tokens.issue(Actor(str(uuid7())))}"} for _ in range(count)]


# -- servers ----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def api_env(folder: Path, secret: str) -> dict[str, str]:
    """Only our settings: a ``STROM_*`` left in the caller's shell must not point at real data."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STROM_")}
    env.update(
        STROM_DATA_DIR=str(folder),
        STROM_EVENTSTORE_URL=f"sqlite:///{folder / 'events.db'}",
        STROM_KEYSTORE_URL=f"sqlite:///{folder / 'keys.db'}",
        STROM_READSTORE_URL=f"sqlite:///{folder / 'read.db'}",
        STROM_JWT_SECRET=secret,
        STROM_WRITE_RATE_PER_S=WRITE_RATE,
        STROM_WRITE_BURST=WRITE_RATE,
    )
    return env


@dataclasses.dataclass(frozen=True, slots=True)
class Server:
    """A running server: where to reach it and where its output goes, for when it misbehaves."""

    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


@contextlib.contextmanager
def serving(name: str, module_args: Sequence[str], env: dict[str, str], folder: Path) -> Iterator[Server]:
    """Starts ``python -m <module_args> --port N``, waits until it answers, and always stops it."""
    server = Server(_free_port(), folder / f"{name}.log")
    with server.log.open("wb") as log:
        command = [sys.executable, "-m", *module_args, "--port", str(server.port)]
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_ready(proc, server)
            yield server
        finally:
            _stop(proc)


def _ready(client: httpx.Client) -> bool:
    """``/healthz`` on the API; the trivial app has only ``/ping``, any answer from it will do."""
    with contextlib.suppress(httpx.TransportError):
        if client.get("/healthz").is_success or client.put("/ping").is_success:
            return True
    return False


def _wait_ready(proc: subprocess.Popen[bytes], server: Server) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    with httpx.Client(base_url=server.url, timeout=1.0) as client:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"{server.url} exited with {proc.returncode}:\n{server.tail()}")
            if _ready(client):
                return
            time.sleep(0.05)
    raise TimeoutError(f"{server.url} did not answer within {READY_TIMEOUT_S:g} s:\n{server.tail()}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM lets uvicorn run the app's shutdown (closing the stores); a hung one is killed."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# -- clients ----------------------------------------------------------------------------


class Sender(Protocol):
    async def send(self, method: str, path: str, headers: Mapping[str, str]) -> tuple[int, bytes]: ...


class BareConnection:
    """One keep-alive HTTP/1.1 connection and the least client code that can drive it.

    ``httpx.AsyncClient`` costs about 1.5 ms of CPU a request on the reference machine and slows
    down as its pool grows (encode/httpx#3215): with 50 connections it fed the trivial app ~200
    req/s when the app could answer ~1,400, so the "limit" measured the client. This one costs
    about a tenth of that. It reads only bodies with a Content-Length, which uvicorn always sends
    for these routes. It reconnects after an error, and when uvicorn has closed it for idling past
    its keep-alive timeout (5 s) while the other server had its turn, as httpx would.
    """

    def __init__(self, port: int) -> None:
        self._port = port
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def send(self, method: str, path: str, headers: Mapping[str, str]) -> tuple[int, bytes]:
        if self._streams is None or self._streams[0].at_eof():
            self.close()
            self._streams = await asyncio.open_connection(HOST, self._port)
        reader, writer = self._streams
        try:
            writer.write(_request(method, path, f"{HOST}:{self._port}", headers))
            head = await reader.readuntil(b"\r\n\r\n")
            body = await reader.readexactly(_content_length(head))
        except BaseException:
            self.close()
            raise
        return int(head[9:12]), body

    def close(self) -> None:
        if self._streams is not None:
            self._streams[1].close()
            self._streams = None


def _request(method: str, path: str, host: str, headers: Mapping[str, str]) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join([*lines, "Content-Length: 0", "", ""])).encode("latin-1")


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    raise ValueError(f"no Content-Length in {head[:200]!r}")


@dataclasses.dataclass(frozen=True, slots=True)
class HttpxSender:
    """The same interface over a shared ``httpx.AsyncClient``, for ``--client httpx``."""

    client: httpx.AsyncClient

    async def send(self, method: str, path: str, headers: Mapping[str, str]) -> tuple[int, bytes]:
        response = await self.client.request(method, path, headers=dict(headers))
        return response.status_code, response.content


@contextlib.asynccontextmanager
async def senders(kind: str, server: Server) -> AsyncIterator[list[Sender]]:
    """One per user: its own bare connection, or one httpx client with a connection per user."""
    if kind == "httpx":
        limits = httpx.Limits(max_connections=USERS, max_keepalive_connections=USERS)
        async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=TIMEOUT_S) as client:
            yield [HttpxSender(client)] * USERS
        return
    connections = [BareConnection(server.port) for _ in range(USERS)]
    try:
        yield list(connections)
    finally:
        for connection in connections:
            connection.close()


# -- load -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Job:
    """What every user sends to one server, each through its own sender: ``methods`` in turn."""

    senders: Sequence[Sender]
    methods: tuple[str, ...]
    path: str


async def _user(job: Job, sender: Sender, headers: dict[str, str], count: int) -> Load:
    latencies: list[float] = []
    failures: list[str] = []
    for i in range(count):
        method = job.methods[i % len(job.methods)]
        start = time.perf_counter()
        try:
            async with asyncio.timeout(TIMEOUT_S):
                status, body = await sender.send(method, job.path, headers)
        except CLIENT_ERRORS as exc:
            failures.append(f"{method} error: {exc!r}")
            continue
        latencies.append(time.perf_counter() - start)
        if not 200 <= status < 300:
            failures.append(f"{method} {status}: {body[:300].decode(errors='replace')}")
    return Load(len(latencies), 0.0, tuple(latencies), tuple(failures))


async def phase(job: Job, users: Sequence[dict[str, str]], per_user: int) -> Load:
    """Every user at once, ``per_user`` requests each; the time is the whole phase's wall clock."""
    start = time.perf_counter()
    pairs = zip(job.senders, users, strict=True)
    loads = await asyncio.gather(*(_user(job, sender, headers, per_user) for sender, headers in pairs))
    seconds = time.perf_counter() - start
    return dataclasses.replace(sum(loads, Load()), seconds=seconds)


async def _check_contract(job: Job, headers: dict[str, str]) -> None:
    """One like and one unlike, so a route that answers 2xx but not as agreed stops the run early."""
    for method in job.methods:
        status, body = await job.senders[0].send(method, job.path, headers)
        if status != 200 or "position" not in orjson.loads(body):
            raise RuntimeError(f"{method} {job.path} answered {status}: {body[:300]!r}")


async def measure(
    sizes: Sizes, client: str, servers: tuple[Server, Server], video_id: str, users: Sequence[dict[str, str]]
) -> Line:
    api, trivial = servers
    async with senders(client, api) as to_api, senders(client, trivial) as to_trivial:
        ours_job = Job(to_api, ("PUT", "DELETE"), f"/v1/videos/{video_id}/like")
        limit_job = Job(to_trivial, ("PUT",), "/ping")
        await _check_contract(ours_job, users[0])
        limit = Load(failures=(await phase(limit_job, users, sizes.warmup_per_user)).failures)
        ours = Load(failures=(await phase(ours_job, users, sizes.warmup_per_user)).failures)
        for _ in range(ROUNDS):
            limit += await phase(limit_job, users, sizes.per_user_per_round())
            ours += await phase(ours_job, users, sizes.per_user_per_round())
    how = (
        f"{USERS} users, a connection each ({client} client), alternating PUT/DELETE"
        " /v1/videos/{id}/like on one published video; limit: PUT /ping on a trivial FastAPI app"
    )
    return Line("like_unlike", "like/unlike", ours, limit, Target(2_000, 20.0), how)


def run(sizes: Sizes, client: str, folder: Path) -> Line:
    secret = secrets.token_urlsafe(48)
    video_id = seed(folder)
    users = bearer_headers(secret, USERS)
    env = api_env(folder, secret)
    with (
        serving("api", ["strom", "api"], env, folder) as api,
        serving("trivial", ["benchmarks.trivial_app"], env, folder) as trivial,
    ):
        line = asyncio.run(measure(sizes, client, (api, trivial), video_id, users))
        if line.ours.failures:
            print(f"API log, last lines:\n{api.tail()}\n", flush=True)
        return line


# -- reporting --------------------------------------------------------------------------


def _cell(load: Load) -> str:
    p50, p99 = load.percentile_ms(50), load.percentile_ms(99)
    text = f"{load.per_s:,.0f}/s"
    return text if p50 is None or p99 is None else f"{text} (p50 {p50:.2f}, p99 {p99:.2f} ms)"


def table(lines: Sequence[Line]) -> str:
    head = ("operation", "ours", "limit", "ratio", "target", "met")
    rows = [head] + [
        (
            x.operation,
            _cell(x.ours),
            _cell(x.limit),
            f"{x.ratio:.2f}",
            str(x.target),
            "yes" if x.met else "no",
        )
        for x in lines
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    text = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    text.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(text)


def failures(line: Line) -> list[str]:
    return [f"ours: {f}" for f in line.ours.failures] + [f"limit: {f}" for f in line.limit.failures]


def failure_kinds(bad: Sequence[str]) -> dict[str, int]:
    """``ours: PUT 503`` and the like, counted: the few printed in full may all be of one kind."""
    return dict(Counter(f.split(":", 2)[0] + ":" + f.split(":", 2)[1] for f in bad))


def report(line: Line, sizes: Sizes, client: str, quick: bool) -> dict[str, Any]:
    bad = failures(line)
    return {
        "benchmark": "api_commands",
        "mode": "quick" if quick else "full",
        "client": client,
        "machine": machine(),
        "sizes": {**dataclasses.asdict(sizes), "users": USERS, "rounds": ROUNDS},
        "operations": {line.key: line.as_dict()},
        "failures": {"count": len(bad), "kinds": failure_kinds(bad), "first": bad[:SHOWN_FAILURES]},
    }


def _show_failures(bad: Sequence[str]) -> None:
    print(f"\nnon-2xx or failed requests: {len(bad)}")
    for kind, count in failure_kinds(bad).items():
        print(f"  {count:>5} x {kind}")
    for failure in bad[:SHOWN_FAILURES]:
        print(f"  {failure}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.api_commands", description=DESCRIPTION)
    parser.add_argument("--quick", action="store_true", help="a tenth of the requests: a smoke run")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"JSON results (default {DEFAULT_OUT})")
    parser.add_argument(
        "--client", choices=CLIENTS, default="bare", help="bare asyncio connections (default) or httpx"
    )
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    with tempfile.TemporaryDirectory(prefix="strom-bench-api-") as folder:
        line = run(sizes, args.client, Path(folder).resolve())
    print(table([line]))
    bad = failures(line)
    _show_failures(bad)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(
        orjson.dumps(report(line, sizes, args.client, args.quick), option=orjson.OPT_INDENT_2)
    )
    print(f"\nresults: {args.out}")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
