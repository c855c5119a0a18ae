"""The slow parts of the data exports process manager (``data_exports.py``): building archives and
abandoning an erased person's, and deleting archives whose lifetime has passed.

The jobs themselves are a port (``ExportJobs``, ``services/exports.py`` in production); each looks
at the export's stream before it acts, so a job repeated after a crash or on a replay changes
nothing. A build that keeps failing (storage away) is retried with backoff and recorded failed
after ``BUILD_ATTEMPTS``, so one export cannot hold up the ones behind it or an erasure; the holder
may ask again. Deleting an archive is retried until it is done, as erasure and expiry demand.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from domain.accounts.events import DataExportRequested, ErasureRequested
from domain.accounts.exports import Status
from eventstore.codec import EventCodec
from eventstore.envelope import EventFilter, RecordedEvent
from eventstore.port import EventStore
from plumbing.repeating import Repeating
from projections.following import Follower
from read_models import data_exports as rows
from read_models import projection_state as states
from read_models.port import ReadStore

BUILDER = "data_export_builder"
BUILD_ATTEMPTS = 6
RETRY_FIRST_S, RETRY_MAX_S = 0.5, 30.0
GAVE_UP = "the export could not be made this time; ask for a new one"
WAIT_S = 0.05
DAY = "%Y%m%d"
#: Where the sweeper starts when it has never finished a day: further back than any archive lives.
FIRST_SWEEP_BACK = timedelta(days=366)

log = logging.getLogger("strom.projections.data_exports")


class ExportJobs(Protocol):
    def build(self, user_id: str, export_id: str, *, until: int) -> None:
        """Builds the archive of everything up to log position ``until`` and records it ready."""

    def fail(self, user_id: str, export_id: str, reason: str) -> None: ...

    def expire(self, user_id: str, export_id: str) -> None:
        """Deletes the archive if its lifetime has passed, and records it expired."""

    def abandon(self, user_id: str, export_id: str) -> None:
        """Deletes the archive if there is one, and records the export abandoned."""


class ExportBuilder(Follower):
    name = BUILDER
    watched = EventFilter(types=(DataExportRequested.event_type, ErasureRequested.event_type))

    def __init__(
        self, *, events: EventStore, codec: EventCodec, store: ReadStore, jobs: ExportJobs, tracker: str
    ) -> None:
        super().__init__(events=events, store=store)
        self._codec, self._jobs, self._tracker = codec, jobs, tracker

    def react(self, record: RecordedEvent) -> bool:
        self._await_tracker(record.position)
        match self._codec.decode(record).event:
            case DataExportRequested(user_id=user_id, export_id=export_id):
                self._build(user_id, export_id, record.position)
            case ErasureRequested(user_id=user_id):
                self._abandon_all(user_id)
        return True

    def _await_tracker(self, position: int) -> None:
        """The tracker has indexed every event up to ``position`` once its checkpoint is there."""
        while states.load(self._store, self._tracker, "v1", version=1).position < position:
            self.pause(WAIT_S)

    def _build(self, user_id: str, export_id: str, position: int) -> None:
        backoff = RETRY_FIRST_S
        for attempt in range(1, BUILD_ATTEMPTS + 1):
            try:
                self._jobs.build(user_id, export_id, until=position)
                return
            except Exception as error:  # storage adapters each fail with their own errors
                log.warning("export %s: attempt %d failed: %s", export_id, attempt, error)
                if attempt < BUILD_ATTEMPTS:
                    self.pause(backoff)
                    backoff = min(backoff * 2, RETRY_MAX_S)
        self._until_done(functools.partial(self._jobs.fail, reason=GAVE_UP), user_id, export_id)

    def _abandon_all(self, user_id: str) -> None:
        """Every export of the person not settled yet; their rows list them, their streams decide."""
        for export in list(rows.all_of(self._store, user_id)):
            if export.status in (Status.PENDING, Status.READY):
                self._until_done(self._jobs.abandon, user_id, export.export_id)

    def _until_done(self, job: Callable[[str, str], None], user_id: str, export_id: str) -> None:
        backoff = RETRY_FIRST_S
        while True:
            try:
                job(user_id, export_id)
                return
            except Exception as error:  # each storage adapter fails with its own errors
                log.warning("%s: %s; retrying in %.1f s", self.name, error, backoff)
                self.pause(backoff)
                backoff = min(backoff * 2, RETRY_MAX_S)


class ExpirySweeper:
    """Every ``every_s``, expires the ready archives whose time is up, day partition by day
    partition from the first day it has not finished; a day is finished once it is past and each
    of its archives was expired."""

    def __init__(
        self, *, store: ReadStore, jobs: ExportJobs, clock: Callable[[], datetime], every_s: float = 60.0
    ) -> None:
        self._store, self._jobs, self._clock = store, jobs, clock
        self._repeating = Repeating(self.sweep, name="data_export_sweeper", every_s=every_s)

    def start(self) -> None:
        self._repeating.start()

    def stop(self) -> None:
        self._repeating.stop()

    @property
    def alive(self) -> bool:
        return self._repeating.alive

    def sweep(self) -> int:
        """Expires what is due now; returns how many archives were due. Only once every day before
        today is done does the next sweep start at today."""
        now = self._clock().astimezone(UTC)
        today = now.date()
        due = 0
        for day in _days(self._first_day(today), today):
            for found in rows.due_on(self._store, day.strftime(DAY), now=now):
                self._jobs.expire(found.user_id, found.export_id)
                due += 1
        rows.swept_before(self._store, today.strftime(DAY))
        return due

    def _first_day(self, today: date) -> date:
        saved = rows.next_sweep_day(self._store)
        if saved is None:
            return today - FIRST_SWEEP_BACK
        return datetime.strptime(saved, DAY).replace(tzinfo=UTC).date()


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
