"""The screening job: one upload in, a verdict back on the video's stream as a command.

It runs from the upload, beside the transcode rather than after it (``projections/
screening_requests.py`` asks for it on ``VideoUploadCompleted``): it reads the uploaded source,
which is there whether or not the transcode has finished, so the verdict is usually in before the
ladder is, and publishing waits for neither longer than for the slower. It has a queue and workers
of its own (``screening``): a few seconds of frames and hashes never wait behind a long transcode.

Like the transcode, a job runs at least once. It first reads the video's stream and does nothing
unless this upload still awaits a verdict under the policy in force (a replay under a changed one
runs it again); the domain records a repeated verdict as nothing. A failure that retries do not
cure (the retries spent, or a video whose frames cannot be read) is recorded as a failed screening,
which holds the video for a moderator: nothing is published unscreened.
"""

from __future__ import annotations

import dataclasses
import logging
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dramatiq
from dramatiq import Worker

from commands import screening as handlers
from commands import videos as video_handlers
from commands.context import Ports, Request
from domain import videos
from domain.errors import Conflict, NotFound
from domain.screening import SCREENER, Findings
from media import keys
from media.probe import NotPlayable
from media.screening.scan import Scanner
from media.storage import MediaNotFound, MediaStorage
from workers.jobs import RetryPolicy
from workers.pool import another_worker

log = logging.getLogger("strom.workers.screening")

QUEUE = "screening"
SCREEN = "screen_video"
GAVE_UP = "screening_gave_up"

#: Asks for a screening: video id, upload id.
Enqueue = Callable[[str, str], None]


class Screening:
    """Screens uploads with ``scanner`` and records verdicts under the policy ``ports`` holds now."""

    def __init__(self, ports: Ports, storage: MediaStorage, scanner: Scanner, *, scratch: Path | None = None):
        self.ports, self.storage, self.scanner, self.scratch = ports, storage, scanner, scratch

    def policy_version(self) -> str:
        return self.ports.screening.current().policy.version(self.scanner.basis())

    def run(self, video_id: str, upload_id: str) -> None:
        """Raises on a transient failure, for the broker to retry with backoff."""
        version = self.policy_version()
        if not self._awaits(video_id, upload_id, version):
            return
        try:
            findings = self._scan(video_id, upload_id)
        except MediaNotFound:
            log.info("video %s upload %s: its source is gone; nothing to screen", video_id, upload_id)
            return
        except NotPlayable as refused:
            findings = Findings(failed=refused.reason)
        self._record(video_id, upload_id, findings, version)

    def fail(self, video_id: str, upload_id: str, reason: str) -> None:
        """Records a screening that could not be done, unless the upload has a verdict already."""
        if self._awaits(video_id, upload_id, None):
            self._record(video_id, upload_id, Findings(failed=reason), self.policy_version())

    def _awaits(self, video_id: str, upload_id: str, version: str | None) -> bool:
        state = video_handlers.current(self.ports, video_id)
        waiting = videos.awaits_screening(state, upload_id, version)
        if not waiting:
            log.info("video %s upload %s needs no screening now", video_id, upload_id)
        return waiting

    def _scan(self, video_id: str, upload_id: str) -> Findings:
        with tempfile.TemporaryDirectory(prefix="strom-screening-", dir=self.scratch) as folder:
            source = Path(folder) / "source"
            self.storage.get_file(keys.source(video_id, upload_id), source)
            return self.scanner.scan(source)

    def _record(self, video_id: str, upload_id: str, findings: Findings, version: str) -> None:
        policy = self.ports.screening.current().policy
        cmd = videos.RecordScreening(SCREENER, video_id, upload_id, policy, version, findings)
        try:
            handlers.record_screening(cmd, ports=self.ports, request=Request(SCREENER))
        except (Conflict, NotFound) as error:
            log.info("video %s upload %s: %s; the verdict is not recorded", video_id, upload_id, error)


# -- the broker ------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class ScreeningWorkers:
    worker: Worker

    def stop(self) -> None:
        self.worker.stop()


def screening_retries(max_retries: int) -> RetryPolicy:
    """Backoff as for transcodes; a screening of a few frames needs minutes at the very most."""
    return RetryPolicy(max_retries=max_retries, time_limit_ms=10 * 60_000)


def declare_screening(broker: dramatiq.Broker, screening: Screening, policy: RetryPolicy) -> None:
    def screen_video(video_id: str, upload_id: str) -> None:
        screening.run(video_id, upload_id)

    def screening_gave_up(message: dict[str, Any], retry_info: dict[str, Any]) -> None:
        video_id, upload_id = message["args"]
        attempts = int(retry_info.get("retries", 0)) + 1
        screening.fail(video_id, upload_id, f"screening failed {attempts} times")

    dramatiq.actor(
        actor_name=SCREEN,
        queue_name=QUEUE,
        broker=broker,
        max_retries=policy.max_retries,
        min_backoff=policy.min_backoff_ms,
        max_backoff=policy.max_backoff_ms,
        time_limit=policy.time_limit_ms,
        on_retry_exhausted=GAVE_UP,
    )(screen_video)
    dramatiq.actor(actor_name=GAVE_UP, queue_name=QUEUE, broker=broker, max_retries=policy.max_retries)(
        screening_gave_up
    )


def screening_sender(broker: dramatiq.Broker) -> Enqueue:
    """What the process manager calls to ask for a screening."""
    broker.declare_queue(QUEUE)

    def enqueue(video_id: str, upload_id: str) -> None:
        message: dramatiq.Message[None] = dramatiq.Message(
            queue_name=QUEUE, actor_name=SCREEN, args=(video_id, upload_id), kwargs={}, options={}
        )
        broker.enqueue(message)

    return enqueue


def start_screening_workers(broker: dramatiq.Broker, threads: int) -> ScreeningWorkers:
    """Serves the screening queue with ``threads`` threads; the actors must be declared already."""
    broker.declare_queue(QUEUE)
    with another_worker(broker):
        worker = Worker(broker, queues={QUEUE}, worker_threads=threads)
    worker.queue_prefetch = threads
    worker.start()
    return ScreeningWorkers(worker)
