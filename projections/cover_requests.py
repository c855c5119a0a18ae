"""The process manager that asks for covers: on ``CoverChosen`` it asks the workers to make that
cover (``workers/covers.py``).

It acts on the write side's word, not on the event alone: before asking, it reads the video's
stream and asks only if that choice is still the video's and not made. So replaying the log from
any checkpoint, or from the start, never makes a cover again whose result is recorded, and a choice
the owner replaced meanwhile is left alone.

With a broker whose queue dies with the process (``memory://``) it starts from the beginning each
time instead of from its checkpoint: the stream checks make that cheap, and a choice whose job was
lost in a restart is asked for again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import cast

from domain import videos
from domain.decider import fold
from eventstore.codec import EventCodec
from eventstore.envelope import EventFilter, RecordedEvent
from eventstore.port import EventStore
from projections.following import RETRY_FIRST_S, RETRY_MAX_S, Follower
from read_models.port import ReadStore

NAME = "cover_requests"
BUILD = "v1"

log = logging.getLogger("strom.projections.cover_requests")

#: Asks for a cover: video id, cover id.
Enqueue = Callable[[str, str], None]


class CoverRequests(Follower):
    name = NAME
    watched = EventFilter(types=(videos.CoverChosen.event_type,))

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

    def react(self, record: RecordedEvent) -> bool:
        event = self._codec.decode(record).event
        assert isinstance(event, videos.CoverChosen)
        if videos.pending_cover(self._video(record.stream), event.cover_id) is None:
            return False
        self._ask(event.video_id, event.cover_id)
        return True

    def _ask(self, video_id: str, cover_id: str) -> None:
        """A broker that is down is waited for: an owner's choice is never dropped."""
        backoff = RETRY_FIRST_S
        while True:
            try:
                self._enqueue(video_id, cover_id)
                log.info("asked for cover %s of video %s", cover_id, video_id)
                return
            except Exception as error:  # the broker's own errors differ by broker
                log.warning("%s: could not queue a cover (%s); retrying in %.1f s", NAME, error, backoff)
                self.pause(backoff)
                backoff = min(backoff * 2, RETRY_MAX_S)

    def _video(self, stream: str) -> videos.State:
        events = [cast(videos.Event, self._codec.decode(r).event) for r in self._events.read_stream(stream)]
        return fold(videos.evolve, videos.initial, events)
