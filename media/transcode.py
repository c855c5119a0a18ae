"""Transcoding a probed source into an HLS ladder on local disk, and publishing it to media storage.

``transcode`` runs one ffmpeg process (see ``media.ffmpeg_ladder``), reports progress, and measures
what came out for the master playlist. A failure says whether trying again can help: ffmpeg killed
by a signal or a timeout, a full disk or memory are transient; ffmpeg refusing the input is
permanent, and retrying it only burns CPU. The source is admitted again here, whatever probed it
before (``media.ingest_guard``): a file that is not in an accepted container fails for good before
ffmpeg starts, and ffmpeg reads the source's own bytes and nothing they point at.

``publish`` copies the outputs to storage so that a reader never meets a playlist naming a missing
object: each rendition's segments before its playlist, and the master playlist last of all. A job
killed half-way leaves no master, so the video is not playable rather than half-playable, and the
retried job writes the same keys again.
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from media import ffmpeg_ladder as layout
from media.hls import (
    AAC_LC,
    MediaPlaylist,
    PlaylistError,
    Variant,
    average_bandwidth,
    master_playlist,
    parse_media,
    peak_bandwidth,
    video_codec,
)
from media.ingest_guard import Admitted, NotPlayable, admit, isolated
from media.ladder import Rendition
from media.probe import Probe
from media.storage import MediaStorage

PROGRESS_EVERY_S = 1.0
PROBE_TIMEOUT_S = 60.0
#: ffmpeg's words for failures of the machine rather than of the input.
TRANSIENT_ERRORS = (
    "No space left on device",
    "Cannot allocate memory",
    "Resource temporarily unavailable",
    "Too many open files",
    "Input/output error",
)
#: ffmpeg exits 255 after it caught SIGINT or SIGTERM and stopped early.
INTERRUPTED = 255


class TranscodeFailed(Exception):
    """``permanent``: this input will never transcode; otherwise the same job may succeed later."""

    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


@dataclass(frozen=True, slots=True)
class Transcoded:
    """A finished ladder in ``workdir``; ``variants`` are measured from the files, in ladder order."""

    workdir: Path
    renditions: list[Rendition]
    variants: list[Variant]
    master: Path
    poster: Path
    thumbnails_vtt: Path
    thumbnails_image: Path


@dataclass(frozen=True, slots=True)
class Published:
    """Storage keys: the renditions' names, and where the master, poster and thumbnail cues are."""

    renditions: list[str]
    master_playlist: str
    poster: str
    thumbnails: str


def transcode(
    source: Path,
    probe: Probe,
    workdir: Path,
    renditions: list[Rendition],
    *,
    on_progress: Callable[[float], None] = lambda _: None,
    segment_s: float = 2.0,
    timeout_s: float | None = None,
    preset: str = layout.X264_PRESET,
) -> Transcoded:
    """``workdir`` may hold other files (the source, say); only the outputs' own names are replaced."""
    if not renditions:
        raise ValueError("a ladder needs at least one rendition")
    admitted = _admit(source)
    workdir = workdir.absolute()
    _prepare(workdir, renditions)
    args = layout.command(
        _binary("ffmpeg"), admitted, probe, workdir, renditions, segment_s=segment_s, preset=preset
    )
    written = _segments_written(workdir / renditions[0].name, segment_s, probe.duration_s)
    _run(args, workdir / "ffmpeg.log", probe.duration_s, _rising(on_progress), timeout_s, written)
    strip = layout.thumbnail_strip(probe)
    (workdir / layout.THUMBS_VTT).write_text(strip.vtt(layout.THUMBS_IMAGE))
    variants = [_measure(workdir / r.name, r.name) for r in renditions]
    (workdir / layout.MASTER).write_text(master_playlist(variants))
    on_progress(1.0)
    return Transcoded(
        workdir=workdir,
        renditions=list(renditions),
        variants=variants,
        master=workdir / layout.MASTER,
        poster=workdir / layout.POSTER,
        thumbnails_vtt=workdir / layout.THUMBS_VTT,
        thumbnails_image=workdir / layout.THUMBS_IMAGE,
    )


