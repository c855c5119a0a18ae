"""The media-storage contract, run against every adapter: whole objects or none, byte ranges, safe keys."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from media.storage import FileStorage, InvalidKey, MediaNotFound, MediaStorage

Opener = Callable[[Path], MediaStorage]
ADAPTERS: dict[str, Opener] = {"file": lambda tmp: FileStorage(tmp / "media")}


@pytest.fixture(params=sorted(ADAPTERS))
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> MediaStorage:
    opener: Opener = ADAPTERS[request.param]
    return opener(tmp_path)


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


def test_a_write_that_fails_half_way_publishes_nothing(
    storage: MediaStorage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "clip.mp4"
    source.write_bytes(b"y" * 1000)

    def half_then_fail(data: Any, out: Any, *_: Any) -> None:
        out.write(data.read(500))
        raise OSError("disk full")

    monkeypatch.setattr(shutil, "copyfileobj", half_then_fail)
    with pytest.raises(OSError, match="disk full"):
        storage.put_file("videos/v2/source.mp4", source)
    assert not storage.exists("videos/v2/source.mp4")
    assert storage.keys("videos") == []


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
