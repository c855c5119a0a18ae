"""The transcode job: one upload in, an HLS ladder, a poster and a thumbnail strip out, and the
result back as commands on the video's stream.

A job may run more than once: a retry after a transient failure, a redelivery after its worker
died, a duplicate request from a process manager replaying its log. So it first reads the video's
stream and does nothing unless that upload still awaits its result; it works in a scratch folder
and publishes under the upload's own prefix, master playlist last, so a job killed at any point
leaves nothing a player could reach half-made; and the domain records a repeated report as
nothing. The video ends up processed once.

A failure for good (a permanent error, or the retries spent) is recorded first, then the upload's
source is removed: nothing will ever read it again, since the owner's next try is a new upload.

The video may be deleted, or its owner erased, while the job works; the media cleanup may then have
run before the job published anything. So once the result is recorded (or refused), the job reads
the streams again and removes what it stored unless the video still names it or may yet
(``commands/media_keeping.py``): a deletion it does not see is recorded after its bytes were
stored, and the cleanup finds them. Removing what is gone removes nothing, so this too may repeat.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path

from commands import videos as handlers
from commands.context import Ports, Request
from commands.media_keeping import may_keep_media, may_keep_media_of
from domain import videos
from domain.errors import Conflict, DomainError, NotFound
from domain.videos.rules import MAX_DURATION_MS, MAX_REASON, PIPELINE
from media import keys
from media.ladder import plan
from media.probe import NotPlayable, probe
from media.storage import MediaNotFound, MediaStorage
from media.transcode import Published, TranscodeFailed, publish, transcode

log = logging.getLogger("strom.workers.transcode")

#: Progress is reported in steps of this many percent: enough for a progress bar, few events.
PROGRESS_STEP = 5
#: The share of the work the encode is; publishing takes the rest.
ENCODE_SHARE = 95


class Transcoder:
    def __init__(
        self,
        ports: Ports,
        storage: MediaStorage,
        *,
        av1: bool = False,
        timeout_s: float | None = None,
        scratch: Path | None = None,
    ) -> None:
        self.ports = ports
        self.storage = storage
        self.av1 = av1
        self.timeout_s = timeout_s
        self.scratch = scratch

    def run(self, video_id: str, upload_id: str) -> None:
        """Raises on a transient failure, for the broker to retry with backoff."""
        if not self._awaits(video_id, upload_id) or not may_keep_media_of(self.ports, video_id):
            self._drop_unwanted(video_id, upload_id)  # what a run that died, or a deletion, left
            return
        try:
            self._report(videos.StartProcessing(PIPELINE, video_id, upload_id=upload_id))
            published = self._make(video_id, upload_id)
        except (NotPlayable, MediaNotFound) as error:
            self.fail(video_id, upload_id, str(error))
            return
        except TranscodeFailed as error:
            if not error.permanent:
                raise
            self.fail(video_id, upload_id, error.reason)
            return
        except (Conflict, NotFound) as error:
            log.info("video %s upload %s: %s; the job stops", video_id, upload_id, error)
            self._drop_unwanted(video_id, upload_id)
            return
        self._complete(video_id, upload_id, published)

    def fail(self, video_id: str, upload_id: str, reason: str) -> None:
        """Records the failure, unless the upload no longer awaits a result; then drops its source."""
        if self._awaits(video_id, upload_id):
            self._report(videos.StartProcessing(PIPELINE, video_id, upload_id=upload_id))
            self._report(videos.FailProcessing(PIPELINE, video_id, _reason(reason), upload_id=upload_id))
        self._drop_unwanted(video_id, upload_id)

    def _complete(self, video_id: str, upload_id: str, published: Published) -> None:
        """Records the result; one refused because the video was deleted (or the upload settled
        meanwhile) leaves outputs no event names, which go. A refusal while the upload still awaits
        its result (a stream too busy) is raised, for the broker to retry."""
        done = videos.CompleteProcessing(
            PIPELINE,
            video_id,
            published.renditions,
            published.master_playlist,
            published.poster,
            published.thumbnails,
            upload_id=upload_id,
        )
        try:
            self._report(done)
        except DomainError as refused:
            if self._awaits(video_id, upload_id):
                raise
            log.info("video %s upload %s: the result was refused (%s)", video_id, upload_id, refused)
        self._drop_unwanted(video_id, upload_id)

    def _drop_unwanted(self, video_id: str, upload_id: str) -> None:
        """Removes the upload's source and outputs unless the video may keep media and this upload is
        its current one, not failed. Only once the stream says so: a source whose failure is not
        recorded yet would leave a video that could never be processed nor say why."""
        state = handlers.current(self.ports, video_id)
        settled_for_good = state.upload_id != upload_id or state.stage is videos.Stage.FAILED
        if settled_for_good or not may_keep_media(self.ports, state):
            for prefix in (keys.source(video_id, upload_id), keys.outputs(video_id, upload_id)):
                self.storage.delete_prefix(prefix)

    def _awaits(self, video_id: str, upload_id: str) -> bool:
        state = handlers.current(self.ports, video_id)
        waiting = videos.awaits_processing(state, upload_id)
        if not waiting:
            log.info("video %s upload %s needs no processing now (%s)", video_id, upload_id, state.stage)
        return waiting

    def _make(self, video_id: str, upload_id: str) -> Published:
        with tempfile.TemporaryDirectory(prefix="strom-transcode-", dir=self.scratch) as folder:
            work = Path(folder)
            source = work / "source"
            self.storage.get_file(keys.source(video_id, upload_id), source)
            found = probe(source, max_duration_s=MAX_DURATION_MS / 1000)
            done = transcode(
                source,
                found,
                work / "out",
                plan(found, av1=self.av1),
                on_progress=self._progress_reporter(video_id, upload_id),
                timeout_s=self.timeout_s,
            )
            return publish(done, self.storage, keys.outputs(video_id, upload_id))

    def _progress_reporter(self, video_id: str, upload_id: str) -> Callable[[float], None]:
        reported = 0

        def report(fraction: float) -> None:
            nonlocal reported
            percent = int(max(0.0, min(1.0, fraction)) * ENCODE_SHARE)
            if percent - reported >= PROGRESS_STEP:
                reported = percent
                progress = videos.ReportProcessingProgress(PIPELINE, video_id, percent, upload_id=upload_id)
                self._report(progress)

        return report

    def _report(
        self,
        cmd: videos.StartProcessing
        | videos.ReportProcessingProgress
        | videos.CompleteProcessing
        | videos.FailProcessing,
    ) -> None:
        request = Request(PIPELINE)
        match cmd:
            case videos.StartProcessing():
                handlers.start_processing(cmd, ports=self.ports, request=request)
            case videos.ReportProcessingProgress():
                handlers.report_processing_progress(cmd, ports=self.ports, request=request)
            case videos.CompleteProcessing():
                handlers.complete_processing(cmd, ports=self.ports, request=request)
            case videos.FailProcessing():
                handlers.fail_processing(cmd, ports=self.ports, request=request)


def _reason(text: str) -> str:
    text = " ".join(text.split()) or "transcoding failed"
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 1] + "…"
