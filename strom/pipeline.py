"""Wiring for the media pipeline: the broker, the transcode process manager, and workers."""

from __future__ import annotations

import dramatiq
from dramatiq import Worker

from commands.context import Ports
from eventstore.codec import EventCodec
from eventstore.port import EventStore
from media.storage import MediaStorage
from projections.transcode_requests import TranscodeRequests
from read_models.port import ReadStore
from strom.settings import Settings
from workers.broker import is_durable, open_broker
from workers.jobs import QUEUE, RetryPolicy, declare_transcoding, transcode_sender
from workers.transcoding import Transcoder

QUEUES = (QUEUE,)


def broker_for(settings: Settings) -> dramatiq.Broker:
    return open_broker(settings.broker_url)


def retry_policy(settings: Settings) -> RetryPolicy:
    limit_ms = int((settings.transcode_timeout_s + 300) * 1000)
    return RetryPolicy(max_retries=settings.job_max_retries, time_limit_ms=limit_ms)


def start_worker(
    settings: Settings, broker: dramatiq.Broker, ports: Ports, storage: MediaStorage, *, threads: int
) -> Worker:
    transcoder = Transcoder(
        ports, storage, av1=settings.transcode_av1, timeout_s=settings.transcode_timeout_s
    )
    declare_transcoding(broker, transcoder, retry_policy(settings))
    worker = Worker(broker, queues=set(QUEUES), worker_threads=threads)
    worker.start()
    return worker


def transcode_requests(
    broker: dramatiq.Broker, *, events: EventStore, codec: EventCodec, store: ReadStore
) -> TranscodeRequests:
    """With a queue that dies with the process, the process manager re-reads the log from the start,
    so an upload whose job was lost is asked for again (finished ones are skipped)."""
    return TranscodeRequests(
        events=events,
        codec=codec,
        store=store,
        enqueue=transcode_sender(broker),
        from_start=not is_durable(broker),
    )
