"""Watch signals: views, watch time and quick skips, the highest-volume facts in Strom.

The client buffers signals and sends them in batches; the handler appends a batch to the viewer's
day stream (``activity-<user>-<yyyymmdd>``) with no concurrency check, because no signal depends on
another. So there is no state to fold: ``decide_record_watch_batch`` only checks the batch itself.

Deduplication across batches is the store's job, through deterministic event ids: the handler
derives each event id from ``dedupe_key(event)`` (the viewer and the client's ``client_event_id``),
so a batch the client resends after a lost response maps to the same ids and is stored once.
The store recognises a resent batch as a whole; a batch that mixes signals already stored with new
ones is refused as a duplicate, so a handler merging retries must drop the stored ids first.

What a person watched, and how, is their viewing history: the video and the watch figures are sealed
with the viewer's key (together, one encryption per signal), so once the viewer is erased they read
as ``None`` and the signal says only that someone watched something. The viewer's id stays in clear
(their streams are named after it anyway), and so does the client's id of the signal, which dedupes.
Signals recorded before they were sealed read as they were.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence

from domain.actors import Actor
from domain.errors import InvalidCommand
from domain.events import DomainEvent, event

MAX_BATCH = 500
MAX_WATCH_MS = 6 * 60 * 60 * 1000  # no single signal reports more than six hours
QUICK_SKIP_MS = 3_000  # a skip is leaving within three seconds; longer is watch time
#: A progress signal covers one play at most (the client sends one per loop and one on leaving);
#: the slack absorbs players' rounding.
PLAY_SLACK_MS = 2_000
#: Starting one video more often in one batch (a few seconds of scrolling) is not watching it.
MAX_VIEW_STARTS_PER_VIDEO = 3
_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")

# -- events ----------------------------------------------------------------------------------------


WATCH_FIGURES = ("watched_ms", "position_ms", "completed", "rewatch")


@event("ViewStarted", personal=("video_id",), subject="viewer_id")
@dataclasses.dataclass(frozen=True, slots=True)
class ViewStarted(DomainEvent):
    client_event_id: str
    viewer_id: str
    video_id: str | None  # None once the viewer is erased


@event("WatchProgressed", personal=("video_id", *WATCH_FIGURES), subject="viewer_id", together=True)
@dataclasses.dataclass(frozen=True, slots=True)
class WatchProgressed(DomainEvent):
    """Every field but the ids is ``None`` once the viewer is erased."""

    client_event_id: str
    viewer_id: str
    video_id: str | None
    watched_ms: int | None
    position_ms: int | None
    completed: bool | None
    rewatch: bool | None


@event("VideoSkipped", personal=("video_id", "watched_ms"), subject="viewer_id", together=True)
@dataclasses.dataclass(frozen=True, slots=True)
class VideoSkipped(DomainEvent):
    client_event_id: str
    viewer_id: str
    video_id: str | None  # None once the viewer is erased
    watched_ms: int | None  # None once the viewer is erased


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


def implausible(signals: Sequence[WatchSignal], durations: Mapping[str, int | None]) -> dict[str, str]:
    """The signals of a batch that could not have happened, by client id, with why: more watch time
    or a later position than one play of the video, or more view starts of one video than a batch
    can hold. ``durations`` gives each video's length where known; other videos are not judged."""
    refused: dict[str, str] = {}
    starts: dict[str, int] = {}
    for signal in signals:
        if isinstance(signal, ViewStart):
            starts[signal.video_id] = starts.get(signal.video_id, 0) + 1
            if starts[signal.video_id] > MAX_VIEW_STARTS_PER_VIDEO:
                refused[signal.client_event_id] = "too many view starts of one video in one batch"
            continue
        duration = durations.get(signal.video_id)
        longest = None if duration is None else duration + PLAY_SLACK_MS
        position = signal.position_ms if isinstance(signal, WatchProgress) else 0
        if longest is not None and max(signal.watched_ms, position) > longest:
            refused[signal.client_event_id] = f"more than one play of a {duration} ms video"
    return refused


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
