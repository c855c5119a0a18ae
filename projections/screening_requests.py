"""The process manager that starts screening: on ``VideoUploadCompleted`` it asks the workers to
screen that upload, beside its transcode (``workers/screening.py`` says why beside, not after), if
that upload is still the video's and has no verdict (``projections/video_jobs.py``). Re-screening
under a changed policy is the operator's ``strom screening replay``.
"""

from __future__ import annotations

from collections.abc import Callable

from domain import videos
from eventstore.envelope import EventFilter, RecordedEvent
from projections.video_jobs import VideoJobRequests

NAME = "screening_requests"

#: Asks for a screening: video id, upload id.
Enqueue = Callable[[str, str], None]


class ScreeningRequests(VideoJobRequests[Enqueue]):
    name = NAME
    watched = EventFilter(types=(videos.VideoUploadCompleted.event_type,))

    def react(self, record: RecordedEvent) -> bool:
        event = self._codec.decode(record).event
        assert isinstance(event, videos.VideoUploadCompleted)
        if not videos.awaits_screening(self.video(record.stream), event.upload_id):
            return False
        video_id, upload_id = event.video_id, event.upload_id
        what = f"a screening of video {video_id} upload {upload_id}"
        self.ask(lambda: self._enqueue(video_id, upload_id), what)
        return True
