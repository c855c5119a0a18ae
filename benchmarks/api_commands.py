"""Command throughput through the real HTTP API, next to a trivial FastAPI app under the same load.

A fresh API process (``python -m strom api``) runs on temporary SQLite stores holding one
published video; 50 signed-in users (accounts with live sessions, so the session gate has work to
do), one connection each, alternately like and unlike it, so every request appends an event (with
the default full sync). The "limit" is ``benchmarks.trivial_app``: one ``PUT /ping`` answering a
small JSON body, served the same way (uvicorn, one process, warnings only, no access log) and
driven by the same client, so the ratio says what auth, dependencies, rate limiting, loading the
streams and a durable append cost on top of the framework. Both servers run at once and take
turns, so a machine that slows down during the run hurts both alike. Client and servers share the
machine: on two cores the client's own CPU is part of both numbers, which is why the default
client is a bare asyncio one (see ``benchmarks.http_clients``); ``--client httpx`` drives both
through one ``httpx.AsyncClient`` instead.

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
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import orjson

from benchmarks.http_clients import CLIENT_ERRORS, CLIENTS, Sender, senders
from benchmarks.report import Line, Memory, Rate, Target, machine, memory_of, save, table
from benchmarks.signed_in import bearer_headers
from commands import streams
from commands.context import Ports, Request
from commands.handling import Aggregate, execute
from domain import videos
from domain.access import Visibility
from domain.actors import Actor
from domain.events import DomainEvent
from domain.screening import SCREENER, Findings, Policy
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


# -- the data the API starts with -------------------------------------------------------


def _publish_video(ports: Ports, owner_id: str) -> str:
    """Upload, processing and publishing through the domain, as the API test harness does."""
    video_id = str(uuid7())
    owner = Actor(owner_id)
    publish = videos.PublishVideo(owner, video_id, "a clip #bench", [], Visibility.PUBLIC, True)
    processed = videos.CompleteProcessing(
        PIPELINE,
        video_id,
        ["240p", "720p"],
        f"{video_id}/master.m3u8",
        f"{video_id}/poster.jpg",
        upload_id="up-1",
    )
    upload = videos.CompleteUpload(owner, video_id, "up-1", 1_000_000, 15_000, 1080, 1920)
    screened = videos.RecordScreening(SCREENER, video_id, "up-1", Policy(), "bench", Findings(nsfw_score=0.0))
    steps: list[tuple[Actor, Callable[[videos.State], Sequence[DomainEvent]]]] = [
        (owner, lambda s: videos.decide_create_draft(s, videos.CreateDraft(owner, video_id))),
        (owner, lambda s: videos.decide_complete_upload(s, upload)),
        (
            PIPELINE,
            lambda s: videos.decide_start_processing(
                s, videos.StartProcessing(PIPELINE, video_id, upload_id="up-1")
            ),
        ),
        (PIPELINE, lambda s: videos.decide_complete_processing(s, processed)),
        (SCREENER, lambda s: videos.decide_record_screening(s, screened)),
        (owner, lambda s: videos.decide_publish_video(s, publish)),
    ]
    for actor, decide in steps:
        execute(ports, Request(actor), streams.video(video_id), VIDEO, decide)
    return video_id


def seed(folder: Path, secret: str) -> tuple[str, list[dict[str, str]]]:
    """A published video and signed-in users' headers, written straight into the files the API
    will open, then closed so the API has them alone."""
    keys = SQLiteKeyStore(folder / "keys.db")
    store = SQLiteEventStore(folder / "events.db")
    try:
        ports = Ports(store=store, codec=make_codec(keys), keys=keys)
        return _publish_video(ports, str(uuid7())), bearer_headers(ports, secret, USERS)
    finally:
        store.close()
        keys.close()


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
    pid: int = 0

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def memory(self) -> Memory:
        return memory_of(self.pid)

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


@contextlib.contextmanager
def serving(
    name: str, module_args: Sequence[str], env: dict[str, str], folder: Path, *, cwd: Path = ROOT
) -> Iterator[Server]:
    """Starts ``python -m <module_args> --port N`` in ``cwd`` (its code is the one imported), waits
    until it answers, and always stops it."""
    server = Server(_free_port(), folder / f"{name}.log")
    with server.log.open("wb") as log:
        command = [sys.executable, "-m", *module_args, "--port", str(server.port)]
        proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
        server = dataclasses.replace(server, pid=proc.pid)
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


# -- load -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Job:
    """What every user sends to one server, each through its own sender: ``methods`` in turn."""

    senders: Sequence[Sender]
    methods: tuple[str, ...]
    path: str


async def _user(job: Job, sender: Sender, headers: dict[str, str], count: int) -> Rate:
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
    return Rate(len(latencies), 0.0, tuple(latencies), tuple(failures))


async def phase(job: Job, users: Sequence[dict[str, str]], per_user: int) -> Rate:
    """Every user at once, ``per_user`` requests each; the time is the whole phase's wall clock."""
    start = time.perf_counter()
    pairs = zip(job.senders, users, strict=True)
    loads = await asyncio.gather(*(_user(job, sender, headers, per_user) for sender, headers in pairs))
    seconds = time.perf_counter() - start
    return dataclasses.replace(sum(loads, Rate()), seconds=seconds)


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
    async with (
        senders(client, HOST, api.port, USERS, TIMEOUT_S) as to_api,
        senders(client, HOST, trivial.port, USERS, TIMEOUT_S) as to_trivial,
    ):
        ours_job = Job(to_api, ("PUT", "DELETE"), f"/v1/videos/{video_id}/like")
        limit_job = Job(to_trivial, ("PUT",), "/ping")
        await _check_contract(ours_job, users[0])
        limit = Rate(failures=(await phase(limit_job, users, sizes.warmup_per_user)).failures)
        ours = Rate(failures=(await phase(ours_job, users, sizes.warmup_per_user)).failures)
        for _ in range(ROUNDS):
            limit += await phase(limit_job, users, sizes.per_user_per_round())
            ours += await phase(ours_job, users, sizes.per_user_per_round())
    how = (
        f"{USERS} users, a connection each ({client} client), alternating PUT/DELETE"
        " /v1/videos/{id}/like on one published video; limit: PUT /ping on a trivial FastAPI app"
    )
    return Line("like_unlike", "like/unlike", ours, limit, Target(2_000, 20.0), how, unit="req")


def run(sizes: Sizes, client: str, folder: Path) -> Line:
    secret = secrets.token_urlsafe(48)
    video_id, users = seed(folder, secret)
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
    save(args.out, report(line, sizes, args.client, args.quick))
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
