"""Media stored while its video is deleted, or its owner erased, does not outlive the media cleanup,
even when the cleanup acted before the bytes landed: a transcode publishing its renditions, an upload
storing its source. On the file store and on S3 (moto's server over HTTP), with real ffmpeg."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from commands import videos as handlers
from commands.context import Request
from domain import videos
from domain.accounts.events import ErasureRequested
from domain.errors import Conflict
from eventstore.envelope import StreamState
from eventstore.ids import uuid7
from media import keys
from media.storage import MediaStorage
from migrations.runner import apply_pending
from read_models.sqlite import SQLiteReadStore
from services.uploads import UploadLimits, Uploads
from strom import pipeline
from tests.clips import clip
from tests.contract.test_media_storage import ADAPTERS, s3_endpoint
from tests.integration.pipeline_world import PipelineWorld
from workers.transcoding import Transcoder

__all__ = ["s3_endpoint"]  # the fixture, for the S3 adapter


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return clip(tmp_path_factory.mktemp("clips") / "source.mp4", size="320x240", seconds=2)


class World(PipelineWorld):
    """The write side, media storage, and the media cleanup process manager on a read store."""

    def __init__(self, tmp: Path, storage: MediaStorage) -> None:
        super().__init__(tmp)
        self.storage = storage  # type: ignore[assignment]  # any adapter, not only the file store
        self.tmp = tmp
        self.read_store = SQLiteReadStore(tmp / "read.db")
        apply_pending(self.read_store)

    def draft(self) -> str:
        video_id = str(uuid7())
        cmd = videos.CreateDraft(self.owner, video_id)
        handlers.create_draft(cmd, ports=self.ports, request=Request(self.owner))
        return video_id

    def delete(self, video_id: str) -> None:
        cmd = videos.DeleteVideo(self.owner, video_id)
        handlers.delete_video(cmd, ports=self.ports, request=Request(self.owner))

    def erase_owner(self) -> None:
        """The event the account's erasure records (the account itself is not what is tested here)."""
        erased = self.ports.codec.encode(ErasureRequested(self.owner.user_id, self.owner.user_id))
        self.store.append(f"user-{self.owner.user_id}", [erased], StreamState.ANY)

    def clean_up(self) -> None:
        cleanup = pipeline.media_cleanup(
            self.storage, events=self.store, codec=self.ports.codec, store=self.read_store
        )
        cleanup.run(until=self.store.head_position())

    def media_of(self, video_id: str) -> list[str]:
        return [key for prefix in keys.of_video(video_id) for key in self.storage.keys(prefix)]

    def close(self) -> None:
        super().close()
        self.read_store.close()


@pytest.fixture(params=sorted(ADAPTERS))
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path, ADAPTERS[request.param](request, tmp_path))
    yield w
    w.close()


def before_first_put(
    monkeypatch: pytest.MonkeyPatch, storage: MediaStorage, happen: Callable[[], None]
) -> None:
    """``happen`` runs once, just before the first object is stored from a file: the moment a job
    starts publishing, or an upload storing its source."""
    put_file = storage.put_file
    pending = [happen]

    def put_after(key: str, path: Path) -> None:
        while pending:
            pending.pop()()
        put_file(key, path)

    monkeypatch.setattr(storage, "put_file", put_after)


def deleted_and_cleaned(world: World, video_id: str) -> Callable[[], None]:
    def happen() -> None:
        world.delete(video_id)
        world.clean_up()

    return happen


def erased_and_cleaned(world: World) -> Callable[[], None]:
    def happen() -> None:
        world.erase_owner()
        world.clean_up()

    return happen


# -- a transcode finishing late --------------------------------------------------------------------


