"""The jobs a broker carries, declared by name: a process that only sends (the process manager)
needs no handler, and a worker declares the handlers.

A transcode goes to one of two queues by the video's duration (``workers/pool.py`` says why and
how workers serve them): ``transcode-short`` for clips up to ``short_s`` seconds, ``transcode`` for
longer ones. The long queue keeps the name every transcode had before the split, so jobs already
waiting on a shared broker are still served. Each queue has its own actor, so its messages carry
the actor's priority: a worker serving both runs a fetched short clip before a fetched long one.

A transcode that keeps failing for transient reasons is retried with exponential backoff; once the
retries are spent, ``transcode_gave_up`` records the failure, so no video waits forever.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import dramatiq

from workers.transcoding import Transcoder

SHORT_QUEUE = "transcode-short"
LONG_QUEUE = "transcode"
#: The order a worker serving several queues prefers: short clips first.
QUEUES = (SHORT_QUEUE, LONG_QUEUE)
TRANSCODE_SHORT = "transcode_short_video"
TRANSCODE = "transcode_video"
GAVE_UP = "transcode_gave_up"
#: dramatiq runs the fetched message whose actor has the lowest number first.
PRIORITY = {SHORT_QUEUE: 0, LONG_QUEUE: 10}
ACTOR = {SHORT_QUEUE: TRANSCODE_SHORT, LONG_QUEUE: TRANSCODE}
#: Videos up to this long are short clips unless configured otherwise (``STROM_TRANSCODE_SHORT_S``).
SHORT_S = 60.0

#: Asks for a transcode: video id, upload id, the video's duration in milliseconds.
Enqueue = Callable[[str, str, int], None]


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

    for queue in QUEUES:
        dramatiq.actor(
            actor_name=ACTOR[queue],
            queue_name=queue,
            priority=PRIORITY[queue],
            broker=broker,
            max_retries=policy.max_retries,
            min_backoff=policy.min_backoff_ms,
            max_backoff=policy.max_backoff_ms,
            time_limit=policy.time_limit_ms,
            on_retry_exhausted=GAVE_UP,
        )(transcode_video)
    # Recording a failure takes a moment: it goes with the short clips, never behind a long job.
    dramatiq.actor(
        actor_name=GAVE_UP,
        queue_name=SHORT_QUEUE,
        priority=PRIORITY[SHORT_QUEUE],
        broker=broker,
        max_retries=policy.max_retries,
    )(transcode_gave_up)


def queue_for(duration_ms: int, short_s: float = SHORT_S) -> str:
    return SHORT_QUEUE if duration_ms <= short_s * 1000 else LONG_QUEUE


def transcode_sender(broker: dramatiq.Broker, short_s: float = SHORT_S) -> Enqueue:
    """What a process manager calls to ask for a transcode."""
    for queue in QUEUES:
        broker.declare_queue(queue)

    def enqueue(video_id: str, upload_id: str, duration_ms: int) -> None:
        queue = queue_for(duration_ms, short_s)
        message: dramatiq.Message[None] = dramatiq.Message(
            queue_name=queue, actor_name=ACTOR[queue], args=(video_id, upload_id), kwargs={}, options={}
        )
        broker.enqueue(message)

    return enqueue


def _last_line(traceback: str) -> str:
    lines = [line.strip() for line in traceback.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no error recorded"
