"""The jobs of data exports, as the exports process manager runs them: build an archive, expire one
whose lifetime passed, abandon an erased person's.

Every job looks at the export's stream first and does only what is still to do, so running one
again (after a crash, or on a replay of the log) changes nothing. Bytes move before the event that
announces them: an archive is in media storage before its export is recorded ready, and deleted
before the export is recorded expired or abandoned. A crash in between only repeats the step: the
next build overwrites the same key, the next deletion deletes nothing.

An export whose history cannot be read is recorded failed. An outage (event store, read store,
media storage) is raised for the caller to retry.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from commands import exports as handlers
from commands.context import Ports, Request
from commands.export_events import UnreadableHistory
from domain.accounts.exports import (
    EXPORTER,
    AbandonExport,
    AbandonReason,
    ExpireExport,
    RecordExportFailed,
    RecordExportReady,
    Status,
)
from media.storage import MediaStorage
from read_models.port import ReadStore
from services.export_archive import write_archive

Clock = Callable[[], datetime]
PREFIX = "exports"
DEFAULT_LIFETIME = timedelta(days=7)

log = logging.getLogger("strom.services.exports")


def _now() -> datetime:
    return datetime.now(UTC)


def archive_key(user_id: str, export_id: str) -> str:
    """Where an export's archive lives in media storage: never under a prefix the media routes serve."""
    return f"{PREFIX}/{user_id}/{export_id}.zip"


class Exports:
    """``workdir`` holds archives while they are written: local disk with room for the largest."""

    def __init__(
        self,
        *,
        ports: Ports,
        store: ReadStore,
        storage: MediaStorage,
        workdir: Path,
        lifetime: timedelta = DEFAULT_LIFETIME,
        clock: Clock = _now,
    ) -> None:
        self._ports, self._store, self._storage = ports, store, storage
        self._workdir, self._lifetime, self._clock = workdir, lifetime, clock

    def build(self, user_id: str, export_id: str, *, until: int) -> None:
        """The archive of everything up to log position ``until`` (where the export was asked for)."""
        if handlers.export_state(export_id, ports=self._ports).status is not Status.PENDING:
            return
        if handlers.holder_erased(user_id, ports=self._ports):
            self.abandon(user_id, export_id)
            return
        key = archive_key(user_id, export_id)
        self._workdir.mkdir(mode=0o700, parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self._workdir, prefix="export-") as folder:
            target = Path(folder) / "archive.zip"
            try:
                archive = write_archive(
                    user_id,
                    until=until,
                    ports=self._ports,
                    store=self._store,
                    storage=self._storage,
                    target=target,
                    now=self._clock(),
                )
            except UnreadableHistory as error:
                log.error("export %s of %s failed: %s", export_id, user_id, error)
                self.fail(user_id, export_id, "part of the history could not be read; ask again later")
                return
            self._storage.put_file(key, archive.path)
        ready_at = self._clock()
        ready = RecordExportReady(
            EXPORTER,
            export_id,
            user_id,
            key,
            archive.size_bytes,
            archive.sha256,
            ready_at,
            ready_at + self._lifetime,
        )
        handlers.record_ready(ready, ports=self._ports, request=Request(EXPORTER))
        log.info("export %s of %s is ready: %d bytes", export_id, user_id, archive.size_bytes)

    def fail(self, user_id: str, export_id: str, reason: str) -> None:
        cmd = RecordExportFailed(EXPORTER, export_id, user_id, reason)
        handlers.record_failed(cmd, ports=self._ports, request=Request(EXPORTER))

    def expire(self, user_id: str, export_id: str) -> None:
        """Deletes the archive once its lifetime has passed, then records it; early, does nothing."""
        state = handlers.export_state(export_id, ports=self._ports)
        now = self._clock()
        if state.status is not Status.READY or state.expires_at is None or now < state.expires_at:
            return
        self._delete(state.object_key)
        cmd = ExpireExport(EXPORTER, export_id, user_id, now)
        handlers.expire(cmd, ports=self._ports, request=Request(EXPORTER))

    def abandon(self, user_id: str, export_id: str) -> None:
        """The holder was erased: a pending export is never built, a ready one's archive goes."""
        state = handlers.export_state(export_id, ports=self._ports)
        if state.status is Status.READY:
            self._delete(state.object_key)
        cmd = AbandonExport(EXPORTER, export_id, user_id, AbandonReason.ERASED)
        handlers.abandon(cmd, ports=self._ports, request=Request(EXPORTER))

    def _delete(self, key: str | None) -> None:
        if key is not None:
            self._storage.delete_prefix(key)
