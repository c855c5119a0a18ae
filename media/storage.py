"""Where media bytes live: uploads, renditions, playlists, posters. A port with a filesystem adapter.

Objects are immutable and published whole: ``put_file`` and ``put_bytes`` write beside the target and
rename into place, so a reader (or a CDN) sees the complete object or nothing, and a transcode killed
half-way leaves no half-written segment under its final name. Keys are relative, slash-separated paths
of safe characters (``videos/<id>/720p/seg-00001.m4s``); anything that could climb out of the store
(``..``, a leading slash, a backslash, control characters) is refused.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*")
MAX_KEY_LENGTH = 512


class MediaStorageError(Exception):
    """Anything the media store refuses or cannot find."""


class InvalidKey(MediaStorageError, ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(
            f"invalid media key {key!r}: relative path of letters, digits, '.', '_', '-' and '/'"
        )


class MediaNotFound(MediaStorageError, KeyError):
    def __init__(self, key: str) -> None:
        super().__init__(f"no media object {key!r}")
        self.key = key


@dataclasses.dataclass(frozen=True, slots=True)
class ObjectInfo:
    """What a delivery route needs before reading: the length, and a strong ETag that changes
    whenever the object is replaced."""

    size: int
    etag: str


class MediaStorage(Protocol):
    def put_file(self, key: str, source: Path) -> None:
        """Copies ``source`` in as ``key``, whole or not at all (replacing an older object)."""

    def put_bytes(self, key: str, data: bytes) -> None:
        """``data`` as ``key``, whole or not at all."""

    def get_file(self, key: str, target: Path) -> None:
        """Copies the object out to ``target`` (a local file a worker can hand to ffmpeg)."""

    def size(self, key: str) -> int:
        """The object's length in bytes; ``MediaNotFound`` if there is none."""

    def stat(self, key: str) -> ObjectInfo:
        """Length and ETag; ``MediaNotFound`` if there is none."""

    def read(self, key: str, start: int = 0, end: int | None = None) -> bytes:
        """Bytes ``start`` up to ``end`` (exclusive; ``None``: to the end), for byte-range requests."""

    def exists(self, key: str) -> bool: ...

    def keys(self, prefix: str) -> list[str]:
        """Every key under ``prefix`` (a folder-like key), sorted."""

    def delete_prefix(self, prefix: str) -> int:
        """Removes every object under ``prefix``; says how many. Removing nothing is not an error."""


def _make_private_folder(folder: Path) -> None:
    """Creates ``folder`` and its missing parents owner-only: media holds private and unpublished
    videos, no business of other accounts on the host (``mkstemp`` makes the objects owner-only).
    Folders that exist are left as they are."""
    missing: list[Path] = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir(mode=0o700, exist_ok=True)


def check_key(key: str) -> str:
    if len(key) > MAX_KEY_LENGTH or not KEY.fullmatch(key) or ".." in key.split("/"):
        raise InvalidKey(key)
    return key


class FileStorage:
    """Objects as files under ``root``; the default, and what ``make run`` uses."""

    def __init__(self, root: Path) -> None:
        self.root = root
        _make_private_folder(self.root)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put_file(self, key: str, source: Path) -> None:
        with source.open("rb") as data:
            self._publish(key, lambda out: shutil.copyfileobj(data, out, 1 << 20))

    def put_bytes(self, key: str, data: bytes) -> None:
        self._publish(key, lambda out: out.write(data))

    def _publish(self, key: str, write: Callable[[BinaryIO], object]) -> None:
        """Written to a temporary file in the same folder, synced, then renamed over the target."""
        target = self._path(key)
        _make_private_folder(target.parent)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".part-")
        try:
            with os.fdopen(handle, "wb") as out:
                write(out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get_file(self, key: str, target: Path) -> None:
        try:
            shutil.copyfile(self._path(key), target)
        except (FileNotFoundError, IsADirectoryError):
            raise MediaNotFound(key) from None

    def size(self, key: str) -> int:
        return self.stat(key).size

    def stat(self, key: str) -> ObjectInfo:
        """The ETag is length and modification time in nanoseconds: a replaced object gets a new
        one, with no hashing of a large file per request."""
        path = self._path(key)
        try:
            found = path.stat()
        except FileNotFoundError:
            raise MediaNotFound(key) from None
        if not path.is_file():
            raise MediaNotFound(key)
        return ObjectInfo(size=found.st_size, etag=f'"{found.st_size:x}-{found.st_mtime_ns:x}"')

    def read(self, key: str, start: int = 0, end: int | None = None) -> bytes:
        if start < 0 or (end is not None and end < start):
            raise ValueError(f"bad byte range {start}..{end}")
        try:
            with self._path(key).open("rb") as data:
                data.seek(start)
                return data.read(-1 if end is None else end - start)
        except (FileNotFoundError, IsADirectoryError):
            raise MediaNotFound(key) from None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def keys(self, prefix: str) -> list[str]:
        return sorted(self._walk(self._path(prefix)))

    def _walk(self, folder: Path) -> Iterator[str]:
        if not folder.is_dir():
            return
        for path in folder.rglob("*"):
            if path.is_file() and not path.name.startswith(".part-"):
                yield path.relative_to(self.root).as_posix()

    def delete_prefix(self, prefix: str) -> int:
        folder = self._path(prefix)
        found = list(self._walk(folder))
        if folder.is_dir():
            shutil.rmtree(folder)
        elif folder.is_file():
            folder.unlink()
            return 1
        return len(found)
