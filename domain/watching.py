"""Watch signals: views, watch time and quick skips, the highest-volume facts in Strom.

The client buffers signals and sends them in batches; the handler appends a batch to the viewer's
day stream (``activity-<user>-<yyyymmdd>``) with no concurrency check, because no signal depends on
another. So there is no state to fold: ``decide_record_watch_batch`` only checks the batch itself.

Deduplication across batches is the store's job, through deterministic event ids: the handler
derives each event id from ``dedupe_key(event)`` (the viewer and the client's ``client_event_id``),
so a batch the client resends after a lost response maps to the same ids and is stored once.
The store recognises a resent batch as a whole; a batch that mixes signals already stored with new
ones is refused as a duplicate, so a handler merging retries must drop the stored ids first.
"""

from __future__ import annotations

import dataclasses
import re

from domain.actors import Actor
from domain.errors import InvalidCommand
from domain.events import DomainEvent, event

MAX_BATCH = 500
MAX_WATCH_MS = 6 * 60 * 60 * 1000  # no single signal reports more than six hours
QUICK_SKIP_MS = 3_000  # a skip is leaving within three seconds; longer is watch time
_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")

# -- events ----------------------------------------------------------------------------------------


@event("ViewStarted")
@dataclasses.dataclass(frozen=True, slots=True)
class ViewStarted(DomainEvent):
    client_event_id: str
    viewer_id: str
    video_id: str


@event("WatchProgressed")
@dataclasses.dataclass(frozen=True, slots=True)
class WatchProgressed(DomainEvent):
    client_event_id: str
    viewer_id: str
    video_id: str
    watched_ms: int
    position_ms: int
    completed: bool
    rewatch: bool


@event("VideoSkipped")
@dataclasses.dataclass(frozen=True, slots=True)
class VideoSkipped(DomainEvent):
    client_event_id: str
    viewer_id: str
    video_id: str
    watched_ms: int


Event = ViewStarted | WatchProgressed | VideoSkipped

# -- the command and its signals -------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class ViewStart:
    client_event_id: str
    video_id: str


@dataclasses.dataclass(frozen=True, slots=True)
class WatchProgress:
    client_event_id: str
    video_id: str
    watched_ms: int
    position_ms: int
    completed: bool = False
    rewatch: bool = False


@dataclasses.dataclass(frozen=True, slots=True)
class QuickSkip:
    client_event_id: str
    video_id: str
    watched_ms: int


WatchSignal = ViewStart | WatchProgress | QuickSkip


@dataclasses.dataclass(frozen=True, slots=True)
class RecordWatchBatch:
    actor: Actor
    signals: tuple[WatchSignal, ...]


# -- deciding --------------------------------------------------------------------------------------


def decide_record_watch_batch(cmd: RecordWatchBatch) -> list[Event]:
    """All signals or none: a bad one refuses the batch, naming its index so the client can fix it."""
    if not 1 <= len(cmd.signals) <= MAX_BATCH:
        raise InvalidCommand(f"a batch holds 1 to {MAX_BATCH} signals, not {len(cmd.signals)}")
    seen: set[str] = set()
    events: list[Event] = []
    for index, signal in enumerate(cmd.signals):
        try:
            events.append(_event_for(signal, cmd.actor.user_id, seen))
        except InvalidCommand as exc:
            raise InvalidCommand(f"signal {index}: {exc}") from None
    return events


def dedupe_key(event: Event) -> tuple[str, str, str]:
    """The parts the handler hashes into the event id: one client signal, one id, however often sent."""
    return ("watch", event.viewer_id, event.client_event_id)


def _event_for(signal: WatchSignal, viewer_id: str, seen: set[str]) -> Event:
    if not isinstance(signal, ViewStart | WatchProgress | QuickSkip):
        raise InvalidCommand(f"unknown signal {type(signal).__name__}")
    client_id = _id(signal.client_event_id, "client_event_id")
    if client_id in seen:
        raise InvalidCommand(f"client_event_id {client_id!r} appears twice in the batch")
    seen.add(client_id)
    ids = {"client_event_id": client_id, "viewer_id": viewer_id, "video_id": _id(signal.video_id, "video_id")}
    match signal:
        case ViewStart():
            return ViewStarted(**ids)
        case WatchProgress():
            return WatchProgressed(
                **ids,
                watched_ms=_ms(signal.watched_ms, "watched_ms", MAX_WATCH_MS),
                position_ms=_ms(signal.position_ms, "position_ms", MAX_WATCH_MS),
                completed=_flag(signal.completed, "completed"),
                rewatch=_flag(signal.rewatch, "rewatch"),
            )
        case QuickSkip():
            return VideoSkipped(**ids, watched_ms=_ms(signal.watched_ms, "watched_ms", QUICK_SKIP_MS - 1))


def _id(value: str, field: str) -> str:
    """Client-made ids end up in event ids and logs: short and plain, nothing to escape."""
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise InvalidCommand(f"{field} must be 1 to 64 characters of A-Z, a-z, 0-9, '_' or '-'")
    return value


def _ms(value: int, field: str, most: int) -> int:
    """A duration in whole milliseconds; ``bool`` is an ``int`` in Python, so it is refused by name."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidCommand(f"{field} must be a whole number of milliseconds")
    if not 0 <= value <= most:
        raise InvalidCommand(f"{field} must be between 0 and {most} ms, not {value}")
    return value


def _flag(value: bool, field: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidCommand(f"{field} must be true or false")
    return value
