"""What judging every request's session costs: the session gate next to no auth and JWT-only auth.

One server process (uvicorn, one worker, warnings only, no access log) runs the real app factory
(``api.app.create_app``: its middleware, problem handlers and session gate) on temporary SQLite
stores where 50 people have an account and a live session, with three trivial routes answering
the same small JSON body:

- ``GET /bench/open``: no auth at all (the limit);
- ``GET /bench/jwt``: the bearer token's signature and expiry checked by the dependencies the API
  had before sessions lived on the server (``optional_actor`` and ``current_actor`` as they were),
  nothing asked of the log;
- ``GET /bench/session``: the ``CurrentActor`` every signed-in route uses: the JWT, then the gate
  (one ``stream_version`` point read of ``user-<id>``; the folded account is cached).

The 50 users send at once, a connection each, every request with the user's bearer token; the
three routes take turns round by round, so a machine that slows down hurts all alike. The gate is
also timed in process, without HTTP, next to JWT verification alone. Section 11 of DESIGN.md has
no row for it; the per-API-process throughput bar of its feed row (≥ 2,000 req/s) is the target.
Run with ``python -m benchmarks.session_check [--quick] [--out PATH]``.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import secrets
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any

import orjson
from fastapi import Depends, FastAPI
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.responses import Response

from api.app import create_app
from api.deps import AppStateDep, CurrentActor
from api.routers import health
from api.tokens import AccessClaims, Tokens, unauthenticated
from benchmarks.api_commands import HOST, Job, Server, api_env, failure_kinds, phase, serving
from benchmarks.http_clients import CLIENTS, senders
from benchmarks.report import Line, Rate, Target, machine, save, table
from benchmarks.signed_in import access_token, account
from commands.context import Ports
from eventstore.keystore import SQLiteKeyStore
from eventstore.sqlite import SQLiteEventStore
from services.sessions import SessionGate
from strom.settings import Settings
from strom.wiring import make_codec, open_event_store, open_key_store

DESCRIPTION = "The session gate's cost per request, next to no auth and JWT-only auth."
DEFAULT_OUT = Path(__file__).parent / "results" / "session_check.json"
USERS = 50
ROUNDS = 2
TIMEOUT_S = 30.0
#: A throughput bar under load; latencies at 50 connections are shown, not judged (DESIGN.md §11).
TARGET = Target(2_000, source="feed page row, per API process")
BODY = orjson.dumps({"position": 123_456})
_bearer = HTTPBearer(auto_error=False)


@dataclasses.dataclass(frozen=True, slots=True)
class Sizes:
    """Requests per route in the timed rounds, per user before them, and calls timed in process."""

    requests: int
    warmup_per_user: int
    in_process: int

    def per_user_per_round(self) -> int:
        return max(1, self.requests // (USERS * ROUNDS))


FULL = Sizes(requests=10_000, warmup_per_user=10, in_process=20_000)
QUICK = Sizes(requests=1_000, warmup_per_user=2, in_process=2_000)


# -- the server: ``python -m benchmarks.session_check serve --port N`` ----------------------------


def build_app(settings: Settings) -> FastAPI:
    """The real app factory on the configured stores, with only the three routes measured."""
    keys, store = open_key_store(settings), open_event_store(settings)
    ports = Ports(store=store, codec=make_codec(keys), keys=keys)
    app = create_app(
        ports,
        secret=settings.token_secret(),
        routers=(health.router,),
        token_ttl_s=settings.token_ttl_s,
        closers=(store.close, keys.close),
    )

    @app.get("/bench/open")
    def open_route() -> Response:
        return Response(BODY, media_type="application/json")

    @app.get("/bench/jwt")
    def jwt_route(claims: Annotated[AccessClaims, Depends(jwt_claims)]) -> Response:
        return Response(BODY, media_type="application/json")

    @app.get("/bench/session")
    def session_route(actor: CurrentActor) -> Response:
        return Response(BODY, media_type="application/json")

    return app


async def _jwt_only(
    state: AppStateDep, creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> AccessClaims | None:
    """``optional_actor`` before sessions: the token's word taken for it."""
    return None if creds is None else state.tokens.verify(creds.credentials)


async def jwt_claims(claims: Annotated[AccessClaims | None, Depends(_jwt_only)]) -> AccessClaims:
    """``current_actor`` before sessions."""
    if claims is None:
        raise unauthenticated("sign in first")
    return claims


def serve(port: int) -> None:
    import uvicorn

    uvicorn.run(build_app(Settings()), host=HOST, port=port, log_level="warning", access_log=False)


# -- the data it starts with ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class People:
    headers: list[dict[str, str]]
    tokens: list[str]


def seed(folder: Path, secret: str) -> People:
    """Accounts with a live session each, written before the server opens the files."""
    keys = SQLiteKeyStore(folder / "keys.db")
    store = SQLiteEventStore(folder / "events.db")
    try:
        ports = Ports(store=store, codec=make_codec(keys), keys=keys)
        user_ids = [account(ports) for _ in range(USERS)]
        tokens = [access_token(ports, secret, u) for u in user_ids]
    finally:
        store.close()
        keys.close()
    return People([{"Authorization": f"Bearer {t}"} for t in tokens], tokens)


# -- over HTTP --------------------------------------------------------------------------------------


