"""The cover job: the frame an owner chose, made into a poster from the video's own rendition, and the
result back as a command on the video's stream.

It runs on the transcoding pool's short-clip queue (``workers/jobs.py``): a frame takes a second,
and owners wait for it, so it never queues behind a long transcode. Like every job it may run more
than once, so it first reads the video's stream and does nothing unless this choice is still the
video's and not made yet; the picture goes under a key of its own (``media.keys.cover``), and the
domain records a repeated report as nothing.

Once its report is recorded (or refused: the owner chose again, or deleted the video), the job
removes the covers nothing names any more: every one in the folder but the poster and the current
choice. It lists the folder before it reads the stream, so a picture a later choice's job is storing
meanwhile is either not listed yet or named by the stream as the current choice: never removed.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dramatiq

from commands import covers as handlers
from commands import videos as video_handlers
from commands.context import Ports, Request
from domain import videos
from domain.errors import DomainError
from domain.videos.rules import MAX_REASON, PIPELINE
from media import keys
from media.covers import COVER_TIMEOUT_S, CoverNotMade, make_cover
from media.storage import MediaStorage
from workers.jobs import PRIORITY, SHORT_QUEUE, RetryPolicy

log = logging.getLogger("strom.workers.covers")

MAKE_COVER = "make_cover"
COVER_GAVE_UP = "cover_gave_up"
#: Past this, dramatiq interrupts the job; the ffmpeg run's own limit comes first.
TIME_LIMIT_MS = 5 * 60_000


class CoverMaker:
    def __init__(
        self,
        ports: Ports,
        storage: MediaStorage,
        *,
        timeout_s: float = COVER_TIMEOUT_S,
        scratch: Path | None = None,
    ) -> None:
        self.ports, self.storage, self.timeout_s, self.scratch = ports, storage, timeout_s, scratch

    def run(self, video_id: str, cover_id: str) -> None:
        """Raises on a transient failure, for the broker to retry with backoff."""
        cover = self._pending(video_id, cover_id)
        if cover is None:
            return
        try:
            self._make(video_id, cover, keys.cover(video_id, cover.upload_id, cover_id))
        except CoverNotMade as error:
            if not error.permanent:
                raise
            self.fail(video_id, cover_id, error.reason)
            return
        self._complete(video_id, cover_id, cover.upload_id)

    def fail(self, video_id: str, cover_id: str, reason: str) -> None:
        """Records that the cover could not be made, unless it is no longer awaited."""
        if self._pending(video_id, cover_id) is None:
            return
        text = " ".join(reason.split())[:MAX_REASON] or "the cover could not be made"
        self._report(videos.FailCover(PIPELINE, video_id, cover_id, text))

    def _make(self, video_id: str, cover: videos.Cover, key: str) -> None:
        with tempfile.TemporaryDirectory(prefix="strom-cover-", dir=self.scratch) as folder:
            prefix = keys.outputs(video_id, cover.upload_id)
            picture = make_cover(self.storage, prefix, cover.at_ms, Path(folder), timeout_s=self.timeout_s)
            self.storage.put_file(key, picture)

    def _complete(self, video_id: str, cover_id: str, upload_id: str) -> None:
        done = videos.CompleteCover(PIPELINE, video_id, cover_id, keys.cover(video_id, upload_id, cover_id))
        try:
            self._report(done)
        except DomainError as refused:
            if self._pending(video_id, cover_id) is not None:
                raise  # still awaited: a stream too busy, say; the broker retries
            log.info("video %s cover %s: the result was refused (%s)", video_id, cover_id, refused)
        self._drop_unnamed(video_id, upload_id)

    def _drop_unnamed(self, video_id: str, upload_id: str) -> None:
        """Every cover of the upload but the poster and the current choice's (see the module's note)."""
        listed = self.storage.keys(keys.covers(video_id, upload_id))
        state = video_handlers.current(self.ports, video_id)
        named = {state.poster}
        if state.cover is not None:
            named.add(keys.cover(video_id, state.cover.upload_id, state.cover.cover_id))
        for key in listed:
            if key not in named:
                self.storage.delete_prefix(key)

    def _pending(self, video_id: str, cover_id: str) -> videos.Cover | None:
        cover = videos.pending_cover(video_handlers.current(self.ports, video_id), cover_id)
        if cover is None:
            log.info("video %s cover %s needs no making now", video_id, cover_id)
        return cover

    def _report(self, cmd: videos.CompleteCover | videos.FailCover) -> None:
        request = Request(PIPELINE)
        if isinstance(cmd, videos.CompleteCover):
            handlers.complete_cover(cmd, ports=self.ports, request=request)
        else:
            handlers.fail_cover(cmd, ports=self.ports, request=request)


def declare_covers(broker: dramatiq.Broker, maker: CoverMaker, policy: RetryPolicy) -> None:
    """A cover whose retries are spent is recorded as failed, so no owner waits for it forever."""

    def make_cover_job(video_id: str, cover_id: str) -> None:
        maker.run(video_id, cover_id)

    def cover_gave_up(message: dict[str, Any], retry_info: dict[str, Any]) -> None:
        video_id, cover_id = message["args"]
        attempts = int(retry_info.get("retries", 0)) + 1
        maker.fail(video_id, cover_id, f"making the cover failed {attempts} times")

    dramatiq.actor(
        actor_name=MAKE_COVER,
        queue_name=SHORT_QUEUE,
        priority=PRIORITY[SHORT_QUEUE],
        broker=broker,
        max_retries=policy.max_retries,
        min_backoff=policy.min_backoff_ms,
        max_backoff=policy.max_backoff_ms,
        time_limit=TIME_LIMIT_MS,
        on_retry_exhausted=COVER_GAVE_UP,
    )(make_cover_job)
    dramatiq.actor(
        actor_name=COVER_GAVE_UP,
        queue_name=SHORT_QUEUE,
        priority=PRIORITY[SHORT_QUEUE],
        broker=broker,
        max_retries=policy.max_retries,
    )(cover_gave_up)


def cover_sender(broker: dramatiq.Broker) -> Callable[[str, str], None]:
    """What the process manager calls to ask for a cover: video id, cover id."""
    broker.declare_queue(SHORT_QUEUE)

    def enqueue(video_id: str, cover_id: str) -> None:
        message: dramatiq.Message[None] = dramatiq.Message(
            queue_name=SHORT_QUEUE, actor_name=MAKE_COVER, args=(video_id, cover_id), kwargs={}, options={}
        )
        broker.enqueue(message)

    return enqueue
