"""Deleting a video deletes its media, and erasing a person deletes the media of all their videos:
on the file store and on S3 (moto's server over HTTP), only once the event is in the log, and a
replay of the log does no harm."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.state import AppState
from commands import videos as handlers
from commands.context import Ports, Request
from domain import videos
from domain.accounts.events import ErasureRequested
from domain.actors import Actor
from eventstore.codec import EventCodec
from eventstore.envelope import StreamState
from eventstore.ids import uuid7
from eventstore.keystore import SQLiteKeyStore
from eventstore.sealing import Sealer
from eventstore.sqlite import SQLiteEventStore
from media import keys
from media.storage import MediaStorage
from migrations.runner import apply_pending
from projections import media_cleanup
from projections.media_cleanup import MediaCleanup
from read_models import media_by_owner, projection_state
from read_models.sqlite import SQLiteReadStore
from strom import pipeline
from strom.serve import build_app
from strom.settings import Settings
from strom.wiring import open_read_store
from tests.contract.test_media_storage import ADAPTERS, s3_endpoint

__all__ = ["s3_endpoint"]  # the fixture, for the S3 adapter


@pytest.fixture(params=sorted(ADAPTERS))
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> MediaStorage:
    return ADAPTERS[request.param](request, tmp_path)


class World:
    """A write side, a read store and a media store, with videos that have media in it."""

    def __init__(self, tmp: Path, storage: MediaStorage) -> None:
        self.keys = SQLiteKeyStore(tmp / "keys.db")
        self.events = SQLiteEventStore(tmp / "events.db")
        self.ports = Ports(store=self.events, codec=EventCodec(Sealer(self.keys)), keys=self.keys)
        self.read_store = SQLiteReadStore(tmp / "read.db")
        apply_pending(self.read_store)
        self.storage = storage

    def video_with_media(self, owner: Actor) -> str:
        """A draft with what an upload and its transcode leave: the source, renditions, poster."""
        video_id = str(uuid7())
        handlers.create_draft(videos.CreateDraft(owner, video_id), ports=self.ports, request=Request(owner))
        self.storage.put_bytes(keys.source(video_id, "up-1"), b"source")
        made = keys.outputs(video_id, "up-1")
        for name in ("master.m3u8", "240p/index.m3u8", "240p/seg-00001.m4s", "poster.jpg", "thumbs.vtt"):
            self.storage.put_bytes(f"{made}/{name}", b"made")
        return video_id

    def delete(self, owner: Actor, video_id: str) -> None:
        handlers.delete_video(videos.DeleteVideo(owner, video_id), ports=self.ports, request=Request(owner))

    def erase(self, owner: Actor) -> None:
        """The event the account's erasure records (the account itself is not what is tested here)."""
        erased = self.ports.codec.encode(ErasureRequested(owner.user_id, owner.user_id))
        self.events.append(f"user-{owner.user_id}", [erased], StreamState.ANY)

    def media_of(self, video_id: str) -> list[str]:
        return [key for prefix in keys.of_video(video_id) for key in self.storage.keys(prefix)]

    def cleanup(self) -> MediaCleanup:
        return pipeline.media_cleanup(
            self.storage, events=self.events, codec=self.ports.codec, store=self.read_store
        )

    def clean_up(self) -> int:
        return self.cleanup().run(until=self.events.head_position())

    def close(self) -> None:
        self.events.close()
        self.keys.close()
        self.read_store.close()


@pytest.fixture
def world(tmp_path: Path, storage: MediaStorage) -> Iterator[World]:
    w = World(tmp_path, storage)
    yield w
    w.close()


def person() -> Actor:
    return Actor(str(uuid7()))


def no_pictures(user_id: str, avatar_id: str | None) -> int:
    """For the tests of videos alone: nobody in them uploaded a profile picture."""
    return 0


def test_deleting_a_video_removes_all_its_media_and_no_other(world: World) -> None:
    # Given two videos of one owner and one of another, all with media
    ann, bob = person(), person()
    gone, kept, others = world.video_with_media(ann), world.video_with_media(ann), world.video_with_media(bob)

    # When one is deleted and the process manager catches up
    world.delete(ann, gone)
    world.clean_up()

    # Then its media is gone, and every other video's is all there
    assert world.media_of(gone) == []
    assert len(world.media_of(kept)) == len(world.media_of(others)) == 6


def test_media_stays_until_the_deletion_is_in_the_log(world: World) -> None:
    # Given a video with media, seen by the process manager before any deletion
    ann = person()
    video_id = world.video_with_media(ann)
    world.clean_up()
    assert len(world.media_of(video_id)) == 6

    # When it is deleted, the removal happens with the deletion already recorded
    seen_at_removal: list[list[str]] = []

    def remove(removed_id: str) -> int:
        seen_at_removal.append([r.type for r in world.events.read_stream(f"video-{removed_id}")])
        return sum(world.storage.delete_prefix(prefix) for prefix in keys.of_video(removed_id))

    world.delete(ann, video_id)
    cleanup = MediaCleanup(
        events=world.events,
        codec=world.ports.codec,
        store=world.read_store,
        remove=remove,
        remove_avatars=no_pictures,
        remove_object=remove,
    )
    cleanup.run(until=world.events.head_position())

    # Then
    assert seen_at_removal == [["VideoDraftCreated", "VideoDeleted"]]
    assert world.media_of(video_id) == []


