"""Builds the API process from settings: stores, routers, and the server that runs them."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from fastapi import FastAPI

from api.app import create_app
from api.metrics import Metrics
from api.routers import ROUTERS
from api.state import AppState, Media
from api.uploading import sweep_expired
from api.web_client import client_router
from commands.context import Ports
from projections import registry
from projections.supervisor import Supervisor
from read_models.port import ReadStore
from strom import pipeline
from strom.demo import PASSWORD, Demo
from strom.settings import Settings
from strom.timed import TimedEventStore
from strom.wiring import make_codec, open_event_store, open_key_store, open_media_storage, open_read_store

log = logging.getLogger("strom.serve")


def build_app(settings: Settings, *, with_projectors: bool = False) -> FastAPI:
    """The API on the configured stores; with projectors running in-process for ``strom run``."""
    metrics = Metrics()
    keys = open_key_store(settings)
    store = TimedEventStore(open_event_store(settings), metrics.appends)
    read_store = open_read_store(settings)
    ports = Ports(store=store, codec=make_codec(keys), keys=keys)
    closers: list[Callable[[], None]] = []
    metrics.watch_projections(store.head_position, lambda: registry.live_checkpoints(read_store))
    media = media_for(settings)
    closers.append(_sweep_uploads(media))
    if with_projectors:
        supervisor = Supervisor(registry.ALL, events=store, codec=ports.codec, store=read_store)
        supervisor.start()
        closers.append(supervisor.stop)
        closers.extend(_start_pipeline(settings, ports, read_store, media))
    return create_app(
        ports,
        secret=settings.token_secret(),
        routers=(*ROUTERS, client_router(settings.web_dir)),
        metrics=metrics,
        token_ttl_s=settings.token_ttl_s,
        write_rate_per_s=settings.write_rate_per_s,
        write_burst=settings.write_burst,
        max_body_bytes=settings.max_body_bytes,
        closers=(*closers, store.close, keys.close, read_store.close),
        read_store=read_store,
        media=media,
    )


def _start_pipeline(
    settings: Settings, ports: Ports, read_store: ReadStore, media: Media
) -> list[Callable[[], None]]:
    """``strom run``: the transcode process manager and one worker thread, in this process."""
    broker = pipeline.broker_for(settings)
    worker = pipeline.start_worker(settings, broker, ports, media.storage, threads=1)
    requests = pipeline.transcode_requests(broker, events=ports.store, codec=ports.codec, store=read_store)
    requests.start()
    return [requests.stop, worker.stop]


def _sweep_uploads(media: Media) -> Callable[[], None]:
    """Removes expired, unfinished uploads now and then; returns what stops it."""
    stopped = threading.Event()
    every_s = min(600.0, media.upload_expiry_s / 4)

    def sweep() -> None:
        while not stopped.wait(every_s):
            try:
                removed = sweep_expired(media)
            except OSError as error:
                log.warning("sweeping expired uploads failed: %s", error)
                continue
            if removed:
                log.info("removed %d expired uploads", removed)

    threading.Thread(target=sweep, name="upload-sweeper", daemon=True).start()
    return stopped.set


def media_for(settings: Settings) -> Media:
    return Media(
        storage=open_media_storage(settings),
        uploads_dir=settings.uploads_dir,
        signing_key=settings.media_signing_key(),
        max_upload_bytes=settings.upload_max_bytes,
        max_duration_s=settings.upload_max_duration_s,
        upload_expiry_s=settings.upload_expiry_s,
        url_ttl_s=settings.media_url_ttl_s,
    )


def serve(
    settings: Settings, host: str, port: int, *, with_projectors: bool = False, demo: bool = False
) -> None:
    import uvicorn

    app = build_app(settings, with_projectors=with_projectors)
    if demo:
        state: AppState = app.state.strom
        assert state.media is not None
        Demo(state.ports, state.media.storage, settings.data_dir / "demo").start()
        print(
            f"demo sign-in: mira, jonas or aiko, password {PASSWORD} (videos appear as they are transcoded)"
        )
    print(f"Strom on http://{host}:{port}  (API docs: http://{host}:{port}/docs)", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
