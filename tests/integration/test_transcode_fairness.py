"""Fair transcoding with real ffmpeg, on the pool ``strom run`` starts: a short clip queued right
behind long videos is ready long before them, because short clips have a lane of their own."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from dramatiq.brokers.stub import StubBroker

from domain import videos
from migrations.runner import apply_pending
from read_models.sqlite import SQLiteReadStore
from strom import pipeline
from strom.settings import Settings
from tests.clips import clip
from tests.integration.pipeline_world import PipelineWorld

#: Long enough to take seconds to transcode on two cores, short enough to make quickly.
LONG_S, SHORT_S, SHORT_LIMIT_S = 30, 2, 10


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


def processed(world: PipelineWorld, video_id: str) -> bool:
    return world.state(video_id).stage is videos.Stage.PROCESSED


def wait_until_processed(world: PipelineWorld, video_id: str, timeout_s: float = 120) -> float:
    deadline = time.monotonic() + timeout_s
    while not processed(world, video_id):
        assert world.state(video_id).stage is not videos.Stage.FAILED, world.event_types(video_id)
        assert time.monotonic() < deadline, f"video {video_id} was not processed in {timeout_s} s"
        time.sleep(0.05)
    return time.monotonic()


def test_a_short_clip_queued_behind_long_videos_is_ready_long_before_them(
    world: PipelineWorld, read_store: SQLiteReadStore, tmp_path: Path
) -> None:
    # Given two long videos, then a short clip, asked for in that order
    long_source = clip(tmp_path / "long.mp4", size="640x360", seconds=LONG_S, extra=("-preset", "ultrafast"))
    short_source = clip(tmp_path / "short.mp4", size="160x90", seconds=SHORT_S)
    long_ones = [world.uploaded(long_source), world.uploaded(long_source)]
    short_one = world.uploaded(short_source)
    settings = Settings(transcode_workers=2, transcode_short_s=SHORT_LIMIT_S, job_max_retries=0)
    broker = StubBroker()
    requests = pipeline.transcode_requests(
        broker, events=world.store, codec=world.ports.codec, store=read_store, short_s=SHORT_LIMIT_S
    )
    requests.run(until=world.store.head_position())
    # When a pool of two threads, one per core here, works through them
    started = time.monotonic()
    pool = pipeline.start_workers(settings, broker, world.ports, world.storage)
    try:
        short_ready = wait_until_processed(world, short_one)
        # Then the short clip is ready while neither long video is
        assert not any(processed(world, video_id) for video_id in long_ones)
        long_ready = wait_until_processed(world, long_ones[0])
    finally:
        pool.stop()
    assert short_ready - started < (long_ready - started) / 2
