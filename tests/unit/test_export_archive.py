"""The archive of a data export, on a real (temporary) log, read store and media store: the person's
events decrypted and no one else's, secrets and others' words withheld, their videos' sources byte
for byte, nothing past the request."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from commands.context import Ports
from commands.export_events import UnreadableHistory
from domain.accounts.events import PasswordChanged, ProfileChanged, UserRegistered
from domain.engagement.comments import CommentDeleted, CommentPosted
from domain.engagement.likes import VideoLiked
from domain.events import DomainEvent
from domain.feeds import FeedServed
from domain.reports import ReportFiled
from domain.social import UserFollowed
from domain.videos.events import VideoDeleted, VideoDraftCreated, VideoUploadCompleted
from eventstore.codec import EventCodec
from eventstore.envelope import Metadata, NewEvent, StreamState
from eventstore.keystore import SQLiteKeyStore
from eventstore.sealing import Sealer
from eventstore.sqlite import SQLiteEventStore
from media import keys
from media.storage import FileStorage
from migrations.runner import apply_pending
from projections.data_exports import ExportTracker
from read_models.sqlite import SQLiteReadStore
from services.export_archive import write_archive

NOW = datetime(2030, 5, 6, 7, 8, 9, tzinfo=UTC)
ANN, BOB, MOD = "0190a000-0000-7000-8000-00000000a001", "0190a000-0000-7000-8000-00000000b002", "mod-1"
MP4_HEAD = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + bytes(range(256)) * 40


class World:
    def __init__(self, tmp: Path) -> None:
        self.keys = SQLiteKeyStore(tmp / "keys.db")
        self.events = SQLiteEventStore(tmp / "events.db")
        self.ports = Ports(store=self.events, codec=EventCodec(Sealer(self.keys)), keys=self.keys)
        self.read_store = SQLiteReadStore(tmp / "read.db")
        apply_pending(self.read_store)
        self.storage = FileStorage(tmp / "media")
        self.tmp = tmp

    def record(self, stream: str, event: DomainEvent, actor: str) -> int:
        encoded = self.ports.codec.encode(event, Metadata(actor=actor))
        return self.events.append(stream, [encoded], StreamState.ANY).position

    def archive(self, person: str, until: int | None = None) -> dict[str, bytes]:
        """Indexes the log as the exporter does, writes the archive, returns its files."""
        head = self.events.head_position()
        ExportTracker(events=self.events, codec=self.ports.codec, store=self.read_store).run(until=head)
        target = self.tmp / f"archive-{head}.zip"
        built = write_archive(
            person,
            until=head if until is None else until,
            ports=self.ports,
            store=self.read_store,
            storage=self.storage,
            target=target,
            now=NOW,
        )
        assert built.size_bytes == target.stat().st_size
        with zipfile.ZipFile(target) as archive:
            assert archive.testzip() is None
            return {name: archive.read(name) for name in archive.namelist()}

    def close(self) -> None:
        self.events.close()
        self.keys.close()
        self.read_store.close()


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path)
    yield w
    w.close()


def events_in(files: dict[str, bytes]) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = json.loads(files["events.json"])
    return events


def two_people_and_their_dealings(world: World) -> dict[str, int]:
    """Ann and Bob register; Bob likes and comments on Ann's video, follows and reports her; Ann
    deletes his comment; a moderator deletes a comment of Ann's. Returns the positions of the events
    that are Ann's."""
    mine: dict[str, int] = {}
    mine["registered"] = world.record(
        f"user-{ANN}", UserRegistered(ANN, "ann_b", "ann@example.com", "argon-hash-ann", "Ann Example"), ANN
    )
    world.record(
        f"user-{BOB}", UserRegistered(BOB, "bob_c", "bob@example.com", "argon-hash-bob", "Bob Other"), BOB
    )
    mine["profile"] = world.record(f"user-{ANN}", ProfileChanged(ANN, "Ann E.", "my bio", None), ANN)
    mine["password"] = world.record(f"user-{ANN}", PasswordChanged(ANN, "argon-hash-ann-2"), ANN)
    mine["draft"] = world.record("video-v1", VideoDraftCreated("v1", ANN), ANN)
    mine["upload"] = world.record("video-v1", VideoUploadCompleted("v1", ANN, "u1", 5, 1000, 720, 1280), ANN)
    world.storage.put_bytes(keys.source("v1", "u1"), MP4_HEAD)
    world.record(f"likes-{BOB}-v1", VideoLiked(BOB, "v1"), BOB)
    world.record(f"follows-{BOB}", UserFollowed(BOB, ANN), BOB)
    report = ReportFiled("r1", BOB, "user", ANN, ANN, "spam", "bob's note about ann")
    world.record(f"reports-{BOB}", report, BOB)
    world.record("comment-c1", CommentPosted("c1", "v1", BOB, "bob says hello to ann"), BOB)
    mine["deleted_his"] = world.record("comment-c1", CommentDeleted("c1", "v1", ANN, "video_owner"), ANN)
    mine["commented"] = world.record("comment-c2", CommentPosted("c2", "vb", ANN, "ann's own words"), ANN)
    mine["moderated"] = world.record("comment-c2", CommentDeleted("c2", "vb", MOD, "moderator"), MOD)
    served = FeedServed("p1", ANN, True, [{"video_id": "vb", "score": 1.0, "source": "following",
                                           "reason": "from @bob_c, whom you follow"}])  # fmt: skip
    mine["served"] = world.record(f"feeds-{ANN}-20300506", served, ANN)
    return mine


