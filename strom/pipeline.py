"""Wiring for the media pipeline: the broker, the process managers for transcoding, covers and media
cleanup, and workers."""

from __future__ import annotations

import dramatiq

from commands.context import Ports
from eventstore.codec import EventCodec
from eventstore.port import EventStore
from media import keys
from media.storage import MediaStorage
from projections.cover_requests import CoverRequests
from projections.media_cleanup import MediaCleanup
from projections.transcode_requests import TranscodeRequests
from read_models.port import ReadStore
from strom.settings import Settings
from workers.broker import is_durable, open_broker
from workers.covers import CoverMaker, cover_sender, declare_covers
from workers.jobs import SHORT_S, RetryPolicy, declare_transcoding, transcode_sender
from workers.pool import Pool, start_pool
from workers.transcoding import Transcoder


def broker_for(settings: Settings) -> dramatiq.Broker:
    return open_broker(settings.broker_url)


def retry_policy(settings: Settings) -> RetryPolicy:
    limit_ms = int((settings.transcode_timeout_s + 300) * 1000)
    return RetryPolicy(max_retries=settings.job_max_retries, time_limit_ms=limit_ms)


def start_workers(
    settings: Settings,
    broker: dramatiq.Broker,
    ports: Ports,
    storage: MediaStorage,
    *,
    threads: int | None = None,
) -> Pool:
    """The transcoding pool: ``threads`` jobs at once, ``STROM_TRANSCODE_WORKERS`` unless given. It
    makes covers too, on its short-clip queue."""
    transcoder = Transcoder(
        ports, storage, av1=settings.transcode_av1, timeout_s=settings.transcode_timeout_s
    )
    declare_transcoding(broker, transcoder, retry_policy(settings))
    declare_covers(broker, CoverMaker(ports, storage), retry_policy(settings))
    return start_pool(broker, threads or settings.transcode_workers)


def transcode_requests(
    broker: dramatiq.Broker,
    *,
    events: EventStore,
    codec: EventCodec,
    store: ReadStore,
    short_s: float = SHORT_S,
) -> TranscodeRequests:
    """With a queue that dies with the process, the process manager re-reads the log from the start,
    so an upload whose job was lost is asked for again (finished ones are skipped). Videos up to
    ``short_s`` seconds go to the short-clip queue."""
    return TranscodeRequests(
        events=events,
        codec=codec,
        store=store,
        enqueue=transcode_sender(broker, short_s),
        from_start=not is_durable(broker),
    )


def cover_requests(
    broker: dramatiq.Broker, *, events: EventStore, codec: EventCodec, store: ReadStore
) -> CoverRequests:
    """With a queue that dies with the process, it re-reads the log from the start (as above)."""
    enqueue = cover_sender(broker)
    return CoverRequests(
        events=events, codec=codec, store=store, enqueue=enqueue, from_start=not is_durable(broker)
    )


def media_cleanup(
    storage: MediaStorage, *, events: EventStore, codec: EventCodec, store: ReadStore
) -> MediaCleanup:
    """Removes a deleted video's media straight from storage: a few listings and deletes, no job."""

    def remove(video_id: str) -> int:
        return sum(storage.delete_prefix(prefix) for prefix in keys.of_video(video_id))

    def remove_avatars(user_id: str, avatar_id: str | None) -> int:
        return storage.delete_prefix(
            keys.avatars_of(user_id) if avatar_id is None else keys.avatar(user_id, avatar_id)
        )

    return MediaCleanup(
        events=events,
        codec=codec,
        store=store,
        remove=remove,
        remove_avatars=remove_avatars,
        remove_object=storage.delete_prefix,
    )
