"""What an uploaded file is, according to ``ffprobe``, and whether it is a video we can play.

``from_ffprobe`` and ``within_limits`` are pure, so every rule is testable on canned ffprobe output;
``probe`` adds admitting the file (``media.ingest_guard``: only accepted containers, read only through
the guard's options) and running ffprobe. A refusal is ``NotPlayable`` with a reason fit to show the
uploader and to record in an event. The limits default to the ones in ``domain.videos.rules``, so the
upload check and the transcode worker, which both call ``probe``, refuse the same videos.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from domain.videos.rules import (
    MAX_DIMENSION,
    MAX_DURATION_MS,
    MAX_FRAME_RATE,
    MAX_SIZE_BYTES,
    MIN_DIMENSION,
)
from media.ingest_guard import Admitted, NotPlayable, admit, isolated

__all__ = ["MIN_DIMENSION", "NotPlayable", "Probe", "from_ffprobe", "probe", "within_limits"]

MAX_DURATION_S = MAX_DURATION_MS / 1000
IMAGE_CODECS = {"png", "apng", "mjpeg", "jpegls", "bmp", "gif", "webp", "tiff", "jpeg2000", "jpegxl", "svg"}
PROBE_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Probe:
    """A playable video. ``width`` and ``height`` are as displayed, after ``rotation`` (clockwise
    degrees, one of 0, 90, 180, 270), so a phone's portrait clip is taller than wide. ``frame_rate``
    is the average, in frames a second; None where ffprobe cannot tell."""

    container: str
    duration_s: float
    width: int
    height: int
    rotation: int
    video_codec: str
    audio_codec: str | None
    frame_rate: float | None = None

    @property
    def has_audio(self) -> bool:
        return self.audio_codec is not None


def probe(
    path: Path,
    *,
    max_duration_s: float = MAX_DURATION_S,
    max_dimension: int = MAX_DIMENSION,
    max_size_bytes: int = MAX_SIZE_BYTES,
    timeout_s: float = PROBE_TIMEOUT_S,
) -> Probe:
    upload = admit(path)
    if upload.size_bytes > max_size_bytes:
        too_big = f"the file is {_size(upload.size_bytes)}; at most {_size(max_size_bytes)} are allowed"
        raise NotPlayable(too_big)
    return within_limits(
        from_ffprobe(_run_ffprobe(upload, timeout_s)),
        max_duration_s=max_duration_s,
        max_dimension=max_dimension,
    )


def from_ffprobe(data: dict[str, Any]) -> Probe:
    """Reads ffprobe's ``-show_format -show_streams [-count_packets]`` JSON."""
    fmt: dict[str, Any] = data.get("format") or {}
    streams: list[dict[str, Any]] = data.get("streams") or []
    video = _video_stream(streams)
    if _is_image(fmt, video):
        raise NotPlayable("the file is a still image, not a video")
    if _is_truncated(video):
        raise NotPlayable("the file is incomplete: part of the video is missing (was the upload cut short?)")
    codec = video.get("codec_name")
    width, height = video.get("width"), video.get("height")
    if not codec or not isinstance(width, int) or not isinstance(height, int):
        raise NotPlayable("the video track cannot be decoded: its codec or size is unknown")
    rotation = _rotation(video)
    if rotation in (90, 270):
        width, height = height, width
    return Probe(
        container=str(fmt.get("format_name", "")),
        duration_s=_duration(fmt, video),
        width=width,
        height=height,
        rotation=rotation,
        video_codec=str(codec),
        audio_codec=_audio_codec(streams),
        frame_rate=_frame_rate(video),
    )


def within_limits(
    found: Probe,
    *,
    max_duration_s: float = MAX_DURATION_S,
    max_dimension: int = MAX_DIMENSION,
    max_frame_rate: float = MAX_FRAME_RATE,
) -> Probe:
    if found.duration_s > max_duration_s:
        raise NotPlayable(
            f"the video is {_minutes(found.duration_s)} long; at most {_minutes(max_duration_s)} are allowed"
        )
    size = f"{found.width}x{found.height}"
    if max(found.width, found.height) > max_dimension:
        raise NotPlayable(f"the video is {size} pixels; at most {max_dimension} pixels a side are allowed")
    if min(found.width, found.height) < MIN_DIMENSION:
        raise NotPlayable(f"the video is {size} pixels; at least {MIN_DIMENSION} pixels a side are needed")
    if found.frame_rate is not None and found.frame_rate > max_frame_rate:
        raise NotPlayable(
            f"the video has {found.frame_rate:.4g} frames a second; at most {max_frame_rate:g} are allowed"
        )
    return found


