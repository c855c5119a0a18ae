"""A worker killed mid-transcode, on the shared Redis broker: the broker hands the job to the next
worker, which finishes the video once; nothing half-made was ever reachable."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from media import keys
from migrations.runner import apply_pending
from projections.transcode_requests import TranscodeRequests
from read_models.sqlite import SQLiteReadStore
from tests.clips import clip
from tests.integration.pipeline_world import PipelineWorld
from tests.integration.redis_server import redis_server
from workers.broker import open_broker
from workers.jobs import transcode_sender

#: A worker whose heartbeat is this old (ms) counts as dead, and its jobs go back on the queue.
HEARTBEAT_MS = 2000


@pytest.fixture
def broker_url(tmp_path: Path) -> Iterator[str]:
    with redis_server(tmp_path) as url:
        yield f"{url}?heartbeat_timeout={HEARTBEAT_MS}&maintenance_chance=1000000"


def start_worker(tmp: Path, broker_url: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "STROM_DATA_DIR": str(tmp),
        "STROM_EVENTSTORE_URL": f"sqlite:///{tmp}/events.db",
        "STROM_KEYSTORE_URL": f"sqlite:///{tmp}/keys.db",
        "STROM_MEDIA_URL": f"file://{tmp}/media",
        "STROM_BROKER_URL": broker_url,
    }
    command = [sys.executable, "-m", "strom", "worker"]
    return subprocess.Popen(command, env=env, start_new_session=True, stderr=subprocess.DEVNULL)


def wait_until(done: Callable[[], bool], what: str, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while not done():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_a_worker_killed_during_a_job_is_replaced_and_the_video_finishes_once(
    tmp_path: Path, broker_url: str
) -> None:
    world = PipelineWorld(tmp_path)
    video_id = world.uploaded(clip(tmp_path / "source.mp4", size="640x360", seconds=20))
    read_store = SQLiteReadStore(tmp_path / "read.db")
    apply_pending(read_store)
    broker = open_broker(broker_url)
    requests = TranscodeRequests(
        events=world.store, codec=world.ports.codec, store=read_store, enqueue=transcode_sender(broker)
    )
    requests.run(until=world.store.head_position())
    outputs = keys.outputs(video_id, "up-1")

    first = start_worker(tmp_path, broker_url)
    try:
        wait_until(lambda: "VideoProcessingProgressed" in world.event_types(video_id), "progress")
    finally:
        os.killpg(first.pid, signal.SIGKILL)  # the worker and its ffmpeg, mid-encode
        first.wait()
    assert not world.storage.exists(f"{outputs}/master.m3u8")
    assert "VideoProcessingSucceeded" not in world.event_types(video_id)

    second = start_worker(tmp_path, broker_url)
    try:
        wait_until(lambda: "VideoProcessingSucceeded" in world.event_types(video_id), "the video to finish")
        time.sleep(HEARTBEAT_MS / 1000 + 1)  # time enough for any duplicate delivery to show
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=30)

    types = world.event_types(video_id)
    assert types.count("VideoProcessingStarted") == 1
    assert types.count("VideoProcessingSucceeded") == 1
    master = world.storage.read(f"{outputs}/master.m3u8").decode()
    variants = [line for line in master.splitlines() if line and not line.startswith("#")]
    assert variants
    for variant in variants:
        assert world.storage.exists(f"{outputs}/{variant}")
    broker.close()
    read_store.close()
    world.close()
