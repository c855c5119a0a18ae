"""The app factory: builds the API around ports it is given; creates nothing at import time."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from datetime import timedelta

from fastapi import APIRouter, FastAPI

from api import openapi, problems
from api.docs_page import docs_router
from api.limits import BodyLimit, RateLimiter
from api.metrics import Metrics, RequestTimer
from api.notification_stream import NotificationHub, StreamLimits
from api.problems import COMMON_PROBLEMS
from api.security_headers import SecurityHeaders
from api.shared_reads import SharedReads
from api.short_path import ShortPath
from api.state import AppState, Media
from api.stream_tickets import StreamTickets
from api.tokens import Tokens
from commands.context import Ports
from commands.sessions import SessionConfig
from read_models.port import ReadStore
from services.sessions import SessionGate


def create_app(
    ports: Ports,
    *,
    secret: str,
    routers: Iterable[APIRouter],
    metrics: Metrics | None = None,
    token_ttl_s: int = 600,
    session_ttl_s: int = 30 * 86_400,
    write_rate_per_s: float = 10.0,
    write_burst: int = 40,
    max_body_bytes: int = 64 * 1024,
    closers: Sequence[Callable[[], None]] = (),
    read_store: ReadStore | None = None,
    media: Media | None = None,
    shared_reads_ttl_s: float = 1.0,
    matched_first: Iterable[APIRouter] = (),
    stream_limits: StreamLimits | None = None,
) -> FastAPI:
    """``matched_first``: routers (among ``routers``) whose routes are tried before the others', the
    busiest ones, so their requests skip matching every other route; the caller makes sure none of
    their paths is also another route's. Routes that can take ``api.short_path``' short
    path take it, before any route. The OpenAPI document keeps ``routers``' order.
    ``stream_limits``: the caps and pace of notification streams (``api.notification_stream``)."""
    gate = SessionGate(ports)
    streams = NotificationHub(read_store, gate, stream_limits)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        streams.end_all()
        for close in closers:
            close()

    app = FastAPI(
        lifespan=lifespan,
        title="Strom API",
        version="1",
        summary="Commands in, feeds out: the API of an event-sourced short-video platform.",
        docs_url=None,  # ours, below: Swagger UI from our own origin, not a CDN
        redoc_url=None,
        # Our metrics are our own registry's (``api.metrics``, scraped by Prometheus). FastAPI's
        # OpenTelemetry would otherwise ask the global providers on every request whether one was
        # configured since: about a twentieth of a feed page's time in the process.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    metrics = metrics or Metrics()
    metrics.registry.register(streams.collector())
    app.state.strom = AppState(
        ports=ports,
        tokens=Tokens(secret, token_ttl_s),
        sessions=SessionConfig(_refresh_key(secret), timedelta(seconds=session_ttl_s)),
        gate=gate,
        limiter=RateLimiter(write_rate_per_s, write_burst),
        metrics=metrics,
        fingerprint_key=hashlib.sha256(b"idempotency\x1f" + secret.encode()).digest(),
        stream_tickets=StreamTickets(secret),
        notification_streams=streams,
        read_store=read_store,
        media=media,
        shared_reads=SharedReads(shared_reads_ttl_s),
    )
    problems.install(app)
    # Before the routers given: the web client's, last among them, answers any path left over.
    docs = docs_router(app.openapi_url or "/openapi.json", app.title)
    app.include_router(docs)
    routers = list(routers)
    first = [r for r in matched_first if r in routers]
    for router in [*first, *(r for r in routers if r not in first)]:
        app.include_router(router, responses=COMMON_PROBLEMS)
    app.router.routes.insert(0, ShortPath(routers))
    openapi.install(app, documented=[docs, *routers])
    # Uploads bound their own bodies: tus as it goes, a profile picture at its own, larger limit.
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes, exempt_prefixes=("/v1/uploads", "/v1/me/avatar"))
    app.add_middleware(RequestTimer, metrics=metrics)
    app.add_middleware(SecurityHeaders)  # outermost of ours: every answer gets the headers
    return app


def _refresh_key(secret: str) -> bytes:
    """Derived from the one secret, so a refresh token can never pass as anything else it signs."""
    return hmac.new(secret.encode(), b"strom refresh tokens", hashlib.sha256).digest()
