"""The process manager that asks for covers: on ``CoverChosen`` it asks the workers to make that
cover (``workers/covers.py``), if that choice is still the video's and not made
(``projections/video_jobs.py``): a choice the owner replaced meanwhile is left alone.
"""

from __future__ import annotations

from collections.abc import Callable

from domain import videos
from eventstore.envelope import EventFilter, RecordedEvent
from projections.video_jobs import VideoJobRequests

NAME = "cover_requests"

#: Asks for a cover: video id, cover id.
Enqueue = Callable[[str, str], None]


class CoverRequests(VideoJobRequests[Enqueue]):
    name = NAME
    watched = EventFilter(types=(videos.CoverChosen.event_type,))

    def react(self, record: RecordedEvent) -> bool:
        event = self._codec.decode(record).event
        assert isinstance(event, videos.CoverChosen)
        if videos.pending_cover(self.video(record.stream), event.cover_id) is None:
            return False
        video_id, cover_id = event.video_id, event.cover_id
        self.ask(lambda: self._enqueue(video_id, cover_id), f"cover {cover_id} of video {video_id}")
        return True
