"""The archive of a data export: a zip of everything Strom holds about one person.

- ``events.json``: every event that is theirs (``domain.accounts.export_scope``), decrypted, as a
  JSON array grouped by stream (streams in name order, each in its own order; every event carries
  its global ``position`` to sort by). What is withheld and why: ``commands.export_events``.
- ``profile.json``: the account as those events leave it (no password hash, no refresh secrets).
- ``avatar.webp``: the profile picture they uploaded, if the profile shows one (its ``avatar_url``
  then reads ``avatar:<id>``), as Strom serves it.
- ``videos/<video_id>/source.<ext>``: the original upload of each of their videos still in media
  storage, byte for byte.
- ``manifest.json`` and ``README.txt``: what the archive holds, for programs and for people.

Which streams to read comes from the exporter's index of the streams each person has events in
(``read_models.data_exports``), kept as the log goes by, so an export costs the person's own history
and not a scan of everyone's. Which videos comes from those same events (drafted, uploaded, deleted
as of the request), so the sources always match ``events.json``.

Written to a local file entry by entry: events stream out of the log a page at a time and a
video's bytes a megabyte at a time, so nothing is held whole in memory however long the history
or large the videos. Media storage then takes the finished file.
"""

from __future__ import annotations

import dataclasses
import hashlib
import zipfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any, cast

import orjson

from commands import streams
from commands.context import Ports
from commands.export_events import ExportedEvent, events_of
from domain import accounts
from domain.accounts.rules import own_avatar_id
from domain.errors import InvalidCommand
from media import images, keys
from media.ingest_guard import HEAD_BYTES, MATROSKA, sniff
from media.storage import MediaStorage
from read_models import data_exports
from read_models.port import ReadStore

CHUNK_BYTES = 1 << 20
JSON = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS


@dataclasses.dataclass(frozen=True, slots=True)
class Archive:
    path: Path
    size_bytes: int
    sha256: str


@dataclasses.dataclass(slots=True)
class _Seen:
    """What the archive needs from the events beyond writing them out: the account and the videos."""

    person: str
    account: accounts.State = accounts.initial
    email: str | None = None
    events: int = 0
    #: Each video's latest completed upload, in the order the videos were first seen.
    uploads: dict[str, str | None] = dataclasses.field(default_factory=dict)
    deleted: set[str] = dataclasses.field(default_factory=set)

    def see(self, item: ExportedEvent) -> None:
        self.events += 1
        event, data = item.event, item.data
        if item.record.stream == streams.user(self.person):
            self.account = accounts.evolve(self.account, cast(accounts.Event, event))
            if isinstance(event, accounts.UserRegistered):
                self.email = event.email
        video_id = data.get("video_id")
        if data.get("owner_id") != self.person or not isinstance(video_id, str):
            return
        if item.record.type == "VideoDraftCreated":
            self.uploads.setdefault(video_id, None)
        elif item.record.type == "VideoUploadCompleted":
            self.uploads[video_id] = data["upload_id"]
        elif item.record.type == "VideoDeleted":
            self.deleted.add(video_id)


def write_archive(
    person: str,
    *,
    until: int,
    ports: Ports,
    store: ReadStore,
    storage: MediaStorage,
    target: Path,
    now: datetime,
) -> Archive:
    """The archive of ``person``'s data as of log position ``until``, written to ``target``."""
    seen = _Seen(person)
    stamp = now.timetuple()[:6]
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        theirs = events_of(person, data_exports.streams_of(store, person), until=until, ports=ports)
        with _entry(archive, "events.json", stamp) as out:
            _write_events(out, theirs, seen)
        profile = orjson.dumps(_profile(seen), option=JSON)
        archive.writestr(_info("profile.json", stamp), profile)
        avatar = _copy_avatar(archive, storage, person, seen.account.avatar_url, stamp)
        videos = [_copy_source(archive, storage, video, upload, stamp) for video, upload in _kept(seen)]
        manifest = _manifest(person, until, now, seen, videos)
        if avatar is not None:
            manifest["files"][avatar] = "your profile picture"
        archive.writestr(_info("manifest.json", stamp), orjson.dumps(manifest, option=JSON))
        archive.writestr(_info("README.txt", stamp), _readme(manifest))
    return Archive(target, target.stat().st_size, _sha256(target))


def _entry(archive: zipfile.ZipFile, name: str, stamp: tuple[int, ...], *, stored: bool = False) -> IO[bytes]:
    info = _info(name, stamp)
    if stored:
        info.compress_type = zipfile.ZIP_STORED
    return archive.open(info, "w", force_zip64=True)


