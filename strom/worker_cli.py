"""``strom worker``: runs background jobs from a shared broker (Redis or RabbitMQ)."""

from __future__ import annotations

import contextlib
import signal
import threading
from typing import Annotated

import typer

from strom import pipeline
from strom.ports import ports_for
from strom.screening import start_screening
from strom.settings import Settings
from strom.wiring import open_event_store, open_key_store, open_media_storage
from workers.broker import is_durable


def worker_command(
    threads: Annotated[
        int | None,
        typer.Option(
            min=1, max=64, help="Jobs run at once in this process (default: STROM_TRANSCODE_WORKERS)."
        ),
    ] = None,
) -> None:
    """Transcode and screen uploads until stopped (Ctrl-C or SIGTERM); a job cut short is handed to
    another worker by the broker. Short clips have threads of their own (see workers/pool.py), and
    screening has its own (STROM_SCREENING_WORKERS)."""
    settings = Settings()
    broker = pipeline.broker_for(settings)
    if not is_durable(broker):
        typer.echo(
            "error: STROM_BROKER_URL=memory:// keeps jobs inside one process; `strom run` has its own "
            "worker. Point STROM_BROKER_URL at Redis (redis://…) or RabbitMQ (amqp://…) to run apart.",
            err=True,
        )
        raise typer.Exit(2)
    keys = open_key_store(settings)
    ports = ports_for(settings, open_event_store(settings), keys)
    storage = open_media_storage(settings)
    pool = pipeline.start_workers(settings, broker, ports, storage, threads=threads)
    screeners = start_screening(settings, broker, ports, storage)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    typer.echo(f"worker: {pool}; Ctrl-C stops", err=True)
    try:
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C stops like SIGTERM
            stopped.wait()
    finally:
        screeners.stop()
        pool.stop()
        broker.close()
        ports.store.close()
        keys.close()