def test_erasure_removes_the_media_of_every_video_of_the_person(world: World) -> None:
    # Given a person with three videos (one deleted before) and someone else with one
    ann, bob = person(), person()
    hers = [world.video_with_media(ann) for _ in range(3)]
    world.delete(ann, hers[0])
    his = world.video_with_media(bob)

    # When the person is erased and the process manager catches up
    world.erase(ann)
    world.clean_up()

    # Then none of her media is left, nor any row of it, and his is untouched
    assert [world.media_of(video_id) for video_id in hers] == [[], [], []]
    assert list(media_by_owner.videos_of(world.read_store, ann.user_id)) == []
    assert len(world.media_of(his)) == 6


def test_running_twice_over_the_same_log_is_harmless(world: World) -> None:
    # Given deletions and an erasure the process manager has acted on
    ann, bob, cay = person(), person(), person()
    deleted, erased, kept = (
        world.video_with_media(ann),
        world.video_with_media(bob),
        world.video_with_media(cay),
    )
    world.delete(ann, deleted)
    world.erase(bob)
    head = world.clean_up()

    # When it runs over the whole log again, as after a lost checkpoint
    removals: list[int] = []

    def remove(video_id: str) -> int:
        removals.append(sum(world.storage.delete_prefix(p) for p in keys.of_video(video_id)))
        return removals[-1]

    projection_state.save(world.read_store, projection_state.ProjectionState(media_cleanup.NAME, "v1"))
    again = MediaCleanup(
        events=world.events,
        codec=world.ports.codec,
        store=world.read_store,
        remove=remove,
        remove_avatars=no_pictures,
        remove_object=remove,
    )

    # Then it reaches the same position and removes nothing more: the deletion finds nothing left,
    # the erasure no video (their rows stay deleted), and the rest is as it was
    assert again.run(until=head) == head
    assert removals == [0]
    assert world.media_of(deleted) == world.media_of(erased) == []
    assert len(world.media_of(kept)) == 6
    assert list(media_by_owner.videos_of(world.read_store, ann.user_id)) == []
    assert list(media_by_owner.videos_of(world.read_store, bob.user_id)) == []
    assert list(media_by_owner.videos_of(world.read_store, cay.user_id)) == [kept]


def test_storage_that_fails_for_a_while_is_retried_until_the_media_is_gone(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a deleted video, and a store that fails its first two removals
    monkeypatch.setattr(media_cleanup, "RETRY_FIRST_S", 0.01)
    ann = person()
    video_id = world.video_with_media(ann)
    world.delete(ann, video_id)
    failures = [OSError("storage away"), OSError("storage still away")]

    def remove(removed_id: str) -> int:
        if failures:
            raise failures.pop(0)
        return sum(world.storage.delete_prefix(prefix) for prefix in keys.of_video(removed_id))

    # When the process manager runs
    cleanup = MediaCleanup(
        events=world.events,
        codec=world.ports.codec,
        store=world.read_store,
        remove=remove,
        remove_avatars=no_pictures,
        remove_object=remove,
    )
    head = cleanup.run(until=world.events.head_position())

    # Then the media is gone and the checkpoint passed the deletion only then
    assert failures == []
    assert world.media_of(video_id) == []
    state = projection_state.load(world.read_store, media_cleanup.NAME, "v1", version=1)
    assert dataclasses.replace(state, updated_at=None).position == head


def test_strom_run_removes_a_deleted_videos_media(tmp_path: Path) -> None:
    # Given the app as `strom run` builds it, its process managers running
    settings = Settings(
        data_dir=tmp_path,
        eventstore_url=f"sqlite:///{tmp_path}/events.db",
        readstore_url=f"sqlite:///{tmp_path}/read.db",
        keystore_url=f"sqlite:///{tmp_path}/keys.db",
        media_url=f"file://{tmp_path}/media",
        uploads_dir=tmp_path / "uploads",
    )
    read_store = open_read_store(settings)
    apply_pending(read_store)
    read_store.close()
    with TestClient(build_app(settings, with_projectors=True)) as client:
        state: AppState = client.app.state.strom  # type: ignore[attr-defined]
        assert state.media is not None
        owner, video_id, ports = person(), str(uuid7()), state.ports
        handlers.create_draft(videos.CreateDraft(owner, video_id), ports=ports, request=Request(owner))
        state.media.storage.put_bytes(keys.source(video_id, "up-1"), b"source")

        # When its owner deletes it
        handlers.delete_video(videos.DeleteVideo(owner, video_id), ports=ports, request=Request(owner))

        # Then its media goes
        deadline = time.monotonic() + 10
        while state.media.storage.keys(keys.source(video_id, "up-1")):
            assert time.monotonic() < deadline, "the media of the deleted video is still there"
            time.sleep(0.05)
