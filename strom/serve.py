"""Builds the API process from settings: stores, routers, and the server that runs them."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from types import FrameType

from fastapi import FastAPI

from api.app import create_app
from api.metrics import Metrics
from api.notification_stream import NotificationHub, StreamLimits
from api.routers import MATCHED_FIRST, ROUTERS
from api.state import AppState, Media
from api.web_client import client_router
from commands.context import Ports
from plumbing.gc_settle import settle
from projections import process_managers, registry
from projections.supervisor import Supervisor
from read_models.port import ReadStore
from services.uploads import Caps, Uploads
from strom import pipeline
from strom.connection_guard import (
    ClientLimits,
    backlog_for,
    connection_room,
    files_in_use,
    guarded_protocol,
    highest_descriptor,
    limit_repeated_logs,
    raise_open_files_limit,
)
from strom.demo import PASSWORD, Demo
from strom.erasing import erasure_cascade
from strom.exporting import data_exports
from strom.ports import ports_for
from strom.publishing import publish_schedule
from strom.screening import screening_requests, start_screening
from strom.settings import Settings
from strom.timed import TimedEventStore
from strom.wiring import open_event_store, open_key_store, open_media_storage, open_read_store

log = logging.getLogger("strom.serve")
#: How often an API process looks for uploads to remove: an erased person's half-sent bytes go within it.
UPLOAD_SWEEP_S = 60.0


def build_app(settings: Settings, *, with_projectors: bool = False) -> FastAPI:
    """The API on the configured stores; with projectors running in-process for ``strom run``."""
    metrics = Metrics()
    keys = open_key_store(settings)
    store = TimedEventStore(open_event_store(settings), metrics.appends)
    read_store = open_read_store(settings)
    ports = ports_for(settings, store, keys)
    closers: list[Callable[[], None]] = []
    metrics.watch_projections(
        store.head_position,
        lambda: {**registry.live_checkpoints(read_store), **process_managers.checkpoints(read_store)},
    )
    media = media_for(settings)
    closers.append(_sweep_uploads(media.uploads(ports, read_store)))
    if with_projectors:
        supervisor = Supervisor(registry.ALL, events=store, codec=ports.codec, store=read_store)
        supervisor.start()
        closers.append(supervisor.stop)
        closers.extend(_start_pipeline(settings, ports, read_store, media))
    return create_app(
        ports,
        secret=settings.token_secret(),
        routers=(*ROUTERS, client_router(settings.web_dir)),
        matched_first=MATCHED_FIRST,
        metrics=metrics,
        token_ttl_s=settings.token_ttl_s,
        session_ttl_s=settings.session_ttl_s,
        write_rate_per_s=settings.write_rate_per_s,
        write_burst=settings.write_burst,
        max_body_bytes=settings.max_body_bytes,
        closers=(*closers, store.close, keys.close, read_store.close),
        read_store=read_store,
        media=media,
        stream_limits=StreamLimits(
            per_person=settings.notification_streams_per_person,
            per_process=settings.notification_streams_per_process,
        ),
    )


def _start_pipeline(
    settings: Settings, ports: Ports, read_store: ReadStore, media: Media
) -> list[Callable[[], None]]:
    """``strom run``: the transcode, screening, cover, media cleanup, data export, erasure and publish
    schedule process managers, the transcoding pool (``STROM_TRANSCODE_WORKERS`` threads, which make
    covers too) and the screening workers, in this process."""
    broker = pipeline.broker_for(settings)
    pool = pipeline.start_workers(settings, broker, ports, media.storage)
    screeners = start_screening(settings, broker, ports, media.storage)
    requests = pipeline.transcode_requests(
        broker, events=ports.store, codec=ports.codec, store=read_store, short_s=settings.transcode_short_s
    )
    requests.start()
    screenings = screening_requests(broker, events=ports.store, codec=ports.codec, store=read_store)
    screenings.start()
    covers = pipeline.cover_requests(broker, events=ports.store, codec=ports.codec, store=read_store)
    covers.start()
    cleanup = pipeline.media_cleanup(media.storage, events=ports.store, codec=ports.codec, store=read_store)
    cleanup.start()
    exports = data_exports(settings, ports, read_store, media.storage)
    exports.start()
    erasures = erasure_cascade(ports, read_store)
    erasures.start()
    schedule = publish_schedule(ports, read_store)
    schedule.start()
    stops = [exports.stop, cleanup.stop, covers.stop, screenings.stop, requests.stop, screeners.stop]
    return [schedule.stop, erasures.stop, *stops, pool.stop]


def _sweep_uploads(uploads: Uploads) -> Callable[[], None]:
    """Removes unfinished uploads that expired or whose video can take them no more, about every
    minute; returns what stops it."""
    stopped = threading.Event()
    every_s = min(UPLOAD_SWEEP_S, uploads.limits.expiry_s / 4)

    def sweep() -> None:
        while not stopped.wait(every_s):
            try:
                removed = uploads.sweep()
            except Exception as error:  # the disk or the event store: the next sweep tries again
                log.warning("sweeping uploads failed: %s", error)
                continue
            if removed:
                log.info("removed %d unfinished uploads", removed)

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
        upload_caps=Caps(
            open_per_user=settings.upload_max_open_per_user,
            inflight_bytes_per_user=settings.upload_max_inflight_bytes_per_user,
            inflight_bytes=settings.upload_max_inflight_bytes,
            jobs_per_user=settings.transcode_max_jobs_per_user,
        ),
    )


def serve(
    settings: Settings, host: str, port: int, *, with_projectors: bool = False, demo: bool = False
) -> None:
    import uvicorn

    open_files = raise_open_files_limit()
    limit_repeated_logs()
    settle()  # the caches of sessions, tokens and shared reads out of the cycle collector's way
    app = build_app(settings, with_projectors=with_projectors)
    if demo:
        state: AppState = app.state.strom
        assert state.media is not None
        uploads = state.media.uploads(state.ports, state.read_store)
        Demo(state.ports, uploads, settings.data_dir / "demo").start()
        print(
            f"demo sign-in: mira, jonas or aiko, password {PASSWORD} (videos appear as they are transcoded)"
        )
    print(f"Strom on http://{host}:{port}  (API docs: http://{host}:{port}/docs)", flush=True)
    room = connection_room(open_files, files_in_use())
    limits = ClientLimits(
        settings.client_timeout_s, settings.client_body_min_rate, room, highest_descriptor(open_files)
    )
    streams: NotificationHub = app.state.strom.notification_streams
    streams.hold_within(room)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        http=guarded_protocol(limits),  # httptools: see ``strom.connection_guard.STACKS``
        loop="asyncio",  # not uvloop, even where it is installed: its latency tail was far worse here
        backlog=backlog_for(open_files),
    )

    class Server(uvicorn.Server):
        """Ends the notification streams as soon as the signal to stop comes: uvicorn waits for every
        open connection to finish before it exits, and a stream would not finish by itself for
        minutes. Their clients reconnect (to another process, or to this one restarted)."""

        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            streams.end_all()
            super().handle_exit(sig, frame)

    server = Server(config)
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    if not server.started:
        raise SystemExit(3)  # what ``uvicorn.run`` exits with when the server could not start
