"""The transcode job and its process manager, on the in-process broker with real ffmpeg: an upload
becomes a processed video once; a replay of the log asks for nothing already done; transient
failures are retried with backoff, permanent ones recorded with their reason and the source removed;
each owner's unsettled jobs are counted; short clips and long videos go to their own queues."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import dramatiq
import pytest
from dramatiq import Worker
from dramatiq.brokers.stub import StubBroker

from domain import videos
from media import keys
from media.storage import FileStorage
from migrations.runner import apply_pending
from projections.transcode_requests import TranscodeRequests
from read_models import transcode_jobs
from read_models.sqlite import SQLiteReadStore
from tests.clips import clip
from tests.integration.pipeline_world import PipelineWorld, join_queues
from workers.jobs import LONG_QUEUE, SHORT_QUEUE, RetryPolicy, declare_transcoding, transcode_sender
from workers.transcoding import Transcoder

FAST_RETRIES = RetryPolicy(max_retries=2, min_backoff_ms=50, max_backoff_ms=200)


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return clip(tmp_path_factory.mktemp("clips") / "source.mp4", size="320x240", seconds=3)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[PipelineWorld]:
    w = PipelineWorld(tmp_path)
    yield w
    w.close()


@pytest.fixture
def read_store(tmp_path: Path) -> Iterator[SQLiteReadStore]:
    store = SQLiteReadStore(tmp_path / "read.db")
    apply_pending(store)
    yield store
    store.close()


def process_manager(
    world: PipelineWorld, store: SQLiteReadStore, enqueue: Callable[[str, str, int], None]
) -> TranscodeRequests:
    return TranscodeRequests(events=world.store, codec=world.ports.codec, store=store, enqueue=enqueue)


def run_jobs(broker: StubBroker, transcoder: Transcoder, policy: RetryPolicy = FAST_RETRIES) -> None:
    """Runs every queued job (and its retries) to the end on a real dramatiq worker."""
    declare_transcoding(broker, transcoder, policy)
    worker = Worker(broker, worker_threads=1)
    worker.start()
    try:
        join_queues(broker)
        worker.join()
    finally:
        worker.stop()


def test_an_upload_is_transcoded_published_and_recorded_once(
    world: PipelineWorld, read_store: SQLiteReadStore, source: Path
) -> None:
    video_id = world.uploaded(source)
    broker = StubBroker()
    process_manager(world, read_store, transcode_sender(broker)).run(until=world.store.head_position())

    run_jobs(broker, Transcoder(world.ports, world.storage))

    types = world.event_types(video_id)
    assert types.count("VideoProcessingSucceeded") == 1
    assert types.index("VideoProcessingStarted") < types.index("VideoProcessingSucceeded")
    assert "VideoProcessingProgressed" in types
    done = world.store.read_stream(f"video-{video_id}")[-1].data
    prefix = keys.outputs(video_id, "up-1")
    assert done["master_playlist"] == f"{prefix}/master.m3u8"
    assert done["renditions"] == ["240p"]
    for key in (done["master_playlist"], done["poster"], done["thumbnails"]):
        assert world.storage.exists(key), key
    assert world.state(video_id).stage is videos.Stage.PROCESSED


def test_replaying_the_log_never_asks_again_for_a_finished_job(
    world: PipelineWorld, read_store: SQLiteReadStore, source: Path
) -> None:
    finished = world.uploaded(source)
    broker = StubBroker()
    process_manager(world, read_store, transcode_sender(broker)).run(until=world.store.head_position())
    run_jobs(broker, Transcoder(world.ports, world.storage))
    waiting = world.uploaded(source)

    asked: list[tuple[str, str]] = []
    replay = TranscodeRequests(
        events=world.store,
        codec=world.ports.codec,
        store=read_store,
        enqueue=lambda v, u, _: asked.append((v, u)),
        from_start=True,
    )
    replay.run(until=world.store.head_position())

    assert asked == [(waiting, "up-1")]
    assert world.event_types(finished).count("VideoProcessingSucceeded") == 1


def test_the_process_manager_resumes_from_its_checkpoint(
    world: PipelineWorld, read_store: SQLiteReadStore, source: Path
) -> None:
    first = world.uploaded(source)
    asked: list[str] = []
    process_manager(world, read_store, lambda v, *_: asked.append(v)).run(until=world.store.head_position())
    second = world.uploaded(source)
    process_manager(world, read_store, lambda v, *_: asked.append(v)).run(until=world.store.head_position())
    assert asked == [first, second]


def test_a_job_for_a_replaced_upload_does_nothing(world: PipelineWorld, source: Path) -> None:
    video_id = world.uploaded(source, upload_id="up-1")
    transcoder = Transcoder(world.ports, world.storage)
    transcoder.fail(video_id, "up-1", "the first file was bad")
    world.upload_again(video_id, source, "up-2")

    transcoder.run(video_id, "up-1")

    assert world.state(video_id).stage is videos.Stage.UPLOADED
    assert world.storage.keys(keys.outputs(video_id, "up-1")) == []


class FlakyStorage(FileStorage):
    """Fails the first ``failures`` downloads, as a storage service that is briefly away would."""

    def __init__(self, root: Path, failures: int) -> None:
        super().__init__(root)
        self.failures = failures
        self.lock = threading.Lock()

    def get_file(self, key: str, target: Path) -> None:
        with self.lock:
            if self.failures > 0:
                self.failures -= 1
                raise OSError("storage is briefly unavailable")
        super().get_file(key, target)


def test_a_transient_failure_is_retried_with_backoff_until_it_succeeds(
    world: PipelineWorld, source: Path
) -> None:
    video_id = world.uploaded(source)
    storage = FlakyStorage(world.storage.root, failures=2)
    broker = StubBroker()
    transcode_sender(broker)(video_id, "up-1", 3_000)
    started = time.monotonic()

    run_jobs(broker, Transcoder(world.ports, storage))

    assert storage.failures == 0
    assert time.monotonic() - started >= 0.05  # the retries waited their backoff
    assert world.event_types(video_id).count("VideoProcessingSucceeded") == 1
    assert world.event_types(video_id).count("VideoProcessingStarted") == 1
    assert world.storage.exists(keys.source(video_id, "up-1"))  # kept, for a better ladder later


def test_retries_spent_record_the_failure_with_the_last_error(world: PipelineWorld, source: Path) -> None:
    video_id = world.uploaded(source)
    storage = FlakyStorage(world.storage.root, failures=100)
    broker = StubBroker()
    transcode_sender(broker)(video_id, "up-1", 3_000)

    run_jobs(broker, Transcoder(world.ports, storage))

    failed = world.store.read_stream(f"video-{video_id}")[-1]
    assert failed.type == "VideoProcessingFailed"
    assert "failed 3 times" in failed.data["reason"]
    assert "storage is briefly unavailable" in failed.data["reason"]
    assert not world.storage.exists(keys.source(video_id, "up-1"))


def test_a_source_that_cannot_be_played_fails_for_good_and_is_removed(
    world: PipelineWorld, source: Path
) -> None:
    # Given an upload whose stored source turned out not to be a video
    video_id = world.uploaded(source)
    world.storage.put_bytes(keys.source(video_id, "up-1"), b"not a video at all" * 100)
    broker = StubBroker()
    transcode_sender(broker)(video_id, "up-1", 3_000)
    # When its job runs
    run_jobs(broker, Transcoder(world.ports, world.storage))
    # Then the failure is recorded, and after it the source is gone
    assert world.event_types(video_id)[-1] == "VideoProcessingFailed"
    assert world.state(video_id).stage is videos.Stage.FAILED
    assert world.storage.keys("sources") == []


def test_a_source_that_is_gone_fails_at_once_with_its_reason(world: PipelineWorld, source: Path) -> None:
    video_id = world.uploaded(source)
    world.storage.delete_prefix("sources")
    broker = StubBroker()
    transcode_sender(broker)(video_id, "up-1", 3_000)

    run_jobs(broker, Transcoder(world.ports, world.storage))

    failed = world.store.read_stream(f"video-{video_id}")[-1]
    assert failed.type == "VideoProcessingFailed"
    assert "no media object" in failed.data["reason"]
    assert world.event_types(video_id).count("VideoProcessingStarted") == 1


def test_the_in_process_broker_is_the_one_a_memory_url_opens() -> None:
    from workers.broker import is_durable, open_broker

    broker = open_broker("memory://")
    assert isinstance(broker, dramatiq.Broker)
    assert not is_durable(broker)


def test_the_process_manager_counts_each_owners_jobs_until_they_settle_through_replays(
    world: PipelineWorld, read_store: SQLiteReadStore, source: Path
) -> None:
    def pending() -> int:
        return transcode_jobs.pending(read_store, world.owner.user_id, at_most=10)

    def replay(from_start: bool = False) -> None:
        TranscodeRequests(
            events=world.store,
            codec=world.ports.codec,
            store=read_store,
            enqueue=lambda *_: None,
            from_start=from_start,
        ).run(until=world.store.head_position())

    # Given two uploads of one owner, asked for
    first = world.uploaded(source)
    world.uploaded(source)
    replay()
    assert pending() == 2
    # When one fails, then the log is replayed from the start
    Transcoder(world.ports, world.storage).fail(first, "up-1", "the encoder gave up")
    replay()
    assert pending() == 1
    replay(from_start=True)
    # Then the settled job stays settled, and the video's next upload counts again
    assert pending() == 1
    world.upload_again(first, source, "up-2")
    replay(from_start=True)
    assert pending() == 2


def test_short_clips_and_long_videos_are_queued_apart() -> None:
    broker = StubBroker()
    enqueue = transcode_sender(broker, short_s=60)
    enqueue("short", "up-1", 60_000)
    enqueue("long", "up-1", 60_001)
    assert [m.args[0] for m in _queued(broker, SHORT_QUEUE)] == ["short"]
    assert [m.args[0] for m in _queued(broker, LONG_QUEUE)] == ["long"]


def _queued(broker: StubBroker, queue: str) -> list[dramatiq.Message[None]]:
    return [dramatiq.Message.decode(data) for data in list(broker.queues[queue].queue)]