def test_renditions_of_a_video_deleted_while_it_was_transcoded_are_removed(
    world: World, source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an uploaded video the cleanup knows, whose deletion is recorded and acted on by the
    # cleanup just as its job starts publishing
    video_id = world.uploaded(source)
    world.clean_up()
    before_first_put(monkeypatch, world.storage, deleted_and_cleaned(world, video_id))

    # When the job runs to its end
    Transcoder(world.ports, world.storage).run(video_id, "up-1")

    # Then its result is not recorded, and nothing of the video is left in storage
    assert "VideoProcessingSucceeded" not in world.event_types(video_id)
    assert world.media_of(video_id) == []


def test_renditions_of_a_person_erased_while_their_video_was_transcoded_are_removed(
    world: World, source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an uploaded video, its owner's erasure acted on by the cleanup as its job starts publishing
    video_id = world.uploaded(source)
    world.clean_up()
    before_first_put(monkeypatch, world.storage, erased_and_cleaned(world))

    # When the job runs to its end
    Transcoder(world.ports, world.storage).run(video_id, "up-1")

    # Then nothing of the video is left in storage
    assert world.media_of(video_id) == []


def test_a_job_for_a_person_already_erased_transcodes_nothing_and_removes_the_source(
    world: World, source: Path
) -> None:
    # Given an upload whose owner was erased before its job ran, after the cleanup acted
    video_id = world.uploaded(source)
    world.erase_owner()
    world.clean_up()
    world.storage.put_bytes(keys.source(video_id, "up-1"), b"stored after the cleanup acted")

    # When its job runs
    Transcoder(world.ports, world.storage).run(video_id, "up-1")

    # Then it starts no processing and leaves nothing behind
    assert "VideoProcessingStarted" not in world.event_types(video_id)
    assert world.media_of(video_id) == []


def test_a_job_whose_video_stays_keeps_its_renditions(world: World, source: Path) -> None:
    # Given an uploaded video nobody deletes
    video_id = world.uploaded(source)
    world.clean_up()

    # When its job runs
    Transcoder(world.ports, world.storage).run(video_id, "up-1")

    # Then its source and renditions stay
    assert world.state(video_id).stage is videos.Stage.PROCESSED
    assert world.storage.exists(keys.source(video_id, "up-1"))
    assert world.storage.exists(f"{keys.outputs(video_id, 'up-1')}/master.m3u8")


# -- an upload finishing late ----------------------------------------------------------------------


def uploads(world: World) -> Uploads:
    return Uploads(
        ports=world.ports, storage=world.storage, folder=world.tmp / "uploads", limits=UploadLimits()
    )


def test_an_upload_finishing_as_its_owner_is_erased_leaves_no_source(
    world: World, source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a draft the cleanup knows, and its owner's erasure acted on while the upload is probed
    video_id = world.draft()
    world.clean_up()
    before_first_put(monkeypatch, world.storage, erased_and_cleaned(world))

    # When the upload finishes, it is refused
    with pytest.raises(Conflict, match="erased"):
        uploads(world).upload_file(Request(world.owner), video_id, source)

    # Then no upload is recorded and no source is left, nor the local bytes
    assert "VideoUploadCompleted" not in world.event_types(video_id)
    assert world.media_of(video_id) == []
    assert list((world.tmp / "uploads").glob("*")) == []


def test_an_upload_finishing_as_its_video_is_deleted_leaves_no_source(
    world: World, source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a draft whose deletion is recorded and acted on while its upload is probed
    video_id = world.draft()
    world.clean_up()
    before_first_put(monkeypatch, world.storage, deleted_and_cleaned(world, video_id))

    # When the upload finishes, it is refused
    with pytest.raises(Conflict, match="deleted"):
        uploads(world).upload_file(Request(world.owner), video_id, source)

    # Then no source is left
    assert world.media_of(video_id) == []


def test_a_source_stored_before_the_cleanup_saw_its_draft_goes_with_the_owners_erasure(
    world: World, source: Path
) -> None:
    # Given an upload finished before the cleanup ever ran
    video_id = world.draft()
    uploads(world).upload_file(Request(world.owner), video_id, source)
    assert world.media_of(video_id) != []

    # When the owner is erased and the cleanup catches up
    world.erase_owner()
    world.clean_up()

    # Then the source is gone
    assert world.media_of(video_id) == []
