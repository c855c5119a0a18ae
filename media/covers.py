"""Making a cover: the frame at a chosen time of a processed video, as a JPEG poster.

It is taken from the video's own best H.264 rendition, never from the upload: the rendition is what
viewers see (upright, scaled, with no metadata of the phone that shot it), and the upload may be
gone. Only what the frame needs is fetched from media storage: the rendition's init segment and the
one media segment holding the time, joined into one fragmented MP4 on local disk. ffmpeg reads that
file through ``media.ingest_guard`` (the MP4 demuxer forced, its own bytes and nothing they point
at), so even a rendition someone tampered with cannot make it read anything else, and it has a time
limit. The playlists are parsed here, not handed to ffmpeg.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from media.hls import MediaPlaylist, PlaylistError, Segment, Variant, parse_master, parse_media
from media.ingest_guard import NotPlayable, admit, isolated
from media.storage import MediaNotFound, MediaStorage, check_key

MASTER = "master.m3u8"
COVER_TIMEOUT_S = 60.0
#: How far before the chosen time a second try looks, when the time falls after a segment's last frame.
STEP_BACK_S = 0.5


class CoverNotMade(Exception):
    """``permanent``: this video will never give this frame; otherwise trying again may."""

    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


def make_cover(
    storage: MediaStorage, prefix: str, at_ms: int, workdir: Path, *, timeout_s: float = COVER_TIMEOUT_S
) -> Path:
    """The frame at ``at_ms`` of the outputs under ``prefix`` (``media.keys.outputs``), as a JPEG in
    ``workdir``."""
    try:
        folder, playlist = _best_rendition(storage, prefix)
        segment, offset_s = segment_at(playlist, at_ms / 1000)
        clip = workdir.absolute() / "clip.mp4"
        with clip.open("wb") as out:
            for name in (playlist.map_uri, segment.uri):
                if name is not None:
                    out.write(storage.read(_child(folder, name)))
        admitted = admit(clip)
    except (MediaNotFound, PlaylistError, NotPlayable, UnicodeDecodeError) as error:
        raise CoverNotMade(f"the video's rendition cannot be read: {error}", permanent=True) from None
    picture = workdir.absolute() / "cover.jpg"
    for start_s in _tries(offset_s):
        _run(_command(_ffmpeg(), admitted.input_args(), start_s, picture), timeout_s)
        if picture.is_file() and picture.stat().st_size > 0:
            return picture
    raise CoverNotMade("the rendition has no frame at that time", permanent=True)


def segment_at(playlist: MediaPlaylist, at_s: float) -> tuple[Segment, float]:
    """The segment holding ``at_s`` and how far into it the time is; past the end, the last one."""
    start = 0.0
    for segment in playlist.segments:
        if at_s < start + segment.duration_s:
            return segment, max(0.0, at_s - start)
        start += segment.duration_s
    last = playlist.segments[-1]
    return last, max(0.0, last.duration_s - STEP_BACK_S)


def _best_rendition(storage: MediaStorage, prefix: str) -> tuple[str, MediaPlaylist]:
    """The H.264 rendition with the most pixels (any codec if none is H.264): its folder and playlist."""
    variants = parse_master(storage.read(_child(prefix, MASTER)).decode())
    best = max(variants, key=_preference)
    uri = PurePosixPath(best.uri)
    if len(uri.parts) != 2:
        raise PlaylistError(f"variant {best.uri} is not a playlist in a folder of its own")
    folder = _child(prefix, uri.parts[0])
    return folder, parse_media(storage.read(_child(folder, uri.parts[1])).decode())


def _preference(variant: Variant) -> tuple[bool, int]:
    return variant.codecs.startswith("avc1"), variant.width * variant.height


def _child(folder: str, name: str) -> str:
    """A file named by one of our playlists: a plain name in ``folder``, nothing that climbs out."""
    if "/" in name or "\\" in name or name in ("", ".", ".."):
        raise PlaylistError(f"the playlist names {name!r}, not a file beside it")
    return check_key(f"{folder}/{name}")


def _tries(offset_s: float) -> Iterator[float]:
    """The time asked for; then a little before it, then the segment's start, in case the time falls
    after the segment's last frame (segments are cut at keyframes, not at frame ends)."""
    yield offset_s
    if offset_s > 0:
        yield max(0.0, offset_s - STEP_BACK_S)
    if offset_s > STEP_BACK_S:
        yield 0.0


def _command(ffmpeg: str, input_args: list[str], start_s: float, picture: Path) -> list[str]:
    """``-ss`` before the input seeks from the segment's own start (ffmpeg adds the file's start time)."""
    head = [ffmpeg, "-hide_banner", "-nostdin", "-nostats", "-v", "error", "-y", "-threads", "1"]
    out = ["-map", "0:V:0", "-frames:v", "1", "-map_metadata", "-1", "-q:v", "2", "-update", "1"]
    return [*head, "-ss", f"{start_s:.3f}", *input_args, *out, "-f", "image2", f"file:{picture}"]


def _run(args: list[str], timeout_s: float) -> None:
    try:
        with isolated() as place:
            done = subprocess.run(
                args,
                capture_output=True,
                text=True,
                timeout=timeout_s,
                check=False,
                stdin=subprocess.DEVNULL,
                cwd=place.cwd,
                env=place.env,
            )
    except subprocess.TimeoutExpired:
        raise CoverNotMade(f"ffmpeg did not finish within {timeout_s:g} s", permanent=False) from None
    if done.returncode != 0:
        said = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
        raise CoverNotMade(f"ffmpeg could not take the frame: {said}", permanent=done.returncode > 0)


def _ffmpeg() -> str:
    found = shutil.which("ffmpeg")
    if found is None:
        raise RuntimeError("ffmpeg is not installed (scripts/system_deps.sh installs it)")
    return found
