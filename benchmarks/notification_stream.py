"""What a notification takes to reach an open app, and what open apps cost while nothing happens.

One ``strom run`` (the API with every projector in one process, on temporary SQLite stores) serves
``streams`` people, each with the notification stream open (``GET /v1/me/notifications/stream``, a
connection each, from this process). Then one more person follows them one by one, a follow every
``PACE_S``, and each follow is timed from the moment its request is sent:

- ours: until the ``unread`` event reaches the followed person's stream (the command, the append,
  the notifications projector, the streams' watcher, the event on the wire);
- limit: until the follow's own answer arrives (the write acknowledged: nothing can be told sooner).

The target is the issue's "delivery within a second" (p99 ≤ 1,000 ms). Before the follows, the API
process's CPU is read over ``IDLE_S`` with every stream open and nothing happening: with one watcher
for the process, it should not grow with the number of streams. Run with
``python -m benchmarks.notification_stream [--quick] [--streams N] [--out PATH]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import os
import secrets
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import orjson

from benchmarks.api_commands import api_env, serving
from benchmarks.report import Line, Rate, Target, machine, save, table
from benchmarks.signed_in import access_token, account
from commands.context import Ports
from eventstore.keystore import SQLiteKeyStore
from eventstore.sqlite import SQLiteEventStore
from strom.wiring import make_codec

DEFAULT_OUT = Path(__file__).parent / "results" / "notification_stream.json"
TARGET = Target(p99_ms=1000.0, source="issue 20: delivery within a second")
PACE_S = 0.05
IDLE_S = 5.0
OPEN_TIMEOUT_S = 60.0
ARRIVE_TIMEOUT_S = 10.0


@dataclasses.dataclass
class Person:
    user_id: str
    headers: dict[str, str]
    counts: asyncio.Queue[tuple[float, int]] = dataclasses.field(default_factory=asyncio.Queue)


def people(folder: Path, secret: str, count: int) -> tuple[list[Person], Person]:
    """``count`` people to be followed and one follower, written into the log before the API opens it."""
    keys, store = SQLiteKeyStore(folder / "keys.db"), SQLiteEventStore(folder / "events.db")
    try:
        ports = Ports(store=store, codec=make_codec(keys), keys=keys)
        made = []
        for _ in range(count + 1):
            user_id = account(ports)
            made.append(Person(user_id, {"Authorization": f"Bearer {access_token(ports, secret, user_id)}"}))
        return made[:-1], made[-1]
    finally:
        store.close()
        keys.close()


async def listen(client: httpx.AsyncClient, person: Person, opened: asyncio.Event) -> None:
    """Reads the person's stream, each count into their queue with when it came."""
    ticket = (await client.post("/v1/me/notifications/stream-ticket", headers=person.headers)).json()[
        "ticket"
    ]
    async with client.stream("GET", "/v1/me/notifications/stream", params={"ticket": ticket}) as response:
        response.raise_for_status()
        kind = ""
        async for line in response.aiter_lines():
            if line.startswith("event: "):
                kind = line.removeprefix("event: ")
            elif line.startswith("data: ") and kind == "unread":
                unread = int(orjson.loads(line.removeprefix("data: "))["unread"])
                await person.counts.put((time.perf_counter(), unread))
                opened.set()


def cpu_seconds(pid: int) -> float:
    """The process's user and system CPU time so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measure(url: str, pid: int, followed: list[Person], follower: Person) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=len(followed) + 10, max_keepalive_connections=len(followed) + 10)
    timeout = httpx.Timeout(30.0, read=None)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=timeout) as client:
        opened = [asyncio.Event() for _ in followed]
        readers = [asyncio.create_task(listen(client, p, o)) for p, o in zip(followed, opened, strict=True)]
        try:
            await asyncio.wait_for(asyncio.gather(*(o.wait() for o in opened)), OPEN_TIMEOUT_S)
            for person in followed:
                while not person.counts.empty():
                    person.counts.get_nowait()
            before, started = cpu_seconds(pid), time.perf_counter()
            await asyncio.sleep(IDLE_S)
            idle_cpu = (cpu_seconds(pid) - before) / (time.perf_counter() - started)
            ours, limit = await follow_each(client, followed, follower)
        finally:
            for reader in readers:
                reader.cancel()
            await asyncio.gather(*readers, return_exceptions=True)
    return {"idle_cpu": idle_cpu, "ours": ours, "limit": limit}


async def follow_each(
    client: httpx.AsyncClient, followed: list[Person], follower: Person
) -> tuple[Rate, Rate]:
    told, answered, failures = [], [], []
    started = time.perf_counter()
    for person in followed:
        sent = time.perf_counter()
        response = await client.put(f"/v1/users/{person.user_id}/follow", headers=follower.headers)
        answered.append(time.perf_counter() - sent)
        if response.status_code != 200:
            failures.append(f"ours: PUT {response.status_code}")
            continue
        try:
            came, unread = await asyncio.wait_for(person.counts.get(), ARRIVE_TIMEOUT_S)
        except TimeoutError:
            failures.append("ours: no unread event")
            continue
        told.append(came - sent)
        if unread != 1:
            failures.append(f"ours: unread {unread}")
        await asyncio.sleep(max(0.0, PACE_S - (time.perf_counter() - sent)))
    seconds = time.perf_counter() - started
    return (
        Rate(len(told), seconds, tuple(told), tuple(failures)),
        Rate(len(answered), seconds, tuple(answered)),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50 streams instead of 200")
    parser.add_argument("--streams", type=int, default=None)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    streams = args.streams or (50 if args.quick else 200)
    secret = secrets.token_urlsafe(48)
    with tempfile.TemporaryDirectory(prefix="strom-bench-streams-") as tmp:
        folder = Path(tmp)
        followed, follower = people(folder, secret, streams)
        # No daily limit of follows: the one follower follows everyone.
        env = api_env(folder, secret) | {
            "STROM_MEDIA_URL": f"file://{folder / 'media'}",
            "STROM_TRUST_DAILY_LIMITS": "",
        }
        with serving("strom", ["strom", "run", "--no-demo"], env, folder) as server:
            found = asyncio.run(measure(server.url, server.pid, followed, follower))
    line = Line(
        key="follow_to_stream_event",
        operation=f"a follow → the followed person's open stream ({streams} streams open)",
        ours=found["ours"],
        limit=found["limit"],
        target=TARGET,
        how="strom run, SQLite; ours: until the unread event arrives; limit: until the follow's answer",
    )
    print(table([line]))
    print(f"\nAPI process CPU with {streams} streams open and nothing happening: {found['idle_cpu']:.1%}")
    save(
        args.out,
        {
            "machine": machine(),
            "streams": streams,
            "idle_cpu_share": round(found["idle_cpu"], 4),
            "lines": {line.key: line.as_dict()},
        },
    )


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