def _info(name: str, stamp: tuple[int, ...]) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=stamp)  # type: ignore[arg-type]
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _write_events(out: IO[bytes], events: Iterable[ExportedEvent], seen: _Seen) -> None:
    out.write(b"[")
    for item in events:
        out.write(b"\n" if seen.events == 0 else b",\n")
        seen.see(item)
        out.write(orjson.dumps(item.describe(), option=orjson.OPT_SORT_KEYS))
    out.write(b"\n]\n")


def _profile(seen: _Seen) -> dict[str, Any]:
    account = seen.account
    return {
        "user_id": seen.person,
        "handle": account.handle or None,
        "email": seen.email,
        "display_name": account.display_name,
        "bio": account.bio,
        "avatar_url": account.avatar_url,
        "role": account.role.value,
        "personalisation_consent": account.consent,
        "erased": account.erased,
        "sessions": [
            {
                "session_id": s.session_id,
                "started_at": s.started_at.isoformat(),
                "refreshed_at": s.refreshed_at.isoformat() if s.refreshed_at else None,
                "expires_at": s.expires_at.isoformat(),
            }
            for s in account.sessions
        ],
    }


def _kept(seen: _Seen) -> Iterator[tuple[str, str | None]]:
    for video_id, upload_id in seen.uploads.items():
        if video_id not in seen.deleted:
            yield video_id, upload_id


def _copy_source(
    archive: zipfile.ZipFile,
    storage: MediaStorage,
    video_id: str,
    upload_id: str | None,
    stamp: tuple[int, ...],
) -> dict[str, Any]:
    """Copies the source in a megabyte at a time; says what became of it for the manifest."""
    key = keys.source(video_id, upload_id) if upload_id else None
    if key is None or not storage.exists(key):
        return {"video_id": video_id, "file": None, "note": "no source in storage"}
    size = storage.size(key)
    name = f"videos/{video_id}/source.{_extension(storage.read(key, 0, HEAD_BYTES))}"
    digest = hashlib.sha256()
    with _entry(archive, name, stamp, stored=True) as out:  # video is compressed already
        for position in range(0, size, CHUNK_BYTES):
            chunk = storage.read(key, position, min(position + CHUNK_BYTES, size))
            digest.update(chunk)
            out.write(chunk)
    return {"video_id": video_id, "file": name, "size_bytes": size, "sha256": digest.hexdigest()}


def _copy_avatar(
    archive: zipfile.ZipFile,
    storage: MediaStorage,
    person: str,
    avatar_url: str | None,
    stamp: tuple[int, ...],
) -> str | None:
    """The uploaded picture the profile shows, at its largest size; its name in the archive."""
    avatar_id = own_avatar_id(avatar_url)
    key = None if avatar_id is None else f"{keys.avatar(person, avatar_id)}/{max(images.SIZES)}.webp"
    if key is None or not storage.exists(key):
        return None
    archive.writestr(_info("avatar.webp", stamp), storage.read(key))
    return "avatar.webp"


def _extension(head: bytes) -> str:
    """The container the upload's first bytes announce; ``bin`` if it is none we know."""
    try:
        container = sniff(head)
    except InvalidCommand:
        return "bin"
    if container is MATROSKA:
        return "webm" if b"webm" in head else "mkv"
    return "mp4"


def _manifest(
    person: str, until: int, now: datetime, seen: _Seen, videos: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "user_id": person,
        "created_at": now.isoformat(),
        "log_position": until,
        "files": {
            "events.json": f"{seen.events} events that are yours, decrypted",
            "profile.json": "your account as it stands",
        },
        "videos": videos,
    }


def _readme(manifest: dict[str, Any]) -> str:
    lines = [
        "Your data from Strom",
        "====================",
        "",
        f"Account:  {manifest['user_id']}",
        f"Created:  {manifest['created_at']}",
        f"Covers:   everything recorded up to log position {manifest['log_position']}",
        "",
        "events.json    Every event that is yours, oldest first within each stream: what you did,",
        "               and what happened to your account, videos and comments. Your own personal",
        "               fields are decrypted; what someone else wrote is [withheld], as are",
        "               password hashes. null with an 'erased' list means the key was erased.",
        "profile.json   Your account as those events leave it.",
        "avatar.webp    Your profile picture, if you uploaded one.",
        "manifest.json  This list, for programs.",
        "videos/        The original upload of each of your videos still stored.",
        "",
        f"{manifest['files']['events.json']}.",
        "",
        "Videos:",
    ]
    for video in manifest["videos"] or [{"video_id": "(none)", "file": None, "note": ""}]:
        where = video["file"] or video["note"]
        lines.append(f"  {video['video_id']}  {where}".rstrip())
    return "\n".join(lines) + "\n"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        while chunk := data.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()