def test_the_archive_holds_every_event_of_the_person_decrypted_and_nothing_of_anyone_else(
    world: World,
) -> None:
    # Given two people who dealt with each other
    mine = two_people_and_their_dealings(world)

    # When Ann's archive is written
    files = world.archive(ANN)

    # Then it holds exactly her events, her personal fields in clear
    events = events_in(files)
    assert sorted(e["position"] for e in events) == sorted(mine.values())
    registered = next(e for e in events if e["type"] == "UserRegistered")
    assert registered["data"]["email"] == "ann@example.com"
    assert registered["data"]["display_name"] == "Ann Example"
    assert next(e for e in events if e["type"] == "CommentPosted")["data"]["text"] == "ann's own words"
    # and not a byte of Bob's: his handle, email, name, what he wrote
    everything = b"".join(files.values())
    for his in (
        b"bob_c",
        b"bob@example.com",
        b"Bob Other",
        b"bob says hello",
        b"bob's note",
        b"argon-hash-bob",
    ):
        assert his not in everything


def test_secrets_and_other_peoples_handles_are_withheld(world: World) -> None:
    # Given
    two_people_and_their_dealings(world)
    # When
    events = events_in(world.archive(ANN))
    # Then her password hashes are withheld, and so is the handle a recommendation reason named
    assert [e["data"]["password_hash"] for e in events if "password_hash" in e["data"]] == ["[withheld]"] * 2
    served = next(e for e in events if e["type"] == "FeedServed")
    assert served["data"]["items"][0]["reason"] == "from @[withheld], whom you follow"


def test_the_profile_is_the_account_as_its_events_leave_it(world: World) -> None:
    # Given
    two_people_and_their_dealings(world)
    # When
    profile = json.loads(world.archive(ANN)["profile.json"])
    # Then
    assert profile["email"] == "ann@example.com"
    assert (profile["handle"], profile["display_name"], profile["bio"]) == ("ann_b", "Ann E.", "my bio")
    assert "password_hash" not in profile


def test_video_sources_are_copied_byte_for_byte_unless_deleted_or_missing(world: World) -> None:
    # Given a video with its source stored, one deleted (its source still there), one never uploaded
    two_people_and_their_dealings(world)
    world.record("video-v2", VideoDraftCreated("v2", ANN), ANN)
    world.record("video-v2", VideoUploadCompleted("v2", ANN, "u2", 5, 1000, 720, 1280), ANN)
    world.storage.put_bytes(keys.source("v2", "u2"), b"deleted video")
    world.record("video-v2", VideoDeleted("v2", ANN), ANN)
    world.record("video-v3", VideoDraftCreated("v3", ANN), ANN)

    # When
    files = world.archive(ANN)

    # Then the kept video's source is in it as it was, named for its container
    assert files["videos/v1/source.mp4"] == MP4_HEAD
    assert not any(name.startswith("videos/v2/") for name in files)
    manifest = json.loads(files["manifest.json"])
    assert [(v["video_id"], v["file"]) for v in manifest["videos"]] == [
        ("v1", "videos/v1/source.mp4"),
        ("v3", None),
    ]
    assert "videos/v1/source.mp4" in files["README.txt"].decode()


def test_nothing_after_the_request_is_in_it(world: World) -> None:
    # Given an export asked for at a position, and a change after it
    mine = two_people_and_their_dealings(world)
    asked_at = world.events.head_position()
    later = world.record(f"user-{ANN}", ProfileChanged(ANN, "Later Name", "", None), ANN)
    # When
    files = world.archive(ANN, until=asked_at)
    # Then
    positions = {e["position"] for e in events_in(files)}
    assert positions == set(mine.values())
    assert later not in positions
    assert b"Later Name" not in files["events.json"]


def test_what_an_erased_key_sealed_reads_as_erased(world: World) -> None:
    # Given her events, then her key erased
    two_people_and_their_dealings(world)
    world.keys.erase(ANN)
    # When
    events = events_in(world.archive(ANN))
    # Then
    registered = next(e for e in events if e["type"] == "UserRegistered")
    assert registered["data"]["email"] is None
    assert "email" in registered["erased"]


def test_an_event_that_cannot_be_read_fails_the_archive_loudly(world: World) -> None:
    # Given an event of a type this code does not know, on her stream
    two_people_and_their_dealings(world)
    strange = NewEvent(type="SomethingNew", data={"user_id": ANN})
    world.events.append(f"user-{ANN}", [strange], StreamState.ANY)
    # When / Then
    with pytest.raises(UnreadableHistory):
        world.archive(ANN)


def test_an_archive_is_a_zip_whose_json_reads_back(world: World) -> None:
    two_people_and_their_dealings(world)
    files = world.archive(ANN)
    assert set(files) >= {"events.json", "profile.json", "manifest.json", "README.txt"}
    manifest = json.loads(files["manifest.json"])
    assert (manifest["user_id"], manifest["created_at"]) == (ANN, NOW.isoformat())
    assert io.BytesIO(files["events.json"]).read(1) == b"["
