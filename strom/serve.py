"""Builds the API process from settings: stores, routers, and the server that runs them."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI

from api.app import create_app
from api.metrics import Metrics
from api.routers import ROUTERS
from commands.context import Ports
from projections import registry
from projections.supervisor import Supervisor
from strom.settings import Settings
from strom.timed import TimedEventStore
from strom.wiring import make_codec, open_event_store, open_key_store, open_read_store


def build_app(settings: Settings, *, with_projectors: bool = False) -> FastAPI:
    """The API on the configured stores; with projectors running in-process for ``strom run``."""
    metrics = Metrics()
    keys = open_key_store(settings)
    store = TimedEventStore(open_event_store(settings), metrics.appends)
    read_store = open_read_store(settings)
    ports = Ports(store=store, codec=make_codec(keys), keys=keys)
    closers: list[Callable[[], None]] = []
    metrics.watch_projections(store.head_position, lambda: registry.live_checkpoints(read_store))
    if with_projectors:
        supervisor = Supervisor(registry.ALL, events=store, codec=ports.codec, store=read_store)
        supervisor.start()
        closers.append(supervisor.stop)
    return create_app(
        ports,
        secret=settings.token_secret(),
        routers=ROUTERS,
        metrics=metrics,
        token_ttl_s=settings.token_ttl_s,
        write_rate_per_s=settings.write_rate_per_s,
        write_burst=settings.write_burst,
        max_body_bytes=settings.max_body_bytes,
        closers=(*closers, store.close, keys.close, read_store.close),
        read_store=read_store,
    )


def serve(settings: Settings, host: str, port: int, *, with_projectors: bool = False) -> None:
    import uvicorn

    app = build_app(settings, with_projectors=with_projectors)
    print(f"Strom API on http://{host}:{port}  (OpenAPI: http://{host}:{port}/docs)", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