def publish(done: Transcoded, storage: MediaStorage, prefix: str) -> Published:
    for rendition in done.renditions:
        folder = done.workdir / rendition.name
        playlist = _media_playlist(folder)
        for name in [*([playlist.map_uri] if playlist.map_uri else []), *(s.uri for s in playlist.segments)]:
            storage.put_file(f"{prefix}/{rendition.name}/{name}", folder / name)
        storage.put_file(f"{prefix}/{rendition.name}/{layout.INDEX}", folder / layout.INDEX)
    for path in (done.poster, done.thumbnails_image, done.thumbnails_vtt):
        storage.put_file(f"{prefix}/{path.name}", path)
    storage.put_file(f"{prefix}/{layout.MASTER}", done.master)
    return Published(
        renditions=[r.name for r in done.renditions],
        master_playlist=f"{prefix}/{layout.MASTER}",
        poster=f"{prefix}/{layout.POSTER}",
        thumbnails=f"{prefix}/{layout.THUMBS_VTT}",
    )


def _prepare(workdir: Path, renditions: list[Rendition]) -> None:
    """Removes what an earlier, killed attempt left, so no stale segment is measured or published."""
    workdir.mkdir(parents=True, exist_ok=True)
    for rendition in renditions:
        shutil.rmtree(workdir / rendition.name, ignore_errors=True)
        (workdir / rendition.name).mkdir()
    for name in (layout.MASTER, layout.POSTER, layout.THUMBS_IMAGE, layout.THUMBS_VTT):
        (workdir / name).unlink(missing_ok=True)


# -- running ffmpeg ----------------------------------------------------------------------


def _admit(source: Path) -> Admitted:
    try:
        return admit(source)
    except NotPlayable as refused:
        raise TranscodeFailed(refused.reason, permanent=True) from None


def _run(
    args: list[str],
    log: Path,
    duration_s: float,
    on_progress: Callable[[float], None],
    timeout_s: float | None,
    written: Callable[[], float] = lambda: 0.0,
) -> None:
    """Progress is read here, in the caller's thread, so ``on_progress`` needs no locking."""
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    with log.open("wb") as errors, isolated() as place:
        env = {**place.env, "SVT_LOG": "1"}  # SVT-AV1 prints its banner to stderr unless told not to
        process = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=errors, stdin=subprocess.DEVNULL, cwd=place.cwd, env=env
        )
        try:
            timed_out = _follow(process, duration_s, on_progress, deadline, written)
        finally:
            if process.poll() is None:
                process.kill()
            process.wait()
    if timed_out:
        raise TranscodeFailed(f"ffmpeg did not finish within {timeout_s:g} s", permanent=False)
    _check_exit(process.returncode, log)


def _follow(
    process: subprocess.Popen[bytes],
    duration_s: float,
    on_progress: Callable[[float], None],
    deadline: float | None,
    written: Callable[[], float] = lambda: 0.0,
) -> bool:
    """Reads ``-progress`` lines until ffmpeg closes stdout; True if the deadline came first.

    ffmpeg reports nothing until every output has a frame, and the thumbnail strip gets its one frame
    at the end: until then the segments ``written`` say how far the encode has got."""
    assert process.stdout is not None
    pending, last_report = b"", 0.0
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while True:
            wait = None if deadline is None else deadline - time.monotonic()
            if wait is not None and wait <= 0:
                return True
            lines: list[bytes] = []
            if selector.select(PROGRESS_EVERY_S if wait is None else min(wait, PROGRESS_EVERY_S)):
                chunk = os.read(process.stdout.fileno(), 65536)
                if not chunk:
                    return False
                *lines, pending = (pending + chunk).split(b"\n")
            done = max(_progress(lines, duration_s) or 0.0, written())
            if done > 0 and time.monotonic() - last_report >= PROGRESS_EVERY_S:
                last_report = time.monotonic()
                on_progress(done)


def _segments_written(folder: Path, segment_s: float, duration_s: float) -> Callable[[], float]:
    """The share of the source the rendition in ``folder`` has finished segments for (the newest one
    may still be being written), below 1 until the end."""

    def share() -> float:
        finished = max(0, len(list(folder.glob(layout.SEGMENTS.replace("%05d", "*")))) - 1)
        return min(0.99, finished * segment_s / max(duration_s, 1e-3))

    return share


