"""The jobs a broker carries, declared by name: a process that only sends (the process manager)
needs no handler, and a worker declares the handlers.

A transcode that keeps failing for transient reasons is retried with exponential backoff; once the
retries are spent, ``transcode_gave_up`` records the failure, so no video waits forever.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import dramatiq

from workers.transcoding import Transcoder

QUEUE = "transcode"
TRANSCODE = "transcode_video"
GAVE_UP = "transcode_gave_up"

Enqueue = Callable[[str, str], None]


@dataclasses.dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_retries: int = 4
    min_backoff_ms: int = 5_000
    max_backoff_ms: int = 10 * 60_000
    #: Past this, dramatiq interrupts the job; the transcode's own timeout comes first.
    time_limit_ms: int = 35 * 60_000


def declare_transcoding(broker: dramatiq.Broker, transcoder: Transcoder, policy: RetryPolicy) -> None:
    def transcode_video(video_id: str, upload_id: str) -> None:
        transcoder.run(video_id, upload_id)

    def transcode_gave_up(message: dict[str, Any], retry_info: dict[str, Any]) -> None:
        video_id, upload_id = message["args"]
        attempts = int(retry_info.get("retries", 0)) + 1
        last = _last_line(message.get("options", {}).get("traceback", ""))
        transcoder.fail(video_id, upload_id, f"transcoding failed {attempts} times; last: {last}")

    dramatiq.actor(
        actor_name=TRANSCODE,
        queue_name=QUEUE,
        broker=broker,
        max_retries=policy.max_retries,
        min_backoff=policy.min_backoff_ms,
        max_backoff=policy.max_backoff_ms,
        time_limit=policy.time_limit_ms,
        on_retry_exhausted=GAVE_UP,
    )(transcode_video)
    dramatiq.actor(actor_name=GAVE_UP, queue_name=QUEUE, broker=broker, max_retries=policy.max_retries)(
        transcode_gave_up
    )


def transcode_sender(broker: dramatiq.Broker) -> Enqueue:
    """What a process manager calls to ask for a transcode."""
    broker.declare_queue(QUEUE)

    def enqueue(video_id: str, upload_id: str) -> None:
        message: dramatiq.Message[None] = dramatiq.Message(
            queue_name=QUEUE, actor_name=TRANSCODE, args=(video_id, upload_id), kwargs={}, options={}
        )
        broker.enqueue(message)

    return enqueue


def _last_line(traceback: str) -> str:
    lines = [line.strip() for line in traceback.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no error recorded"
