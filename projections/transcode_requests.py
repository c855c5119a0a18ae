"""The process manager that starts transcoding: on ``VideoUploadCompleted`` it asks the workers to
transcode that upload, saying how long the video is so a short clip can go first.

It acts on the write side's word, not on the event alone: before asking, it reads the video's
stream and asks only if that upload still awaits processing. So replaying the log, from any
checkpoint or from the start, never re-runs a job whose result is recorded, and a video deleted or
uploaded again meanwhile is left alone.

It also keeps ``transcode_jobs``, the jobs asked for and not settled per owner, which the upload
service counts for its per-user cap: on each upload, processing result or deletion it writes what
the stream says now, stamped with the event's position, so any replay converges on the same rows.

Its checkpoint is a row beside the projectors'. With a broker whose queue dies with the process
(``memory://``), it starts from the beginning each time instead: the stream checks make that cheap,
and an upload whose job was lost in a restart is asked for again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import cast

from domain import videos
from domain.decider import fold
from eventstore.codec import EventCodec
from eventstore.envelope import EventFilter, RecordedEvent
from eventstore.port import EventStore, Subscription
from projections.runner import TRANSIENT
from read_models import projection_state as states
from read_models import transcode_jobs as jobs
from read_models.port import ReadStore

NAME = "transcode_requests"
BUILD = "v1"
RETRY_FIRST_S, RETRY_MAX_S = 0.5, 30.0

#: The events after which a video's job may have been asked for or settled.
WATCHED = ("VideoUploadCompleted", "VideoProcessingSucceeded", "VideoProcessingFailed", "VideoDeleted")
WatchedEvent = (
    videos.VideoUploadCompleted
    | videos.VideoProcessingSucceeded
    | videos.VideoProcessingFailed
    | videos.VideoDeleted
)

log = logging.getLogger("strom.projections.transcode_requests")

#: Asks for a transcode: video id, upload id, the video's duration in milliseconds.
Enqueue = Callable[[str, str, int], None]


class TranscodeRequests:
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
        state = states.load(self._store, NAME, BUILD, version=1)
        position = 0 if self._from_start else state.position
        self._from_start = False  # a retry after a store failure resumes from the checkpoint
        if until is not None and position >= until:
            return position
        subscription = self._events.subscribe(
            after=position, filter=EventFilter(types=WATCHED), checkpoints=True
        )
        self._subscription = subscription
        saved = position
        try:
            for item in subscription:
                if until is not None and item.position > until:
                    break
                if isinstance(item, RecordedEvent):
                    self._react(item)
                position = item.position
                if position > saved:  # an event acted on, or a checkpoint: caught up with the log
                    state = self._save(state, position)
                    saved = position
                if self._stopped.is_set() or (until is not None and position >= until):
                    break
        finally:
            subscription.stop()
        self._save(state, position)
        return position

    def _react(self, record: RecordedEvent) -> None:
        event = self._codec.decode(record).event
        assert isinstance(event, WatchedEvent)
        state = self._video(record.stream)
        upload_id = state.upload_id
        if upload_id is None or not videos.awaits_processing(state, upload_id):
            jobs.settled(self._store, event.owner_id, event.video_id, position=record.position)
            return
        jobs.asked(self._store, event.owner_id, event.video_id, upload_id, position=record.position)
        if isinstance(event, videos.VideoUploadCompleted) and event.upload_id == upload_id:
            self._ask(event.video_id, upload_id, event.duration_ms)

    def _ask(self, video_id: str, upload_id: str, duration_ms: int) -> None:
        """A broker that is down is waited for: an upload is never dropped."""
        backoff = RETRY_FIRST_S
        while True:
            try:
                self._enqueue(video_id, upload_id, duration_ms)
                log.info("asked to transcode video %s upload %s", video_id, upload_id)
                return
            except Exception as error:  # the broker's own errors differ by broker
                if self._stopped.is_set():
                    raise
                log.warning("%s: could not queue a transcode (%s); retrying in %.1f s", NAME, error, backoff)
                self._stopped.wait(backoff)
                backoff = min(backoff * 2, RETRY_MAX_S)

    def _video(self, stream: str) -> videos.State:
        events = [cast(videos.Event, self._codec.decode(r).event) for r in self._events.read_stream(stream)]
        return fold(videos.evolve, videos.initial, events)

    def _save(self, state: states.ProjectionState, position: int) -> states.ProjectionState:
        state = states.ProjectionState(NAME, BUILD, version=1, position=position, status=states.RUNNING)
        states.save(self._store, state)
        return state
