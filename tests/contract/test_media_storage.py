"""The media-storage contract, run against every adapter: whole objects or none, byte ranges, safe keys.

S3 runs against moto's S3 server on a free localhost port, spoken to over real HTTP like any
S3-compatible store; each test gets a fresh bucket, and keys sit under a prefix inside it.
"""

from __future__ import annotations

import io
import logging
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from moto.server import ThreadedMotoServer

from media.s3 import S3Storage
from media.storage import FileStorage, InvalidKey, MediaNotFound, MediaStorage

Opener = Callable[[pytest.FixtureRequest, Path], MediaStorage]
MIB = 1024 * 1024
#: Past boto3's multipart threshold (8 MiB), so S3 takes it in parts.
LARGE = 12 * MIB
#: S3 lists and deletes this many keys per request in the suite, so a handful of keys spans pages.
S3_PAGE = 3


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    with pytest.MonkeyPatch.context() as env:
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
            env.delenv(name, raising=False)
        env.setenv("AWS_ACCESS_KEY_ID", "strom-test")
        env.setenv("AWS_SECRET_ACCESS_KEY", "strom-test-secret")
        env.setenv("AWS_CONFIG_FILE", os.devnull)
        env.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
        server.stop()


def open_file(_: pytest.FixtureRequest, tmp_path: Path) -> MediaStorage:
    return FileStorage(tmp_path / "media")


def open_s3(request: pytest.FixtureRequest, _: Path) -> MediaStorage:
    endpoint: str = request.getfixturevalue("s3_endpoint")
    bucket = f"strom-{uuid.uuid4().hex}"
    url = f"s3://{bucket}/media?endpoint={endpoint}&region=us-east-1&path_style=true"
    storage = S3Storage.from_url(url, page_size=S3_PAGE)
    storage.client.create_bucket(Bucket=bucket)
    # Outside the prefix: an adapter that forgot its prefix would list it.
    storage.client.put_object(Bucket=bucket, Key="videos/v1/a.m4s", Body=b"not ours")
    return storage


ADAPTERS: dict[str, Opener] = {"file": open_file, "s3": open_s3}


@pytest.fixture(params=sorted(ADAPTERS))
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> MediaStorage:
    opener: Opener = ADAPTERS[request.param]
    return opener(request, tmp_path)


def leftovers(storage: MediaStorage) -> list[str]:
    """What a failed write could leave out of sight of ``keys``: temporary files, unfinished uploads."""
    if isinstance(storage, FileStorage):
        return [path.name for path in storage.root.rglob(".*")]
    assert isinstance(storage, S3Storage)
    uploads = storage.client.list_multipart_uploads(Bucket=storage.bucket).get("Uploads", [])
    return [upload.get("Key", "") for upload in uploads]


class FailsHalfWay(io.FileIO):
    """A source whose reads break once ``fail_at`` bytes are through, as a dying disk would; it
    breaks only after ``sent`` is set, so the failure comes after bytes really left."""

    def __init__(self, path: Path, fail_at: int, sent: threading.Event) -> None:
        super().__init__(path, "rb")
        self.fail_at = fail_at
        self.sent = sent

    def read(self, size: int | None = -1) -> bytes:
        if self.tell() >= self.fail_at:
            assert self.sent.wait(timeout=60), "no part of the upload reached the store"
            raise OSError("disk full")
        return super().read(size)


def first_part_sent(storage: MediaStorage) -> threading.Event:
    """For S3, set once the server has stored a part of the multipart upload; a file store writes
    synchronously, so its first bytes are already in the temporary file."""
    sent = threading.Event()
    if isinstance(storage, S3Storage):

        def mark(**_: Any) -> None:
            sent.set()

        storage.client.meta.events.register("after-call.s3.UploadPart", mark)
    else:
        sent.set()
    return sent


