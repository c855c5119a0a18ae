"""A write side and media store on temporary files, with videos uploaded the way the upload route
leaves them: a draft, its source object in storage, and ``VideoUploadCompleted``."""

from __future__ import annotations

from pathlib import Path

from dramatiq.brokers.stub import StubBroker

from commands import videos as handlers
from commands.context import Ports, Request
from domain import videos
from domain.actors import Actor
from eventstore.codec import EventCodec
from eventstore.ids import uuid7
from eventstore.keystore import SQLiteKeyStore
from eventstore.sealing import Sealer
from eventstore.sqlite import SQLiteEventStore
from media import keys
from media.probe import probe
from media.storage import FileStorage
from workers.jobs import LONG_QUEUE, SHORT_QUEUE


class PipelineWorld:
    def __init__(self, tmp: Path) -> None:
        self.keys = SQLiteKeyStore(tmp / "keys.db")
        self.store = SQLiteEventStore(tmp / "events.db")
        self.ports = Ports(store=self.store, codec=EventCodec(Sealer(self.keys)), keys=self.keys)
        self.storage = FileStorage(tmp / "media")
        self.owner = Actor(str(uuid7()))

    def uploaded(self, source: Path, upload_id: str = "up-1") -> str:
        """A draft with ``source`` uploaded as ``upload_id``; its video id."""
        video_id = str(uuid7())
        request = Request(self.owner)
        handlers.create_draft(videos.CreateDraft(self.owner, video_id), ports=self.ports, request=request)
        self.upload_again(video_id, source, upload_id)
        return video_id

    def upload_again(self, video_id: str, source: Path, upload_id: str) -> None:
        found = probe(source, max_duration_s=600)
        self.storage.put_file(keys.source(video_id, upload_id), source)
        cmd = videos.CompleteUpload(
            self.owner,
            video_id,
            upload_id,
            source.stat().st_size,
            int(found.duration_s * 1000),
            found.width,
            found.height,
        )
        handlers.complete_upload(cmd, ports=self.ports, request=Request(self.owner))

    def event_types(self, video_id: str) -> list[str]:
        return [record.type for record in self.store.read_stream(f"video-{video_id}")]

    def state(self, video_id: str) -> videos.State:
        return handlers.current(self.ports, video_id)

    def close(self) -> None:
        self.store.close()
        self.keys.close()


def join_queues(broker: StubBroker, *, timeout_ms: int = 120_000, fail_fast: bool = False) -> None:
    """Until every transcode queued, retried or given up on is done: the long queue first, since a
    long job that gives up leaves its last word on the short one."""
    for queue in (LONG_QUEUE, SHORT_QUEUE):
        broker.join(queue, fail_fast=fail_fast, timeout=timeout_ms)
