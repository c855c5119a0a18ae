"""tus upload throughput through the real HTTP API, next to writing the same bytes to a local file.

A fresh API process (``python -m strom api``, uvicorn, the real wiring) runs on temporary stores with
one draft video. Each round creates a tus upload for it and sends ``round_mib`` MiB with one
``httpx.Client`` in PATCH requests of ``chunk_mib`` MiB, each answered once its bytes are on disk
(the server syncs before it answers, so the offset it reports survives a crash). The upload is
declared one byte longer than what is sent and deleted after the round: what is timed is moving bytes
from the client to the server's disk, not ffprobe judging the finished file, which takes the same
time whatever the network and would hide it.

The "limit" writes the same chunks to a file on the same disk, with a sync after each one, in the
same process as the client: the least any upload server can do with those bytes. Limit and ours take
turns round by round, so a disk that slows down hurts both alike. Client and server share the
machine, so the client's CPU is part of our number and not of the limit's.

DESIGN.md section 11 has no row for uploads; the target, 119 MiB/s, is a 1 Gbit/s link kept full,
so the server is never what a user on such a link waits for. Every PATCH must answer 204; the run
exits 1 and prints them otherwise. Run with ``python -m benchmarks.upload [--quick] [--out PATH]``.
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import os
import secrets
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

from benchmarks import signed_in
from benchmarks.api_commands import api_env, serving
from benchmarks.report import Line, Rate, Target, machine, save, table
from commands import videos as handlers
from commands.context import Ports, Request
from domain import videos
from domain.actors import Actor
from eventstore.ids import uuid7
from eventstore.keystore import SQLiteKeyStore
from eventstore.sqlite import SQLiteEventStore
from strom.wiring import make_codec

DESCRIPTION = "tus upload throughput through the real HTTP API, next to writing the bytes to a local file."
DEFAULT_OUT = Path(__file__).parent / "results" / "upload.json"
MIB = 1024**2
TUS = {"Tus-Resumable": "1.0.0"}
#: A 1 Gbit/s link, full.
TARGET = Target(per_s=119, source="no DESIGN row: a full 1 Gbit/s link")
TIMEOUT_S = 120.0


@dataclasses.dataclass(frozen=True, slots=True)
class Sizes:
    """Rounds of limit then ours; each sends ``round_mib`` in ``chunk_mib`` pieces."""

    rounds: int
    round_mib: int
    chunk_mib: int

    @property
    def total_mib(self) -> int:
        return self.rounds * self.round_mib


FULL = Sizes(rounds=4, round_mib=64, chunk_mib=8)
QUICK = Sizes(rounds=2, round_mib=8, chunk_mib=2)


# -- the data the API starts with ------------------------------------------------------------------


def seed(folder: Path, secret: str) -> tuple[dict[str, str], str]:
    """A signed-in owner with a draft, written straight into the files the API will open:
    (the owner's headers, the video)."""
    keys = SQLiteKeyStore(folder / "keys.db")
    store = SQLiteEventStore(folder / "events.db")
    video_id = str(uuid7())
    try:
        ports = Ports(store=store, codec=make_codec(keys), keys=keys)
        owner = Actor(signed_in.account(ports))
        handlers.create_draft(videos.CreateDraft(owner, video_id), ports=ports, request=Request(owner))
        auth = {"Authorization": f"Bearer {signed_in.access_token(ports, secret, owner.user_id)}"}
    finally:
        store.close()
        keys.close()
    return auth, video_id


def upload_env(folder: Path, secret: str, sizes: Sizes) -> dict[str, str]:
    env = api_env(folder, secret)
    env.update(
        STROM_UPLOADS_DIR=str(folder / "uploads"),
        STROM_MEDIA_URL=f"file://{folder / 'media'}",
        STROM_UPLOAD_MAX_BYTES=str(sizes.round_mib * MIB + 1),
    )
    return env


# -- ours ------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Uploader:
    client: httpx.Client
    auth: dict[str, str]
    video_id: str

    def create(self, length: int) -> str:
        metadata = f"video_id {base64.b64encode(self.video_id.encode()).decode()}"
        headers = {**TUS, **self.auth, "Upload-Length": str(length), "Upload-Metadata": metadata}
        created = self.client.post("/v1/uploads", headers=headers)
        if created.status_code != 201:
            raise RuntimeError(f"creating an upload answered {created.status_code}: {created.text}")
        return created.headers["Location"]

    def send(self, url: str, chunk: bytes, count: int) -> Rate:
        """``count`` PATCHes of ``chunk``, each timed; the upload is deleted afterwards, untimed."""
        latencies: list[float] = []
        failures: list[str] = []
        offset = 0
        for _ in range(count):
            headers = {
                **TUS,
                **self.auth,
                "Content-Type": "application/offset+octet-stream",
                "Upload-Offset": str(offset),
            }
            start = time.perf_counter()
            answer = self.client.patch(url, content=chunk, headers=headers)
            latencies.append(time.perf_counter() - start)
            if answer.status_code != 204:
                failures.append(f"PATCH {answer.status_code}: {answer.text[:200]}")
                break
            offset = int(answer.headers["Upload-Offset"])
        self.client.delete(url, headers={**TUS, **self.auth})
        return Rate(offset // MIB, sum(latencies), tuple(latencies), tuple(failures))

    def round(self, sizes: Sizes, chunk: bytes) -> Rate:
        count = sizes.round_mib // sizes.chunk_mib
        return self.send(self.create(count * len(chunk) + 1), chunk, count)


# -- the limit -------------------------------------------------------------------------------------


def write_locally(path: Path, chunk: bytes, count: int) -> Rate:
    """The same chunks to a file, synced after each, as the server does before it answers."""
    latencies: list[float] = []
    with path.open("wb") as out:
        for _ in range(count):
            start = time.perf_counter()
            out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
            latencies.append(time.perf_counter() - start)
    path.unlink()
    return Rate(count * len(chunk) // MIB, sum(latencies), tuple(latencies))


# -- the run ---------------------------------------------------------------------------------------


def run(sizes: Sizes, folder: Path) -> Line:
    secret = secrets.token_urlsafe(48)
    auth, video_id = seed(folder, secret)
    chunk = os.urandom(sizes.chunk_mib * MIB)
    count = sizes.round_mib // sizes.chunk_mib
    with (
        serving("api", ["strom", "api"], upload_env(folder, secret, sizes), folder) as api,
        httpx.Client(base_url=api.url, timeout=TIMEOUT_S) as client,
    ):
        uploader = Uploader(client, auth, video_id)
        uploader.send(uploader.create(len(chunk) + 1), chunk, 1)  # warm up: connection, first writes
        ours, limit = Rate(), Rate()
        for _ in range(sizes.rounds):
            limit += write_locally(folder / "limit.bin", chunk, count)
            ours += uploader.round(sizes, chunk)
        if ours.failures:
            print(f"API log, last lines:\n{api.tail()}\n", flush=True)
    how = (
        f"{sizes.chunk_mib} MiB PATCHes over one keep-alive connection (httpx), synced before each 204;"
        f" probe not timed; raw: the same chunks to a local file, fsync after each; latency per chunk"
    )
    return Line("tus_upload", "tus upload", ours, limit, TARGET, how, unit="MiB")


def report(line: Line, sizes: Sizes, quick: bool) -> dict[str, Any]:
    return {
        "benchmark": "upload",
        "mode": "quick" if quick else "full",
        "machine": machine(),
        "sizes": {**dataclasses.asdict(sizes), "total_mib": sizes.total_mib},
        "operations": {line.key: line.as_dict()},
        "failures": list(line.ours.failures),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.upload", description=DESCRIPTION)
    parser.add_argument("--quick", action="store_true", help="16 MiB instead of 256: a smoke run")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"JSON results (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    with tempfile.TemporaryDirectory(prefix="strom-bench-upload-") as folder:
        line = run(sizes, Path(folder).resolve())
    print(table([line], limit="local file", target="target"))
    for failure in line.ours.failures:
        print(f"  {failure}")
    save(args.out, report(line, sizes, args.quick))
    return 1 if line.ours.failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
