"""The data exports process manager: from ``DataExportRequested`` to an archive its holder downloads,
and on to its deletion.

Three parts, each with its own thread and checkpoint:

- ``ExportTracker`` (this module) reads every event. It keeps each person's index of the streams
  they have events in (``read_models/data_exports.py``), and each export's row as its events say.
  It does no slow work, so a just-asked export shows as pending within moments (read-your-writes
  waits on this checkpoint).
- ``ExportBuilder`` (``data_export_jobs.py``) reacts to the requests and erasures: it waits until
  the tracker has passed the event, so the index holds every stream of the person up to it, then
  runs the job (build, or abandon an erased person's exports).
- ``ExpirySweeper`` (``data_export_jobs.py``) deletes archives whose lifetime has passed.

Why an index rather than reading the log per export: a person's events are a sliver of everyone's,
and scanning the whole log for each export costs the whole log. Reading the person's streams costs
their own history. The index is a row per person and stream, written once (a small cache skips
the rows this process wrote lately), so following the log costs a set lookup per event. Whose an
event is follows ``domain.accounts.export_scope``; the builder applies the same rule again to each
event of those streams, so an indexed stream never lets someone else's event through.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from typing import Any

from domain.accounts.events import DataExportRequested, ErasureRequested
from domain.accounts.export_scope import owner_in, people_of
from domain.accounts.exports import (
    DataExportAbandoned,
    DataExportExpired,
    DataExportFailed,
    DataExportReady,
    Status,
)
from eventstore.codec import EventCodec
from eventstore.envelope import RecordedEvent
from eventstore.errors import StreamNotFound
from eventstore.port import EventStore
from projections.data_export_jobs import ExpirySweeper, ExportBuilder, ExportJobs
from projections.following import Follower
from read_models import data_exports as rows
from read_models.port import ReadStore

NAME = rows.MODEL.projector
LIFECYCLE = frozenset(
    {"DataExportRequested", "DataExportReady", "DataExportFailed", "DataExportExpired", "DataExportAbandoned"}
)
#: Exports the builder abandons when their holder is erased: their rows must stay until then.
UNSETTLED = frozenset({Status.PENDING, Status.READY})
#: How many (person, stream) pairs, and stream owners, this process remembers having seen.
CACHE_SIZE = 100_000


class ExportTracker(Follower):
    name = NAME

    def __init__(self, *, events: EventStore, codec: EventCodec, store: ReadStore) -> None:
        super().__init__(events=events, store=store)
        self._codec = codec
        self._indexed: set[tuple[str, str]] = set()
        self._owners: dict[str, str | None] = {}

    def react(self, record: RecordedEvent) -> bool:
        self._index(record)
        if record.type == ErasureRequested.event_type:
            self._forget(record)
            return True
        if record.type not in LIFECYCLE:
            return False
        self._track(record)
        return True

    def _index(self, record: RecordedEvent) -> None:
        meta = record.metadata
        owner = None if owner_in(record.data) else self._stream_owner(record)
        for person in people_of(record.data, actor=meta.actor, subject=meta.key_id, stream_owner=owner):
            if (person, record.stream) in self._indexed:
                continue
            if rows.erased_before(self._store, person, record.position):
                continue  # the cascade's events, and anything that raced the erasure
            rows.index(self._store, person, record.stream, position=record.position)
            if len(self._indexed) >= CACHE_SIZE:
                self._indexed.clear()  # rows are idempotent: forgetting costs a repeated write
            self._indexed.add((person, record.stream))

    def _stream_owner(self, record: RecordedEvent) -> str | None:
        """Whom the stream's first event names: for events that name no owner themselves."""
        if record.version == 0:
            return None
        if record.stream not in self._owners:
            try:
                first = self._events.read_stream(record.stream, limit=1)
            except StreamNotFound:
                first = []
            if len(self._owners) >= CACHE_SIZE:
                self._owners.clear()
            self._owners[record.stream] = owner_in(first[0].data) if first else None
        return self._owners[record.stream]

    def _track(self, record: RecordedEvent) -> None:
        event, at = self._codec.decode(record).event, _moment(record.metadata.occurred_at)
        if isinstance(event, DataExportRequested):
            asked = rows.Export(event.user_id, event.export_id, Status.PENDING, requested_at=at)
            rows.save(self._store, asked, position=record.position)
        elif isinstance(event, Settled):
            self._settle(event, _changes(event, at), record.position)

    def _settle(self, event: Settled, changes: dict[str, Any], position: int) -> None:
        """The row as the event leaves it. A ready archive joins the sweep; one that will not expire
        any more (expired, abandoned) leaves it."""
        user_id, export_id = event.user_id, event.export_id
        before = rows.find(self._store, user_id, export_id) or rows.Export(user_id, export_id, Status.PENDING)
        after = dataclasses.replace(before, **changes)
        if after.status in UNSETTLED or not rows.erased_before(self._store, user_id, position):
            rows.save(self._store, after, position=position)
        else:  # settled for good after the erasure: the builder needs the row no more
            rows.drop(self._store, after, position=position)
        if after.status is Status.READY and after.expires_at is not None:
            rows.expiring(self._store, rows.Due(user_id, export_id, after.expires_at), position=position)
        elif before.expires_at is not None:
            rows.not_expiring(self._store, rows.Due(user_id, export_id, before.expires_at), position=position)

    def _forget(self, record: RecordedEvent) -> None:
        """An erasure: the person leaves the index, and their settled exports the list; those still
        pending or ready stay listed until the builder has abandoned them (it finds them there)."""
        event = self._codec.decode(record).event
        assert isinstance(event, ErasureRequested)
        user_id, position = event.user_id, record.position
        rows.mark_erased(self._store, user_id, position=position)
        rows.unindex(self._store, user_id, position=position)
        for export in list(rows.all_of(self._store, user_id)):
            if export.status not in UNSETTLED:
                rows.drop(self._store, export, position=position)


