"""The process manager that starts transcoding: on ``VideoUploadCompleted`` it asks the workers to
transcode that upload, if it still awaits processing (``projections/video_jobs.py``), saying how
long the video is so a short clip can go first. A video deleted or uploaded again meanwhile is left
alone.

It also keeps ``transcode_jobs``, the jobs asked for and not settled per owner, which the upload
service counts for its per-user cap: on each upload, processing result or deletion it writes what
the stream says now, stamped with the event's position, so any replay converges on the same rows.
"""

from __future__ import annotations

from collections.abc import Callable

from domain import videos
from eventstore.envelope import EventFilter, RecordedEvent
from projections.video_jobs import VideoJobRequests
from read_models import transcode_jobs as jobs

NAME = "transcode_requests"

#: The events after which a video's job may have been asked for or settled.
WatchedEvent = (
    videos.VideoUploadCompleted
    | videos.VideoProcessingSucceeded
    | videos.VideoProcessingFailed
    | videos.VideoDeleted
)

#: Asks for a transcode: video id, upload id, the video's duration in milliseconds.
Enqueue = Callable[[str, str, int], None]


class TranscodeRequests(VideoJobRequests[Enqueue]):
    name = NAME
    watched = EventFilter(
        types=(
            videos.VideoUploadCompleted.event_type,
            videos.VideoProcessingSucceeded.event_type,
            videos.VideoProcessingFailed.event_type,
            videos.VideoDeleted.event_type,
        )
    )

    def react(self, record: RecordedEvent) -> bool:
        event = self._codec.decode(record).event
        assert isinstance(event, WatchedEvent)
        state = self.video(record.stream)
        upload_id = state.upload_id
        if upload_id is None or not videos.awaits_processing(state, upload_id):
            jobs.settled(self._store, event.owner_id, event.video_id, position=record.position)
            return True
        jobs.asked(self._store, event.owner_id, event.video_id, upload_id, position=record.position)
        if isinstance(event, videos.VideoUploadCompleted) and event.upload_id == upload_id:
            video_id, duration_ms = event.video_id, event.duration_ms
            self.ask(
                lambda: self._enqueue(video_id, upload_id, duration_ms),
                f"a transcode of video {video_id} upload {upload_id}",
            )
        return True