def _run_ffprobe(upload: Admitted, timeout_s: float) -> dict[str, Any]:
    ffprobe = shutil.which("ffprobe")
    if ffprobe is None:
        raise RuntimeError("ffprobe is not installed (scripts/system_deps.sh installs ffmpeg)")
    command = [
        ffprobe,
        "-v",
        "error",
        "-count_packets",
        "-print_format",
        "json",
        "-show_format",
        "-show_streams",
    ]
    try:
        with isolated() as place:
            done = subprocess.run(
                [*command, *upload.input_args()],
                capture_output=True,
                text=True,
                timeout=timeout_s,
                check=False,
                stdin=subprocess.DEVNULL,
                cwd=place.cwd,
                env=place.env,
            )
    except subprocess.TimeoutExpired:
        raise NotPlayable("the file could not be read in time; it is not a video we can play") from None
    if done.returncode != 0:
        raise NotPlayable(
            f"the file is incomplete: it starts like {upload.container.label} video "
            "but the rest is missing or damaged"
        )
    parsed: dict[str, Any] = json.loads(done.stdout or "{}")
    return parsed


def _video_stream(streams: list[dict[str, Any]]) -> dict[str, Any]:
    """The first real video track; cover art attached to an audio file does not count."""
    for stream in streams:
        if stream.get("codec_type") == "video" and not _disposition(stream, "attached_pic"):
            return stream
    raise NotPlayable("the file has no video track")


def _is_image(fmt: dict[str, Any], video: dict[str, Any]) -> bool:
    """Image demuxers (``image2``, ``png_pipe``, ``jpeg_pipe``...) or one frame of an image codec;
    an animated GIF or a motion-JPEG clip has many frames and is a video."""
    name = str(fmt.get("format_name", ""))
    if name == "image2" or name.endswith("_pipe") or _disposition(video, "still_image"):
        return True
    frames = _int(video.get("nb_read_packets")) or _int(video.get("nb_frames"))
    one_frame = frames == 1 or _seconds(fmt.get("duration")) is None
    return video.get("codec_name") in IMAGE_CODECS and one_frame


def _is_truncated(video: dict[str, Any]) -> bool:
    """With ``-count_packets``, a file whose index promises more frames than it holds was cut short."""
    promised, read = _int(video.get("nb_frames")), _int(video.get("nb_read_packets"))
    return promised is not None and read is not None and read < promised


def _duration(fmt: dict[str, Any], video: dict[str, Any]) -> float:
    duration = _seconds(fmt.get("duration")) or _seconds(video.get("duration"))
    if duration is None:
        raise NotPlayable("the video's length is unknown: the file is damaged or incomplete")
    return duration


def _rotation(video: dict[str, Any]) -> int:
    """Clockwise degrees to turn the frames for display. The display matrix (what ffprobe reports
    in side data) turns counter-clockwise; the older ``rotate`` tag is clockwise."""
    for side in video.get("side_data_list") or []:
        if "rotation" in side:
            return _quarter_turns(-float(side["rotation"]))
    tag = (video.get("tags") or {}).get("rotate")
    return _quarter_turns(float(tag)) if tag is not None else 0


def _frame_rate(video: dict[str, Any]) -> float | None:
    """The average rate; ``r_frame_rate`` is a timestamp granularity, far above it in some files."""
    numerator, _, denominator = str(video.get("avg_frame_rate", "")).partition("/")
    if not (numerator.isdigit() and denominator.isdigit() and int(numerator) and int(denominator)):
        return None
    return float(Fraction(int(numerator), int(denominator)))


def _quarter_turns(degrees: float) -> int:
    return round(degrees / 90.0) % 4 * 90


def _audio_codec(streams: list[dict[str, Any]]) -> str | None:
    codecs = [s.get("codec_name") for s in streams if s.get("codec_type") == "audio"]
    return next((str(codec) for codec in codecs if codec), None)


def _disposition(stream: dict[str, Any], flag: str) -> bool:
    return bool((stream.get("disposition") or {}).get(flag))


def _seconds(value: object) -> float | None:
    """A positive, finite duration, or None for a missing or meaningless one."""
    try:
        seconds = float(str(value))
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) and seconds > 0 else None


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


def _size(size: int) -> str:
    for unit, scale in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{size} bytes"


def _minutes(seconds: float) -> str:
    if seconds < 60:
        return f"{round(seconds, 1):g} seconds"
    return f"{seconds / 60:.1f} minutes".replace(".0 minutes", " minutes")
