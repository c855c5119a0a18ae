"""Where tus uploads wait until their last byte arrives: one folder, two files per upload.

``<upload_id>.bin`` holds the bytes received so far, so the offset a client resumes from is simply the
file's length and survives a restart; ``<upload_id>.json`` holds what the upload was created with and
doubles as its lock file. Writers take a non-blocking ``flock`` on it, so a second PATCH to the same
upload while one is streaming is told at once that it conflicts instead of interleaving bytes.

Nothing here knows HTTP: the API turns these errors into tus answers.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import dataclasses
import fcntl
import json
import os
import re
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

#: Upload ids become file names and media keys; nothing else is accepted.
UPLOAD_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")
METADATA_KEY = re.compile(r"[^\s,]+")
MAX_METADATA_CHARS = 4096


class UploadError(Exception):
    """Anything the upload store refuses."""


class UploadNotFound(UploadError, KeyError):
    def __init__(self, upload_id: str) -> None:
        super().__init__(f"no upload {upload_id!r}")
        self.upload_id = upload_id

    def __str__(self) -> str:
        return str(self.args[0])


class UploadBusy(UploadError):
    """Another request is writing to (or ending) this upload right now."""

    def __init__(self, upload_id: str) -> None:
        super().__init__(f"upload {upload_id!r} is busy: another request is sending its bytes")


class OffsetMismatch(UploadError):
    def __init__(self, expected: int, given: int) -> None:
        super().__init__(f"the upload is at offset {expected}, not {given}: resume from {expected}")
        self.expected = expected
        self.given = given


class PastLength(UploadError):
    """A chunk would go past the declared length; the bytes before it are kept."""

    def __init__(self, length: int) -> None:
        super().__init__(f"the bytes go past the upload's length of {length}")
        self.length = length


class BadMetadata(UploadError, ValueError):
    """An ``Upload-Metadata`` header that is not comma-separated ``key base64value`` pairs."""


@dataclasses.dataclass(frozen=True, slots=True)
class UploadInfo:
    upload_id: str
    owner_id: str
    video_id: str
    length: int
    metadata: dict[str, str]
    created_at: float
    expires_at: float
    offset: int

    @property
    def complete(self) -> bool:
        return self.offset == self.length

    def expired(self, now: float) -> bool:
        return now >= self.expires_at


class UploadStore:
    """Uploads in ``folder``; each expires ``expiry_s`` after it was created."""

    def __init__(self, folder: Path, expiry_s: float = 24 * 3600) -> None:
        self.folder = folder
        self.expiry_s = expiry_s
        folder.mkdir(parents=True, exist_ok=True)

    def data_path(self, upload_id: str) -> Path:
        return self.folder / f"{check_id(upload_id)}.bin"

    def _info_path(self, upload_id: str) -> Path:
        return self.folder / f"{check_id(upload_id)}.json"

    def create(
        self,
        upload_id: str,
        *,
        owner_id: str,
        video_id: str,
        length: int,
        metadata: dict[str, str],
        now: float | None = None,
    ) -> UploadInfo:
        """The bytes file first, then the info published whole: an info file always has its bytes."""
        if length < 0:
            raise ValueError("an upload's length cannot be negative")
        created = time.time() if now is None else now
        record = {
            "owner_id": owner_id,
            "video_id": video_id,
            "length": length,
            "metadata": metadata,
            "created_at": created,
            "expires_at": created + self.expiry_s,
        }
        data, info = self.data_path(upload_id), self._info_path(upload_id)
        if info.exists():
            raise UploadError(f"upload {upload_id!r} already exists")
        data.touch(exist_ok=False)
        partial = info.with_suffix(".json.part")
        partial.write_text(json.dumps(record))
        os.replace(partial, info)
        return self.info(upload_id)

    def info(self, upload_id: str) -> UploadInfo:
        try:
            record: dict[str, Any] = json.loads(self._info_path(upload_id).read_text())
            offset = self.data_path(upload_id).stat().st_size
        except FileNotFoundError:
            raise UploadNotFound(upload_id) from None
        return UploadInfo(
            upload_id=upload_id,
            owner_id=str(record["owner_id"]),
            video_id=str(record["video_id"]),
            length=int(record["length"]),
            metadata=dict(record["metadata"]),
            created_at=float(record["created_at"]),
            expires_at=float(record["expires_at"]),
            offset=offset,
        )

    @contextlib.contextmanager
    def locked(self, upload_id: str) -> Iterator[Upload]:
        """The upload held for this caller alone; ``UploadBusy`` at once if someone else holds it.
        The bytes written are synced to disk before the lock is let go."""
        try:
            lock = self._info_path(upload_id).open("rb")
        except FileNotFoundError:
            raise UploadNotFound(upload_id) from None
        with lock:
            try:
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise UploadBusy(upload_id) from None
            # Whoever held it before may have finished and removed the upload meanwhile.
            upload = Upload(self, self.info(upload_id))
            try:
                yield upload
            finally:
                upload.close()

    def append(self, upload_id: str, offset: int, chunks: Iterable[bytes]) -> int:
        """Writes ``chunks`` at ``offset``; the new offset. If ``chunks`` breaks off (a dropped
        connection), the bytes that arrived are kept and the error goes on to the caller."""
        with self.locked(upload_id) as upload:
            upload.expect(offset)
            for chunk in chunks:
                upload.write(chunk)
            return upload.offset

    def unfinished(self, now: float) -> list[UploadInfo]:
        """Every upload created and neither finished, ended nor expired: what is still on its way."""
        found = []
        for info_file in self.folder.glob("*.json"):
            with contextlib.suppress(UploadError):  # finished or removed while we looked
                info = self.info(info_file.stem)
                if not info.expired(now):
                    found.append(info)
        return found

    @contextlib.contextmanager
    def creating(self) -> Iterator[None]:
        """Held while counting uploads and creating one, by every process sharing this folder, so
        two creations never both fit under a limit that has room for one."""
        fd = os.open(self.folder, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def terminate(self, upload_id: str) -> None:
        with self.locked(upload_id) as upload:
            upload.remove()

    def sweep_expired(self, now: float) -> int:
        """Removes every upload past its expiry that nobody is writing to; says how many. Bytes
        without an info file (a crash between the two during creation) go once they are as old."""
        removed = 0
        for info_file in self.folder.glob("*.json"):
            upload_id = info_file.stem
            with contextlib.suppress(UploadError), self.locked(upload_id) as upload:
                if upload.info.expired(now):
                    upload.remove()
                    removed += 1
        for data in self.folder.glob("*.bin"):
            if not data.with_suffix(".json").exists() and _older_than(data, now - self.expiry_s):
                data.unlink(missing_ok=True)
                removed += 1
        return removed


class Upload:
    """An upload held under its lock: bytes can be added to it, or it can be removed."""

    def __init__(self, store: UploadStore, info: UploadInfo) -> None:
        self._store = store
        self.info = info
        self.offset = info.offset
        self._file: BinaryIO | None = None
        self.removed = False

    @property
    def path(self) -> Path:
        return self._store.data_path(self.info.upload_id)

    @property
    def complete(self) -> bool:
        return self.offset == self.info.length

    def expect(self, offset: int) -> None:
        if offset != self.offset:
            raise OffsetMismatch(self.offset, offset)

    def write(self, data: bytes) -> None:
        """Appends ``data`` whole, or refuses it whole when it would go past the length."""
        if self.offset + len(data) > self.info.length:
            raise PastLength(self.info.length)
        if self._file is None:
            self._file = self.path.open("ab")
        self._file.write(data)
        self.offset += len(data)

    def sync(self) -> None:
        """The offset a HEAD reports must survive a crash, or a client would skip bytes."""
        if self._file is not None:
            self._file.flush()
            os.fsync(self._file.fileno())

    def remove(self) -> None:
        self.close()
        self.path.unlink(missing_ok=True)
        self._store._info_path(self.info.upload_id).unlink(missing_ok=True)
        self.removed = True

    def close(self) -> None:
        if self._file is not None:
            try:
                self.sync()
            finally:
                self._file.close()
                self._file = None


def check_id(upload_id: str) -> str:
    if not UPLOAD_ID.fullmatch(upload_id):
        raise UploadNotFound(upload_id)
    return upload_id


def _older_than(path: Path, moment: float) -> bool:
    try:
        return path.stat().st_mtime < moment
    except FileNotFoundError:
        return False


# -- Upload-Metadata -------------------------------------------------------------------------------


def parse_metadata(header: str) -> dict[str, str]:
    """``key base64value`` pairs separated by commas; a key alone has an empty value."""
    if len(header) > MAX_METADATA_CHARS:
        raise BadMetadata(f"Upload-Metadata is longer than {MAX_METADATA_CHARS} characters")
    found: dict[str, str] = {}
    for pair in (p.strip() for p in header.split(",")):
        if not pair:
            continue
        key, _, encoded = pair.partition(" ")
        if not METADATA_KEY.fullmatch(key) or " " in encoded.strip():
            raise BadMetadata(f"Upload-Metadata pair {pair[:40]!r} is not 'key base64value'")
        if key in found:
            raise BadMetadata(f"Upload-Metadata names {key!r} twice")
        found[key] = _decode(key, encoded.strip())
    return found


def encode_metadata(metadata: dict[str, str]) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}".rstrip() for k, v in metadata.items())


def _decode(key: str, encoded: str) -> str:
    try:
        return base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise BadMetadata(f"Upload-Metadata value of {key!r} is not base64 of UTF-8 text") from None
