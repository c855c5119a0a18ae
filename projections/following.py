"""What a process manager shares with every other: a thread that follows the log from its own
checkpoint, reacts to each event it watches, and records how far it got.

The checkpoint is a row beside the projectors' (``read_models/projection_state.py``). It passes an
event only once the reaction to it is done, so a crash repeats a reaction and never skips one:
reactions must be idempotent. It is saved after every reaction that asks for it, and otherwise at
most every ``SAVE_EVERY_S``: while the log is quiet every subscription repeats its last mark
(``eventstore.port.Subscription``), so the checkpoint still settles where the reading stopped.
Saving at every catch-up cost a write for every append once live, for each process manager. A store
that fails for a while stops the reading and starts it again from the checkpoint, backing off;
anything else stops the process manager, its error and the event's position recorded beside its
checkpoint.
"""

from __future__ import annotations

import abc
import logging
import threading
import time

from eventstore.envelope import EventFilter, RecordedEvent
from eventstore.port import EventStore, Subscription
from projections.runner import TRANSIENT
from read_models import projection_state as states
from read_models.port import ReadStore

SAVE_EVERY_S = 1.0
RETRY_FIRST_S, RETRY_MAX_S = 0.5, 30.0
BUILD = "v1"

log = logging.getLogger("strom.projections.following")


class SavePace:
    """When a process manager's checkpoint is due: after a reaction that asks for it, otherwise at
    most every ``SAVE_EVERY_S`` (the subscription's marks while the log is quiet settle the rest)."""

    def __init__(self, saved: int) -> None:
        self.saved = saved
        self._at = time.monotonic()

    def due(self, position: int, *, urgent: bool) -> bool:
        return position > self.saved and (urgent or time.monotonic() - self._at >= SAVE_EVERY_S)

    def done(self, position: int) -> None:
        self.saved, self._at = position, time.monotonic()


class Interrupted(Exception):
    """Stopped in the middle of a reaction: the checkpoint stays before its event."""


class Follower(abc.ABC):
    """Subclasses say what they watch (``None``: every event) and how they react."""

    name = ""
    watched: EventFilter | None = None

    def __init__(self, *, events: EventStore, store: ReadStore) -> None:
        self._events, self._store = events, store
        self._stopped = threading.Event()
        self._subscription: Subscription | None = None
        self._thread: threading.Thread | None = None
        self._at = 0  # the position being reacted to

    @abc.abstractmethod
    def react(self, record: RecordedEvent) -> bool:
        """Does what the event asks; returns whether the checkpoint should pass it at once."""

    def start(self) -> None:
        self._thread = threading.Thread(target=self.follow, name=self.name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        if self._subscription is not None:
            self._subscription.stop()
        if self._thread is not None:
            self._thread.join(timeout=10)

    @property
    def alive(self) -> bool:
        """Whether its thread still runs: after ``stop`` gave up waiting, it may still be finishing."""
        return self._thread is not None and self._thread.is_alive()

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def pause(self, seconds: float) -> None:
        """Waits, unless stopped meanwhile: then ``Interrupted``."""
        if self._stopped.wait(seconds):
            raise Interrupted

    def follow(self) -> None:
        """Runs until stopped; a store that fails for a while is retried, backing off."""
        backoff = RETRY_FIRST_S
        while not self._stopped.is_set():
            try:
                self.run()
                return
            except Interrupted:
                return
            except TRANSIENT as error:
                log.warning("%s: %s; retrying in %.1f s", self.name, error, backoff)
            except Exception as error:  # a bug, or an event it cannot read: stop, loudly
                log.exception("%s stopped at position %d", self.name, self._at)
                self._failed(error)
                return
            self._stopped.wait(backoff)
            backoff = min(backoff * 2, RETRY_MAX_S)

    def checkpoint(self) -> int:
        return states.load(self._store, self.name, BUILD, version=1).position

    def run(self, *, until: int | None = None) -> int:
        """Reacts to the events after the checkpoint; returns the position reached."""
        position = self.checkpoint()
        if until is not None and position >= until:
            return position
        pace = SavePace(position)
        subscription = self._events.subscribe(after=position, filter=self.watched, checkpoints=True)
        self._subscription = subscription
        if self._stopped.is_set():  # stopped before there was a subscription to stop
            subscription.stop()
        try:
            for item in subscription:
                if until is not None and item.position > until:
                    break
                self._at = item.position
                urgent = isinstance(item, RecordedEvent) and self.react(item)
                position = item.position
                if pace.due(position, urgent=urgent):
                    self._save(position)
                    pace.done(position)
                if self._stopped.is_set() or (until is not None and position >= until):
                    break
        finally:
            subscription.stop()
        if position > pace.saved:
            self._save(position)
        return position

    def _failed(self, error: Exception) -> None:
        """Recorded where ``strom projections status`` shows it; the checkpoint stays before the event."""
        state = states.ProjectionState(
            self.name,
            BUILD,
            version=1,
            position=self.checkpoint(),
            status=states.FAILED,
            error=f"{type(error).__name__}: {error}",
            error_position=self._at,
        )
        states.save(self._store, state)

    def _save(self, position: int) -> None:
        state = states.ProjectionState(self.name, BUILD, version=1, position=position, status=states.RUNNING)
        states.save(self._store, state)
