"""The process manager that starts screening: on ``VideoUploadCompleted`` it asks the workers to
screen that upload, beside its transcode (``workers/screening.py`` says why beside, not after).

It acts on the write side's word, as the transcode's does: before asking, it reads the video's
stream and asks only if that upload is still the video's and has no verdict. So replaying the log
from any checkpoint, or from the start, never screens an upload again whose verdict is recorded;
re-screening under a changed policy is the operator's ``strom screening replay``.

Its checkpoint is a row beside the projectors'. With a broker whose queue dies with the process
(``memory://``), it starts from the beginning each time instead: the stream checks make that cheap,
and an upload whose job was lost in a restart is asked for again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import cast

from domain import videos
from domain.decider import fold
from eventstore.codec import EventCodec
from eventstore.envelope import EventFilter, RecordedEvent
from eventstore.port import EventStore, Subscription
from projections.runner import TRANSIENT
from read_models import projection_state as states
from read_models.port import ReadStore

NAME = "screening_requests"
BUILD = "v1"
SAVE_EVERY_S = 1.0
RETRY_FIRST_S, RETRY_MAX_S = 0.5, 30.0
WATCHED = ("VideoUploadCompleted",)

log = logging.getLogger("strom.projections.screening_requests")

#: Asks for a screening: video id, upload id.
Enqueue = Callable[[str, str], None]


class ScreeningRequests:
    def __init__(
        self,
        *,
        events: EventStore,
        codec: EventCodec,
        store: ReadStore,
        enqueue: Enqueue,
        from_start: bool = False,
    ) -> None:
        self._events, self._codec, self._store, self._enqueue = events, codec, store, enqueue
        self._from_start = from_start
        self._stopped = threading.Event()
        self._subscription: Subscription | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self.follow, name=NAME, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        if self._subscription is not None:
            self._subscription.stop()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def follow(self) -> None:
        """Runs until stopped; a store or broker that fails for a while is retried, backing off."""
        backoff = RETRY_FIRST_S
        while not self._stopped.is_set():
            try:
                self.run()
                return
            except TRANSIENT as error:
                log.warning("%s: %s; retrying in %.1f s", NAME, error, backoff)
            self._stopped.wait(backoff)
            backoff = min(backoff * 2, RETRY_MAX_S)

    def run(self, *, until: int | None = None) -> int:
        """Reacts to uploads after the checkpoint; returns the position reached."""
        position = 0 if self._from_start else states.load(self._store, NAME, BUILD, version=1).position
        self._from_start = False  # a retry after a store failure resumes from the checkpoint
        if until is not None and position >= until:
            return position
        subscription = self._events.subscribe(
            after=position, filter=EventFilter(types=WATCHED), checkpoints=True
        )
        self._subscription = subscription
        saved_at = time.monotonic()
        try:
            for item in subscription:
                if until is not None and item.position > until:
                    break
                if isinstance(item, RecordedEvent):
                    self._react(item)
                position = item.position
                if isinstance(item, RecordedEvent) or time.monotonic() - saved_at > SAVE_EVERY_S:
                    self._save(position)
                    saved_at = time.monotonic()
                if self._stopped.is_set() or (until is not None and position >= until):
                    break
        finally:
            subscription.stop()
        self._save(position)
        return position

    def _react(self, record: RecordedEvent) -> None:
        event = self._codec.decode(record).event
        assert isinstance(event, videos.VideoUploadCompleted)
        if videos.awaits_screening(self._video(record.stream), event.upload_id):
            self._ask(event.video_id, event.upload_id)

    def _ask(self, video_id: str, upload_id: str) -> None:
        """A broker that is down is waited for: an upload is never left unscreened."""
        backoff = RETRY_FIRST_S
        while True:
            try:
                self._enqueue(video_id, upload_id)
                log.info("asked to screen video %s upload %s", video_id, upload_id)
                return
            except Exception as error:  # the broker's own errors differ by broker
                if self._stopped.is_set():
                    raise
                log.warning("%s: could not queue a screening (%s); retrying in %.1f s", NAME, error, backoff)
                self._stopped.wait(backoff)
                backoff = min(backoff * 2, RETRY_MAX_S)

    def _video(self, stream: str) -> videos.State:
        events = [cast(videos.Event, self._codec.decode(r).event) for r in self._events.read_stream(stream)]
        return fold(videos.evolve, videos.initial, events)

    def _save(self, position: int) -> None:
        state = states.ProjectionState(NAME, BUILD, version=1, position=position, status=states.RUNNING)
        states.save(self._store, state)
