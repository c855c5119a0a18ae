"""The tus upload store: offsets are the bytes on disk, nothing goes past the length, a broken stream
keeps what arrived, one writer at a time, expired uploads are swept, and metadata is parsed strictly."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest

from media.tus import (
    BadMetadata,
    OffsetMismatch,
    PastLength,
    UploadBusy,
    UploadError,
    UploadInfo,
    UploadNotFound,
    UploadStore,
    encode_metadata,
    parse_metadata,
)

NOW = 1_700_000_000.0
EXPIRY_S = 3600.0


@pytest.fixture
def store(tmp_path: Path) -> UploadStore:
    return UploadStore(tmp_path / "uploads", EXPIRY_S)


def create(store: UploadStore, upload_id: str = "up-1", length: int = 10, now: float = NOW) -> UploadInfo:
    return store.create(
        upload_id,
        owner_id="owner-1",
        video_id="video-1",
        length=length,
        metadata={"filename": "a.mp4"},
        now=now,
    )


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


class Broken(Exception):
    """Stands in for a client that went away mid-body."""


def breaking_after(*chunks: bytes) -> Iterator[bytes]:
    yield from chunks
    raise Broken


# -- creating and appending ------------------------------------------------------------------------


def test_a_new_upload_is_at_offset_zero_and_remembers_what_it_was_created_with(store: UploadStore) -> None:
    info = create(store)
    assert info == store.info("up-1")
    assert (info.offset, info.length, info.owner_id, info.video_id) == (0, 10, "owner-1", "video-1")
    assert info.metadata == {"filename": "a.mp4"}
    assert info.expires_at == NOW + EXPIRY_S
    assert sorted(p.name for p in store.folder.iterdir()) == ["up-1.bin", "up-1.json"]


def test_the_offset_is_the_bytes_on_disk_across_appends_and_store_instances(store: UploadStore) -> None:
    create(store)
    assert store.append("up-1", 0, [b"abc", b"de"]) == 5
    reopened = UploadStore(store.folder, EXPIRY_S)
    assert reopened.info("up-1").offset == 5
    assert reopened.append("up-1", 5, [b"fghij"]) == 10
    assert reopened.info("up-1").complete
    assert reopened.data_path("up-1").read_bytes() == b"abcdefghij"


def test_an_append_at_the_wrong_offset_is_refused_with_the_right_one(store: UploadStore) -> None:
    create(store)
    store.append("up-1", 0, [b"abc"])
    with pytest.raises(OffsetMismatch) as refused:
        store.append("up-1", 2, [b"x"])
    assert refused.value.expected == 3
    assert store.data_path("up-1").read_bytes() == b"abc"


def test_bytes_past_the_length_are_refused_and_the_bytes_before_them_kept(store: UploadStore) -> None:
    create(store, length=6)
    with pytest.raises(PastLength):
        store.append("up-1", 0, [b"abcd", b"efg"])
    assert store.info("up-1").offset == 4
    assert store.append("up-1", 4, [b"ef"]) == 6
    with pytest.raises(PastLength):
        store.append("up-1", 6, [b"z"])
    assert store.data_path("up-1").read_bytes() == b"abcdef"


def test_a_stream_that_breaks_off_keeps_the_bytes_that_arrived(store: UploadStore) -> None:
    create(store)
    with pytest.raises(Broken):
        store.append("up-1", 0, breaking_after(b"abc", b"def"))
    assert store.info("up-1").offset == 6
    assert store.append("up-1", 6, [b"ghij"]) == 10


def test_an_unknown_or_malformed_upload_id_is_not_found(store: UploadStore) -> None:
    for upload_id in ("nope", "../up-1", "a/b", ""):
        with pytest.raises(UploadNotFound):
            store.info(upload_id)
        with pytest.raises(UploadNotFound):
            store.append(upload_id, 0, [b"x"])


def test_a_negative_length_or_an_id_used_twice_is_refused(store: UploadStore) -> None:
    with pytest.raises(ValueError, match="negative"):
        create(store, length=-1)
    create(store)
    with pytest.raises(UploadError, match="already exists"):
        create(store)


# -- one writer at a time --------------------------------------------------------------------------


def test_a_second_writer_is_told_the_upload_is_busy_and_can_write_once_it_is_free(store: UploadStore) -> None:
    create(store)
    with store.locked("up-1") as first:
        first.write(b"abc")
        with pytest.raises(UploadBusy):
            store.append("up-1", 3, [b"def"])
        with pytest.raises(UploadBusy):
            store.terminate("up-1")
    assert store.append("up-1", 3, [b"def"]) == 6


def test_a_writer_that_waited_on_a_removed_upload_finds_it_gone(store: UploadStore) -> None:
    create(store)
    with store.locked("up-1") as upload:
        upload.remove()
    with pytest.raises(UploadNotFound):
        store.append("up-1", 0, [b"x"])


def test_termination_removes_the_bytes_and_the_info(store: UploadStore) -> None:
    create(store)
    store.append("up-1", 0, [b"abc"])
    store.terminate("up-1")
    assert list(store.folder.iterdir()) == []
    with pytest.raises(UploadNotFound):
        store.info("up-1")


# -- expiry ----------------------------------------------------------------------------------------


def test_the_sweep_removes_expired_uploads_only(store: UploadStore) -> None:
    create(store, "old", now=NOW - EXPIRY_S - 1)
    create(store, "fresh", now=NOW)
    store.append("old", 0, [b"abc"])
    assert store.info("old").expired(NOW)
    assert not store.info("fresh").expired(NOW)
    assert store.sweep_expired(NOW) == 1
    assert sorted(p.name for p in store.folder.iterdir()) == ["fresh.bin", "fresh.json"]
    assert store.sweep_expired(NOW + EXPIRY_S) == 1
    assert list(store.folder.iterdir()) == []


def test_the_sweep_leaves_an_upload_being_written_for_a_later_sweep(store: UploadStore) -> None:
    create(store, now=NOW - EXPIRY_S - 1)
    with store.locked("up-1"):
        assert store.sweep_expired(NOW) == 0
    assert store.sweep_expired(NOW) == 1


def test_the_sweep_removes_bytes_left_without_info_once_they_are_as_old_as_an_expiry(
    store: UploadStore,
) -> None:
    orphan = store.folder / "orphan.bin"
    orphan.write_bytes(b"abc")
    assert store.sweep_expired(orphan.stat().st_mtime) == 0
    assert store.sweep_expired(orphan.stat().st_mtime + EXPIRY_S + 1) == 1
    assert not orphan.exists()


# -- Upload-Metadata -------------------------------------------------------------------------------


def test_metadata_is_pairs_of_a_key_and_base64_and_a_key_alone_is_empty() -> None:
    header = f"video_id {b64('v-1')}, filename {b64('clip ü.mp4')},is_draft"
    assert parse_metadata(header) == {"video_id": "v-1", "filename": "clip ü.mp4", "is_draft": ""}
    assert parse_metadata("") == {}
    assert parse_metadata(encode_metadata({"a": "x y", "b": ""})) == {"a": "x y", "b": ""}


@pytest.mark.parametrize(
    "header",
    [
        "video_id not-base64!",
        "video_id dmk",  # unpadded
        f"video_id {b64('a')} extra",
        f"video_id {b64('a')},video_id {b64('b')}",
        "filename " + base64.b64encode(b"\xff\xfe").decode(),
        "x " + "A" * 5000,
    ],
)
def test_malformed_metadata_is_refused(header: str) -> None:
    with pytest.raises(BadMetadata):
        parse_metadata(header)
