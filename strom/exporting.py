"""Wiring for data exports: the process manager, with the jobs it runs on this deployment's stores."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from commands.context import Ports
from media.storage import MediaStorage
from projections.data_exports import DataExports
from read_models.port import ReadStore
from services.exports import Exports
from strom.settings import Settings


def _now() -> datetime:
    return datetime.now(UTC)


def data_exports(
    settings: Settings,
    ports: Ports,
    store: ReadStore,
    storage: MediaStorage,
    *,
    clock: Callable[[], datetime] = _now,
) -> DataExports:
    """Archives are written under ``<data_dir>/exports`` before they go to media storage."""
    jobs = Exports(
        ports=ports,
        store=store,
        storage=storage,
        workdir=settings.data_dir / "exports",
        lifetime=timedelta(seconds=settings.export_lifetime_s),
        clock=clock,
    )
    return DataExports(events=ports.store, codec=ports.codec, store=store, jobs=jobs, clock=clock)
