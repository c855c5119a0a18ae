"""What the process managers that ask the workers for a job on a video share (transcodes,
screenings, covers): they act on the write side's word, and never drop a request.

Before asking, each reads the video's stream and asks only if the job is still wanted (the upload
still awaits it, the choice is still the video's). So replaying the log from any checkpoint, or
from the start, never asks again for a job whose result is recorded. With a broker whose queue dies
with the process (``memory://``) they start from the beginning each time instead of from their
checkpoint: the stream checks make that cheap, and a job lost in a restart is asked for again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Generic, TypeVar, cast

from domain import videos
from domain.decider import fold
from eventstore.codec import EventCodec
from eventstore.port import EventStore
from projections.following import RETRY_FIRST_S, RETRY_MAX_S, Follower
from read_models.port import ReadStore

log = logging.getLogger("strom.projections.video_jobs")
Enqueue = TypeVar("Enqueue", bound=Callable[..., None])


class VideoJobRequests(Follower, Generic[Enqueue]):
    """``enqueue`` puts a job on the workers' queue; its arguments are each subclass's own."""

    def __init__(
        self,
        *,
        events: EventStore,
        codec: EventCodec,
        store: ReadStore,
        enqueue: Enqueue,
        from_start: bool = False,
    ) -> None:
        super().__init__(events=events, store=store)
        self._codec, self._enqueue, self._from_start = codec, enqueue, from_start

    def checkpoint(self) -> int:
        if self._from_start:
            self._from_start = False  # a retry after a store failure resumes from the checkpoint
            return 0
        return super().checkpoint()

    def video(self, stream: str) -> videos.State:
        """The video as its stream says now: the write side's word on what is still wanted."""
        events = [cast(videos.Event, self._codec.decode(r).event) for r in self._events.read_stream(stream)]
        return fold(videos.evolve, videos.initial, events)

    def ask(self, enqueue: Callable[[], None], what: str) -> None:
        """A broker that is down is waited for, backing off, until it takes the job or the process
        manager is stopped (``Interrupted``: the checkpoint stays before the event)."""
        backoff = RETRY_FIRST_S
        while True:
            try:
                enqueue()
                log.info("%s: asked for %s", self.name, what)
                return
            except Exception as error:  # the broker's own errors differ by broker
                log.warning("%s: queueing %s failed (%s); again in %.1f s", self.name, what, error, backoff)
                self.pause(backoff)
                backoff = min(backoff * 2, RETRY_MAX_S)
