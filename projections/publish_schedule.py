"""The publish schedule's process manager: from ``PublishScheduled`` to the publication, when due.

Two parts, each with its own thread:

- ``ScheduleTracker`` follows the log from its own checkpoint and files each schedule under the day
  it is due (``read_models/publish_schedule.py``). It does no slow work.
- ``DueScanner``, every ``every_s``, asks for the publication of each schedule whose time has come
  (by its clock, injected so tests move time instead of sleeping), day partition by day partition
  from the first day it has not finished, then removes the row.

Asking is the ordinary command path (``PublishDue``, ``commands.scheduling.publish_when_due`` in
production), and the write side decides: a schedule published, moved or called off since is no
longer the one asked about, and nothing is recorded. So a crash between asking and removing the row,
a restart, or a replay of the log from its start publishes nothing twice. A day is finished once it
is past and the tracker had filed every schedule recorded before the scan began: a schedule is at
least a minute ahead when recorded, so none recorded later can be due on a day already past.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from domain.videos.events import PublishScheduled
from eventstore.codec import EventCodec
from eventstore.envelope import EventFilter, RecordedEvent
from eventstore.port import EventStore
from plumbing.repeating import Repeating
from projections.following import Follower
from read_models import publish_schedule as rows
from read_models.port import ReadStore

NAME = "publish_schedule"
BUILD = "v1"
DAY = "%Y%m%d"
#: Where the scanner starts when it has never finished a day: further back than any schedule lives.
FIRST_SCAN_BACK = timedelta(days=91)
SCAN_EVERY_S = 5.0


#: Asks for the publication scheduled for ``publish_at``; records nothing if it is no longer due.
PublishDue = Callable[[str, datetime], None]
Clock = Callable[[], datetime]


class ScheduleTracker(Follower):
    name = NAME
    watched = EventFilter(types=(PublishScheduled.event_type,))

    def __init__(self, *, events: EventStore, codec: EventCodec, store: ReadStore) -> None:
        super().__init__(events=events, store=store)
        self._codec = codec

    def react(self, record: RecordedEvent) -> bool:
        event = self._codec.decode(record).event
        if isinstance(event, PublishScheduled):
            due = rows.Due(event.video_id, datetime.fromisoformat(event.publish_at))
            rows.scheduled(self._store, due, position=record.position)
        return True


class DueScanner:
    def __init__(
        self,
        *,
        events: EventStore,
        store: ReadStore,
        tracker: ScheduleTracker,
        publish: PublishDue,
        clock: Clock,
        every_s: float = SCAN_EVERY_S,
    ) -> None:
        self._events, self._store, self._tracker = events, store, tracker
        self._publish, self._clock = publish, clock
        self._repeating = Repeating(self.scan, name="publish_scanner", every_s=every_s)

    def start(self) -> None:
        self._repeating.start()

    def stop(self) -> None:
        self._repeating.stop()

    @property
    def alive(self) -> bool:
        return self._repeating.alive

    def scan(self) -> int:
        """Asks for every publication due now; returns how many were due."""
        filed = self._events.head_position()
        now = self._clock().astimezone(UTC)
        today = now.date()
        due = 0
        for day in _days(self._first_day(today), today):
            for found in rows.due_on(self._store, day.strftime(DAY), now=now):
                self._publish(found.video_id, found.publish_at)
                rows.asked(self._store, found)
                due += 1
        if self._tracker.checkpoint() >= filed:
            rows.scanned_before(self._store, today.strftime(DAY))
        return due

    def _first_day(self, today: date) -> date:
        saved = rows.next_scan_day(self._store)
        if saved is None:
            return today - FIRST_SCAN_BACK
        return datetime.strptime(saved, DAY).replace(tzinfo=UTC).date()


class PublishSchedule:
    """Both parts, as ``strom run`` and ``strom project`` start them."""

    def __init__(
        self,
        *,
        events: EventStore,
        codec: EventCodec,
        store: ReadStore,
        publish: PublishDue,
        clock: Clock,
        every_s: float = SCAN_EVERY_S,
    ) -> None:
        self._events = events
        self.tracker = ScheduleTracker(events=events, codec=codec, store=store)
        self.scanner = DueScanner(
            events=events, store=store, tracker=self.tracker, publish=publish, clock=clock, every_s=every_s
        )

    def start(self) -> None:
        self.tracker.start()
        self.scanner.start()

    def stop(self) -> None:
        self.scanner.stop()
        self.tracker.stop()

    @property
    def alive(self) -> bool:
        return self.scanner.alive or self.tracker.alive

    def settle(self) -> int:
        """Files every schedule in the log and publishes what is due, in this thread: for tests and
        tools. Returns how many publications were due."""
        self.tracker.run(until=self._events.head_position())
        return self.scanner.scan()


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
