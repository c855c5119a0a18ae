"""The demo ``make run`` seeds, on the pipeline ``strom run`` starts (upload service, transcode and
screening process managers and workers) with real ffmpeg and tiny clips: its videos are uploaded the
way a tus upload is finished, transcoded, screened and published; seeding again adds nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from dramatiq.brokers.stub import StubBroker

from commands import videos as video_handlers
from commands.context import Ports, Request
from domain import videos
from eventstore.codec import EventCodec
from eventstore.keystore import SQLiteKeyStore
from eventstore.sealing import Sealer
from eventstore.sqlite import SQLiteEventStore
from media.storage import FileStorage
from migrations.runner import apply_pending
from read_models.sqlite import SQLiteReadStore
from services.uploads import UploadLimits, Uploads
from strom import demo, pipeline
from strom.screening import screening_requests, start_screening
from strom.settings import Settings

TINY = tuple(
    demo.Clip(c.owner, c.caption, f"testsrc2=size={size}:rate=15", c.tone)
    for c, size in zip(demo.CLIPS, ("90x160", "90x160", "90x160", "160x90", "90x160"), strict=True)
)


@pytest.fixture
def ports(tmp_path: Path) -> Iterator[Ports]:
    keys = SQLiteKeyStore(tmp_path / "keys.db")
    store = SQLiteEventStore(tmp_path / "events.db")
    yield Ports(store=store, codec=EventCodec(Sealer(keys)), keys=keys)
    store.close()
    keys.close()


@pytest.fixture
def read_store(tmp_path: Path) -> Iterator[SQLiteReadStore]:
    store = SQLiteReadStore(tmp_path / "read.db")
    apply_pending(store)
    yield store
    store.close()


def test_the_demo_seeds_published_videos_through_the_upload_service_and_is_safe_to_repeat(
    ports: Ports, read_store: SQLiteReadStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the pipeline strom run starts, and the demo's clips made tiny
    monkeypatch.setattr(demo, "CLIPS", TINY)
    storage = FileStorage(tmp_path / "media")
    uploads = Uploads(
        ports=ports, storage=storage, folder=tmp_path / "uploads", limits=UploadLimits(), jobs=read_store
    )
    broker = StubBroker()
    settings = Settings(transcode_workers=2, screening_blocklist=tmp_path / "blocklist.txt")
    pool = pipeline.start_workers(settings, broker, ports, storage)
    screeners = start_screening(settings, broker, ports, storage)
    requests = pipeline.transcode_requests(broker, events=ports.store, codec=ports.codec, store=read_store)
    requests.start()
    screenings = screening_requests(broker, events=ports.store, codec=ports.codec, store=read_store)
    screenings.start()
    try:
        # When the demo is seeded, then seeded again
        seeded = demo.Demo(ports, uploads, tmp_path / "demo")
        seeded.run()
        head = ports.store.head_position()
        demo.Demo(ports, uploads, tmp_path / "demo").run()
    finally:
        screenings.stop()
        requests.stop()
        screeners.stop()
        pool.stop()
    # Then every clip is a published video whose source the upload service stored
    for n, clip in enumerate(TINY):
        owner = seeded.users[clip.owner]
        video_id = Request(owner, idempotency_key=f"demo-video-{n}").new_id("video")
        state = video_handlers.current(ports, video_id)
        assert state.stage is videos.Stage.PROCESSED
        assert state.published
        assert state.upload_id is not None
        assert storage.exists(f"sources/{video_id}/{state.upload_id}")
    assert list((tmp_path / "uploads").iterdir()) == []
    # And seeding again added nothing
    assert ports.store.head_position() == head
