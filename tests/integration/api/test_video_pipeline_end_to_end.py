"""The whole pipeline through its real parts: a tus upload over HTTP, the process managers, a
dramatiq worker running ffmpeg and screening, publishing, and playback through signed delivery URLs."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin

import pytest
from dramatiq import Worker
from dramatiq.brokers.stub import StubBroker

from api.state import Media
from media.screening.blocklist import BlocklistFile
from media.screening.frames import FrameSampler
from media.screening.nsfw import NudeNetClassifier
from media.screening.scan import Scanner
from media.storage import FileStorage
from projections.models import profiles, video_counters, video_details
from projections.screening_requests import ScreeningRequests
from projections.transcode_requests import TranscodeRequests
from tests.clips import clip
from tests.integration.api.harness import System, User
from tests.integration.pipeline_world import join_queues
from workers.jobs import RetryPolicy, declare_transcoding, transcode_sender
from workers.screening import QUEUE as SCREENING
from workers.screening import Screening, declare_screening, screening_sender
from workers.transcoding import Transcoder

TUS = {"Tus-Resumable": "1.0.0"}


@pytest.fixture
def system(tmp_path: Path) -> Iterator[System]:
    storage = FileStorage(tmp_path / "media")
    media = Media(storage=storage, uploads_dir=tmp_path / "uploads", signing_key=b"e2e-" * 8)
    s = System.with_read_side(tmp_path, media=media)
    yield s
    s.close()


def upload(system: System, owner: User, video_id: str, source: Path) -> None:
    data = source.read_bytes()
    metadata = f"video_id {base64.b64encode(video_id.encode()).decode()}"
    headers = {**owner.auth, **TUS, "Upload-Length": str(len(data)), "Upload-Metadata": metadata}
    created = system.client.post("/v1/uploads", headers=headers)
    assert created.status_code == 201, created.text
    half = len(data) // 2
    for offset, part in ((0, data[:half]), (half, data[half:])):
        sent = system.client.patch(
            created.headers["Location"],
            headers={
                **owner.auth,
                **TUS,
                "Upload-Offset": str(offset),
                "Content-Type": "application/offset+octet-stream",
            },
            content=part,
        )
        assert sent.status_code == 204, sent.text


def transcode_everything(system: System, folder: Path) -> None:
    """What ``strom run`` does in the background: the process managers ask, a worker transcodes
    and screens (with the real frame sampler and classifier, and an empty blocklist)."""
    media = system.state.media
    assert media is not None
    broker = StubBroker()
    ports, head = system.ports, system.store.head_position()
    TranscodeRequests(
        events=ports.store, codec=ports.codec, store=system.read_store, enqueue=transcode_sender(broker)
    ).run(until=head)
    ScreeningRequests(
        events=ports.store, codec=ports.codec, store=system.read_store, enqueue=screening_sender(broker)
    ).run(until=head)
    declare_transcoding(broker, Transcoder(ports, media.storage), RetryPolicy(max_retries=0))
    scanner = Scanner(FrameSampler(), BlocklistFile(folder / "blocklist.txt"), NudeNetClassifier())
    declare_screening(broker, Screening(ports, media.storage, scanner), RetryPolicy(max_retries=0))
    worker = Worker(broker, worker_threads=1)
    worker.start()
    try:
        join_queues(broker, fail_fast=True)
        broker.join(SCREENING, fail_fast=True)
    finally:
        worker.stop()


def test_an_uploaded_clip_plays_for_a_follower_through_signed_urls(system: System, tmp_path: Path) -> None:
    owner, follower, stranger = system.register(), system.register(), system.register()
    assert system.client.put(f"/v1/users/{owner.user_id}/follow", headers=follower.auth).is_success
    video_id = system.client.post("/v1/videos", headers=owner.auth).json()["video_id"]
    upload(system, owner, video_id, clip(tmp_path / "phone.mp4", size="360x640", seconds=3))

    transcode_everything(system, tmp_path)
    published = system.client.post(
        f"/v1/videos/{video_id}/publish", headers=owner.auth, json={"visibility": "followers"}
    )
    assert published.status_code == 200, published.text
    system.project(video_details.PROJECTOR, video_counters.PROJECTOR, profiles.PROJECTOR)

    details = system.client.get(f"/v1/videos/{video_id}", headers=follower.auth).json()
    assert details["media"]["renditions"] == ["240p", "360p"]
    master_url = details["playback"]["master_playlist"]
    assert master_url.startswith("/v1/media/s/")
    master = system.client.get(master_url, headers=follower.auth)
    assert master.status_code == 200
    assert master.headers["content-type"] == "application/vnd.apple.mpegurl"
    variant_url = urljoin(master_url, master.text.splitlines()[-1])
    variant = system.client.get(variant_url, headers=follower.auth)
    first_segment = next(line for line in variant.text.splitlines() if line.endswith(".m4s"))
    segment = system.client.get(
        urljoin(variant_url, first_segment), headers={**follower.auth, "Range": "bytes=0-99"}
    )
    assert segment.status_code == 206
    assert len(segment.content) == 100
    assert "immutable" in segment.headers["cache-control"]
    assert system.client.get(master_url, headers=stranger.auth).status_code == 403
    public_path = master_url.split("/", 5)[-1]
    assert system.client.get(f"/v1/media/{public_path}").status_code == 404