def _rising(on_progress: Callable[[float], None]) -> Callable[[float], None]:
    """Passes on only what moves forward: two estimates of the same encode may disagree a little."""
    best = 0.0

    def report(done: float) -> None:
        nonlocal best
        if done >= best:
            best = done
            on_progress(done)

    return report


def _progress(lines: list[bytes], duration_s: float) -> float | None:
    """The latest ``out_time_us`` as a fraction of the source's duration, below 1 until the end."""
    done = None
    for line in lines:
        key, _, value = line.decode(errors="replace").partition("=")
        if key == "out_time_us" and value.strip().lstrip("-").isdigit():
            done = min(0.99, max(0.0, int(value) / 1e6 / max(duration_s, 1e-3)))
    return done


def _check_exit(code: int, log: Path) -> None:
    if code == 0:
        return
    said = _last_error(log)
    if code < 0 or code == INTERRUPTED:
        raise TranscodeFailed(f"ffmpeg was stopped by a signal ({said or f'exit {code}'})", permanent=False)
    if any(marker in said for marker in TRANSIENT_ERRORS):
        raise TranscodeFailed(f"ffmpeg ran out of a resource: {said}", permanent=False)
    raise TranscodeFailed(f"ffmpeg could not transcode the video: {said or f'exit {code}'}", permanent=True)


def _last_error(log: Path) -> str:
    lines = [line.strip() for line in log.read_text(errors="replace").splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _binary(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} is not installed (scripts/system_deps.sh installs ffmpeg)")
    return found


# -- measuring the outputs ---------------------------------------------------------------


def _media_playlist(folder: Path) -> MediaPlaylist:
    try:
        return parse_media((folder / layout.INDEX).read_text())
    except (OSError, PlaylistError) as error:
        raise TranscodeFailed(
            f"ffmpeg left no playable {folder.name} rendition: {error}", permanent=True
        ) from None


def _measure(folder: Path, name: str) -> Variant:
    """Bandwidth from the segment files, codec from the init segment, size and rate from ffprobe."""
    playlist = _media_playlist(folder)
    durations = [s.duration_s for s in playlist.segments]
    sizes = [(folder / s.uri).stat().st_size for s in playlist.segments]
    sizes[0] += (folder / layout.INIT).stat().st_size
    streams = _ffprobe(folder / layout.INDEX, "stream=codec_type,width,height,avg_frame_rate,r_frame_rate")
    video = next((s for s in streams if s.get("codec_type") == "video"), None)
    if video is None:
        raise TranscodeFailed(f"the {name} rendition has no video track", permanent=True)
    codecs = [video_codec(folder / layout.INIT)]
    codecs += [AAC_LC] if any(s.get("codec_type") == "audio" for s in streams) else []
    return Variant(
        uri=f"{name}/{layout.INDEX}",
        bandwidth=peak_bandwidth(durations, sizes, playlist.target_duration),
        average_bandwidth=average_bandwidth(durations, sizes),
        width=int(str(video["width"])),
        height=int(str(video["height"])),
        codecs=",".join(codecs),
        frame_rate=_rate(video),
    )


def _rate(stream: dict[str, object]) -> float:
    for key in ("avg_frame_rate", "r_frame_rate"):
        numerator, _, denominator = str(stream.get(key, "0/0")).partition("/")
        if numerator.isdigit() and denominator.isdigit() and int(denominator) and int(numerator):
            return float(Fraction(int(numerator), int(denominator)))
    return 0.0


def _ffprobe(path: Path, entries: str) -> list[dict[str, object]]:
    done = subprocess.run(
        [_binary("ffprobe"), "-v", "error", "-show_entries", entries, "-of", "json", str(path)],
        capture_output=True,
        text=True,
        timeout=PROBE_TIMEOUT_S,
        check=False,
    )
    if done.returncode != 0:
        raise TranscodeFailed(
            f"ffprobe cannot read {path.parent.name}/{path.name}: {done.stderr.strip()}", permanent=True
        )
    streams: list[dict[str, object]] = json.loads(done.stdout or "{}").get("streams") or []
    return streams