async def measure_http(sizes: Sizes, client: str, server: Server, people: People) -> dict[str, Rate]:
    async with senders(client, HOST, server.port, USERS, TIMEOUT_S) as to_server:
        jobs = {name: Job(to_server, ("GET",), f"/bench/{name}") for name in ("open", "jwt", "session")}
        rates = {name: Rate() for name in jobs}
        for name, job in jobs.items():  # warm-up: connections, caches; only failures are kept
            rates[name] = Rate(failures=(await phase(job, people.headers, sizes.warmup_per_user)).failures)
        for _ in range(ROUNDS):
            for name, job in jobs.items():
                rates[name] += await phase(job, people.headers, sizes.per_user_per_round())
    return rates


# -- in process -------------------------------------------------------------------------------------


def timed(calls: int, call: Callable[[int], object]) -> Rate:
    latencies = []
    started = time.perf_counter()
    for i in range(calls):
        begin = time.perf_counter()
        call(i)
        latencies.append(time.perf_counter() - begin)
    return Rate(calls, time.perf_counter() - started, tuple(latencies))


def measure_in_process(sizes: Sizes, folder: Path, secret: str, people: People) -> dict[str, Rate]:
    """``Tokens.verify`` alone, then verify and ``SessionGate.admit``, on the same tokens, warm."""
    keys = SQLiteKeyStore(folder / "keys.db")
    store = SQLiteEventStore(folder / "events.db")
    tokens, gate = Tokens(secret, 3600), SessionGate(Ports(store=store, codec=make_codec(keys), keys=keys))
    held = people.tokens

    def verified_and_admitted(i: int) -> object:
        claims = tokens.verify(held[i % len(held)])
        return gate.admit(claims.user_id, claims.session_id)

    try:
        for i in range(len(held)):
            verified_and_admitted(i)
        jwt = timed(sizes.in_process, lambda i: tokens.verify(held[i % len(held)]))
        admitted = timed(sizes.in_process, verified_and_admitted)
    finally:
        store.close()
        keys.close()
    return {"jwt": jwt, "session": admitted}


# -- the run ----------------------------------------------------------------------------------------


def run(sizes: Sizes, client: str, folder: Path) -> tuple[list[Line], dict[str, Rate]]:
    secret = secrets.token_urlsafe(48)
    people = seed(folder, secret)
    env = api_env(folder, secret) | {"STROM_TOKEN_TTL_S": "3600"}
    with serving("session-check", ["benchmarks.session_check", "serve"], env, folder) as server:
        rates = asyncio.run(measure_http(sizes, client, server, people))
    in_process = measure_in_process(sizes, folder, secret, people)
    how = (
        f"{USERS} users, a connection each ({client} client), GET with a bearer token; limit: GET /bench/open"
    )
    lines = [
        Line("session_gate", "GET, session gate", rates["session"], rates["open"], TARGET, how, unit="req"),
        Line("jwt_only", "GET, JWT only", rates["jwt"], rates["open"], TARGET, how, unit="req"),
        Line(
            "gate_vs_jwt",
            "GET, session gate vs JWT only",
            rates["session"],
            rates["jwt"],
            TARGET,
            f"{how}; here the limit is GET /bench/jwt",
            unit="req",
        ),
    ]
    return lines, in_process


def failures(lines: Sequence[Line]) -> list[str]:
    return [f"{line.key}: {f}" for line in lines for f in line.ours.failures + line.limit.failures]


def report(
    lines: Sequence[Line], in_process: dict[str, Rate], sizes: Sizes, client: str, quick: bool
) -> dict[str, Any]:
    bad = failures(lines)
    return {
        "benchmark": "session_check",
        "mode": "quick" if quick else "full",
        "client": client,
        "machine": machine(),
        "sizes": {**dataclasses.asdict(sizes), "users": USERS, "rounds": ROUNDS},
        "operations": {line.key: line.as_dict() for line in lines},
        "in_process": {
            "how": "one thread, warm cache, the same 50 tokens in turn; SQLite event store",
            "jwt_verify": in_process["jwt"].as_dict(),
            "jwt_verify_and_gate": in_process["session"].as_dict(),
        },
        "failures": {"count": len(bad), "kinds": failure_kinds(bad), "first": bad[:10]},
    }


def _in_process_text(in_process: dict[str, Rate]) -> str:
    jwt, gate = in_process["jwt"], in_process["session"]
    extra_us = (gate.seconds / gate.count - jwt.seconds / jwt.count) * 1e6
    return (
        f"in process: JWT verify {jwt.cell('calls')}; JWT verify + gate {gate.cell('calls')};"
        f" the gate adds {extra_us:.1f} µs a request"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.session_check", description=DESCRIPTION)
    parser.add_argument("mode", nargs="?", choices=["measure", "serve"], default="measure")
    parser.add_argument("--port", type=int, help="serve: the port to listen on")
    parser.add_argument("--quick", action="store_true", help="a tenth of the requests: a smoke run")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"JSON results (default {DEFAULT_OUT})")
    parser.add_argument("--client", choices=CLIENTS, default="bare", help="bare asyncio connections or httpx")
    args = parser.parse_args(argv)
    if args.mode == "serve":
        serve(args.port)
        return 0
    sizes = QUICK if args.quick else FULL
    with tempfile.TemporaryDirectory(prefix="strom-bench-session-") as folder:
        lines, in_process = run(sizes, args.client, Path(folder).resolve())
    print(table(lines))
    print(_in_process_text(in_process))
    bad = failures(lines)
    if bad:
        print(f"\nnon-2xx or failed requests: {len(bad)}", *bad[:10], sep="\n  ")
    save(args.out, report(lines, in_process, sizes, args.client, args.quick))
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