Settled = DataExportReady | DataExportFailed | DataExportExpired | DataExportAbandoned


def _changes(event: Settled, at: datetime) -> dict[str, Any]:
    match event:
        case DataExportReady():
            return {
                "status": Status.READY,
                "ready_at": _moment(event.ready_at),
                "expires_at": _moment(event.expires_at),
                "size_bytes": event.size_bytes,
                "sha256": event.sha256,
                "object_key": event.object_key,
            }
        case DataExportFailed():
            return {"status": Status.FAILED, "reason": event.reason, "settled_at": at}
        case DataExportExpired():
            return {"status": Status.EXPIRED, "settled_at": _moment(event.expired_at)}
        case DataExportAbandoned():
            return {"status": Status.ABANDONED, "reason": event.reason, "settled_at": at}


class DataExports:
    """The three parts together, as ``strom run`` and ``strom project`` start them."""

    def __init__(
        self,
        *,
        events: EventStore,
        codec: EventCodec,
        store: ReadStore,
        jobs: ExportJobs,
        clock: Callable[[], datetime],
        sweep_every_s: float = 60.0,
    ) -> None:
        self._events = events
        self.tracker = ExportTracker(events=events, codec=codec, store=store)
        self.builder = ExportBuilder(events=events, codec=codec, store=store, jobs=jobs, tracker=NAME)
        self.sweeper = ExpirySweeper(store=store, jobs=jobs, clock=clock, every_s=sweep_every_s)

    def start(self) -> None:
        self.tracker.start()
        self.builder.start()
        self.sweeper.start()

    def stop(self) -> None:
        self.sweeper.stop()
        self.builder.stop()
        self.tracker.stop()

    @property
    def alive(self) -> bool:
        return self.sweeper.alive or self.builder.alive or self.tracker.alive

    def settle(self) -> None:
        """Runs every part in this thread until none has anything left to do: for tests and tools."""
        while True:
            head = self._events.head_position()
            self.tracker.run(until=head)
            self.builder.run(until=head)
            self.sweeper.sweep()
            if self._events.head_position() == head:
                return


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)