def pattern(size: int) -> bytes:
    """Bytes whose every position differs from its neighbours, so a misplaced range shows."""
    return (bytes(range(251)) * (size // 251 + 1))[:size]


def test_an_object_reads_back_whole_and_by_byte_range(storage: MediaStorage) -> None:
    storage.put_bytes("videos/v1/720p/seg-00001.m4s", b"0123456789")
    assert storage.read("videos/v1/720p/seg-00001.m4s") == b"0123456789"
    assert storage.read("videos/v1/720p/seg-00001.m4s", 2, 5) == b"234"
    assert storage.read("videos/v1/720p/seg-00001.m4s", 8) == b"89"
    assert storage.size("videos/v1/720p/seg-00001.m4s") == 10


def test_a_file_is_copied_in_and_replaces_an_older_object(storage: MediaStorage, tmp_path: Path) -> None:
    source = tmp_path / "upload.bin"
    source.write_bytes(b"x" * 3_000_000)
    storage.put_bytes("uploads/u1", b"old")
    storage.put_file("uploads/u1", source)
    assert storage.size("uploads/u1") == 3_000_000


@pytest.fixture
def breaking_source(storage: MediaStorage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A source large enough for a multipart upload, whose reads fail half-way through."""
    source = tmp_path / "clip.mp4"
    source.write_bytes(b"y" * LARGE)
    sent = first_part_sent(storage)
    real_open = Path.open

    def open_failing(path: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if path == source:
            return FailsHalfWay(path, fail_at=LARGE // 2, sent=sent)
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", open_failing)
    return source


def test_a_write_that_fails_half_way_publishes_nothing(storage: MediaStorage, breaking_source: Path) -> None:
    with pytest.raises(OSError, match="disk full"):
        storage.put_file("videos/v2/source.mp4", breaking_source)
    assert not storage.exists("videos/v2/source.mp4")
    assert storage.keys("videos") == []
    assert leftovers(storage) == []


def test_a_replacement_that_fails_half_way_keeps_the_older_object(
    storage: MediaStorage, breaking_source: Path
) -> None:
    storage.put_bytes("videos/v2/source.mp4", b"older")
    with pytest.raises(OSError, match="disk full"):
        storage.put_file("videos/v2/source.mp4", breaking_source)
    assert storage.read("videos/v2/source.mp4") == b"older"
    assert leftovers(storage) == []


def test_missing_objects_are_named(storage: MediaStorage) -> None:
    with pytest.raises(MediaNotFound, match="videos/none"):
        storage.read("videos/none")
    with pytest.raises(MediaNotFound):
        storage.size("videos/none")
    assert not storage.exists("videos/none")


@pytest.mark.parametrize(
    "key", ["", "/etc/passwd", "../secret", "videos/../../x", "a\\b", "a/\nb", "a//b", ".hidden", "a/"]
)
def test_keys_that_could_leave_the_store_are_refused(storage: MediaStorage, key: str) -> None:
    with pytest.raises(InvalidKey):
        storage.put_bytes(key, b"x")


def test_keys_list_and_a_prefix_deletes_as_a_folder(storage: MediaStorage) -> None:
    for key in ("videos/v1/a.m4s", "videos/v1/240p/b.m4s", "videos/v10/c.m4s"):
        storage.put_bytes(key, b"1")
    assert storage.keys("videos/v1") == ["videos/v1/240p/b.m4s", "videos/v1/a.m4s"]
    assert storage.delete_prefix("videos/v1") == 2
    assert storage.keys("videos") == ["videos/v10/c.m4s"]
    assert storage.delete_prefix("videos/none") == 0


def test_a_bad_byte_range_is_refused(storage: MediaStorage) -> None:
    storage.put_bytes("a", b"abc")
    with pytest.raises(ValueError, match="byte range"):
        storage.read("a", 2, 1)


def test_an_object_copies_out_to_a_local_file(storage: MediaStorage, tmp_path: Path) -> None:
    storage.put_bytes("sources/v1/u1", b"frames" * 1000)
    target = tmp_path / "out.mp4"
    storage.get_file("sources/v1/u1", target)
    assert target.read_bytes() == b"frames" * 1000
    with pytest.raises(MediaNotFound):
        storage.get_file("sources/none", tmp_path / "none")


def test_stat_gives_the_length_and_an_etag_that_changes_when_replaced(storage: MediaStorage) -> None:
    storage.put_bytes("videos/v1/poster.jpg", b"first")
    first = storage.stat("videos/v1/poster.jpg")
    assert first.size == 5
    assert first.etag == storage.stat("videos/v1/poster.jpg").etag
    assert first.etag[0] == first.etag[-1] == '"'
    storage.put_bytes("videos/v1/poster.jpg", b"second!")
    assert storage.stat("videos/v1/poster.jpg").etag != first.etag
    with pytest.raises(MediaNotFound):
        storage.stat("videos/v1/none.jpg")


def test_a_file_past_the_multipart_threshold_arrives_whole_and_in_order(
    storage: MediaStorage, tmp_path: Path
) -> None:
    source = tmp_path / "large.mp4"
    source.write_bytes(pattern(LARGE))
    storage.put_file("sources/v1/u1", source)
    assert storage.stat("sources/v1/u1").size == LARGE
    assert (
        storage.read("sources/v1/u1", 8 * MIB - 3, 8 * MIB + 3) == pattern(LARGE)[8 * MIB - 3 : 8 * MIB + 3]
    )
    target = tmp_path / "copy.mp4"
    storage.get_file("sources/v1/u1", target)
    assert target.read_bytes() == pattern(LARGE)


def test_many_keys_list_and_delete_across_pages(storage: MediaStorage) -> None:
    names = [f"videos/v3/240p/seg-{n:05d}.m4s" for n in range(1, 11)]
    for name in names:
        storage.put_bytes(name, b"m4s")
    assert storage.keys("videos/v3") == names
    assert storage.delete_prefix("videos/v3") == 10
    assert storage.keys("videos") == []


def test_reads_past_the_end_or_of_nothing_give_no_bytes(storage: MediaStorage) -> None:
    storage.put_bytes("videos/v1/thumbs.vtt", b"WEBVTT")
    storage.put_bytes("videos/v1/empty", b"")
    assert storage.read("videos/v1/thumbs.vtt", 6) == b""
    assert storage.read("videos/v1/thumbs.vtt", 100, 200) == b""
    assert storage.read("videos/v1/thumbs.vtt", 3, 3) == b""
    assert storage.read("videos/v1/thumbs.vtt", 4, 100) == b"TT"
    assert storage.read("videos/v1/empty") == b""
    with pytest.raises(MediaNotFound):
        storage.read("videos/none", 2, 2)


def test_a_prefix_naming_one_object_deletes_just_that_object(storage: MediaStorage) -> None:
    storage.put_bytes("videos/v1/poster.jpg", b"jpg")
    storage.put_bytes("videos/v1/poster.jpg.old", b"jpg")
    assert storage.delete_prefix("videos/v1/poster.jpg") == 1
    assert storage.keys("videos/v1") == ["videos/v1/poster.jpg.old"]


def test_deleting_a_prefix_again_removes_nothing_and_keeps_what_was_beside_it(storage: MediaStorage) -> None:
    # Given a video's source and renditions, nested at several depths, beside another video's
    for key in (
        "sources/v1/u1",
        "videos/v1/u1/master.m3u8",
        "videos/v1/u1/240p/seg-00001.m4s",
        "videos/v2/x",
    ):
        storage.put_bytes(key, b"1")

    # When its prefixes are deleted twice, as a replayed deletion would
    first = [storage.delete_prefix(prefix) for prefix in ("sources/v1", "videos/v1")]
    again = [storage.delete_prefix(prefix) for prefix in ("sources/v1", "videos/v1")]

    # Then the second time finds nothing, and the other video is untouched
    assert (first, again) == ([1, 2], [0, 0])
    assert storage.keys("sources") == []
    assert storage.keys("videos") == ["videos/v2/x"]
