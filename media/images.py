"""Profile pictures: a JPEG, PNG or WebP in, square WebP pictures out, made by ffmpeg under guard.

What a picture is comes from its own first bytes, never from its name or the type a client declared;
anything else (a playlist, a concat list, text, a GIF, a HEIC) is refused before ffmpeg sees it. Its
width and height are read from its header, and a picture claiming more than ``max_pixels`` (a
decompression bomb: a few kilobytes that would decode to gigabytes) is refused before it is decoded;
ffmpeg's decoder is held to the same bound, should a header say less than the data.

ffmpeg then reads it as ``media.ingest_guard`` has it read videos: the sniffed format's own image
demuxer forced and alone allowed (never ``image2``, whose file names are patterns, nor anything that
names other files), the ``file`` protocol alone, the path absolute behind ``file:``, in an empty
read-only folder with an environment of nothing of ours, and a time limit. Every size is decoded and
encoded afresh, so nothing of the upload's metadata (a phone's GPS position, its model) survives.
ffmpeg turns a photo upright by its EXIF orientation before the square is cut.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from pathlib import Path

from domain.errors import InvalidCommand
from media.ingest_guard import isolated

#: The square sizes made, in pixels a side: a profile page's picture and a feed's or a list's.
SIZES = (320, 96)
ACCEPTED = "a JPEG, PNG or WebP picture"

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
#: JPEG markers that start a frame header (SOF0-15 but DHT, JPG and DAC), which holds the size.
_SOF = frozenset({*range(0xC0, 0xC4), *range(0xC5, 0xC8), *range(0xC9, 0xCC), *range(0xCD, 0xD0)})
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD9)})


class ImageRefused(InvalidCommand):
    """Not a picture we take; ``reason`` says why in words the uploader understands."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ImageTooLarge(ImageRefused):
    """More bytes than allowed."""


class NotAnImage(ImageRefused):
    """Not a JPEG, PNG or WebP picture, by its own bytes."""


class BadImage(ImageRefused):
    """One of ours by its first bytes, but damaged, too large in pixels, or undecodable."""


@dataclasses.dataclass(frozen=True, slots=True)
class ImageLimits:
    max_bytes: int = 5 * 1024 * 1024
    #: About 40 megapixels: a phone's largest photo; decoded, still a few hundred megabytes at most.
    max_pixels: int = 40_000_000
    min_side: int = 16
    timeout_s: float = 20.0


@dataclasses.dataclass(frozen=True, slots=True)
class Kind:
    """``demuxer`` is ffmpeg's single-image reader for this format: forced, and the only one allowed."""

    label: str
    demuxer: str


JPEG = Kind("JPEG", "jpeg_pipe")
PNG = Kind("PNG", "png_pipe")
WEBP = Kind("WebP", "webp_pipe")


@dataclasses.dataclass(frozen=True, slots=True)
class Picture:
    """One square size made: ``path`` holds a WebP of ``size`` x ``size`` pixels."""

    size: int
    path: Path

    @property
    def name(self) -> str:
        return f"{self.size}.webp"


def avatar_pictures(source: Path, workdir: Path, limits: ImageLimits = ImageLimits()) -> list[Picture]:
    """The upload at ``source`` as square WebP pictures of each of ``SIZES``, written in ``workdir``."""
    data = _read(source, limits.max_bytes)
    kind = sniff(data)
    width, height = dimensions(data, kind)
    check_size(width, height, limits)
    pictures = [Picture(size, workdir.absolute() / f"{size}.webp") for size in SIZES]
    _run(command(_ffmpeg(), kind, source.absolute(), pictures, limits.max_pixels), limits.timeout_s)
    if not all(p.path.is_file() and p.path.stat().st_size > 0 for p in pictures):
        raise BadImage(f"the picture could not be read: it starts like a {kind.label} but is damaged")
    return pictures


def sniff(head: bytes) -> Kind:
    """The format a file's first bytes announce, if it is one we accept."""
    if head.startswith(JPEG_MAGIC):
        return JPEG
    if head.startswith(PNG_MAGIC):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    raise NotAnImage(_what_else(head))


def dimensions(data: bytes, kind: Kind) -> tuple[int, int]:
    """Width and height as the picture's header states them."""
    found = {JPEG: _jpeg_size, PNG: _png_size, WEBP: _webp_size}[kind](data)
    if found is None:
        raise BadImage(f"the picture is damaged: it starts like a {kind.label} but its size cannot be read")
    return found


def check_size(width: int, height: int, limits: ImageLimits) -> None:
    if width * height > limits.max_pixels:
        most = f"{limits.max_pixels / 1e6:g} megapixels"
        raise BadImage(f"the picture is {width}x{height} pixels; at most {most} are allowed")
    if min(width, height) < limits.min_side:
        raise BadImage(
            f"the picture is {width}x{height} pixels; at least {limits.min_side} a side are needed"
        )


def command(ffmpeg: str, kind: Kind, source: Path, pictures: list[Picture], max_pixels: int) -> list[str]:
    """One decode, split into each size: scaled to cover the square, its middle cut out."""
    head = [ffmpeg, "-hide_banner", "-nostdin", "-nostats", "-v", "error", "-y", "-threads", "1"]
    guard = ["-f", kind.demuxer, "-format_whitelist", kind.demuxer, "-protocol_whitelist", "file"]
    args = [*head, *guard, "-max_pixels", str(max_pixels), "-i", f"file:{source}"]
    labels = "".join(f"[in{i}]" for i in range(len(pictures)))
    graph = [f"[0:v:0]split={len(pictures)}{labels}"]
    for i, p in enumerate(pictures):
        fit = f"scale={p.size}:{p.size}:force_original_aspect_ratio=increase:flags=lanczos"
        graph.append(f"[in{i}]{fit},crop={p.size}:{p.size},setsar=1[out{i}]")
    args += ["-filter_threads", "1", "-filter_complex", ";".join(graph)]
    for i, p in enumerate(pictures):
        encode = ["-c:v", "libwebp", "-quality", "82", "-map_metadata", "-1", "-f", "webp"]
        args += ["-map", f"[out{i}]", "-frames:v", "1", *encode, f"file:{p.path}"]
    return args


def _read(source: Path, max_bytes: int) -> bytes:
    with source.open("rb") as file:
        data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ImageTooLarge(f"the picture is over {max_bytes // (1024 * 1024)} MB")
    if not data:
        raise NotAnImage("the file is empty")
    return data


def _run(args: list[str], timeout_s: float) -> None:
    try:
        with isolated() as place:
            done = subprocess.run(
                args,
                capture_output=True,
                timeout=timeout_s,
                check=False,
                stdin=subprocess.DEVNULL,
                cwd=place.cwd,
                env=place.env,
            )
    except subprocess.TimeoutExpired:
        raise BadImage("the picture could not be read in time") from None
    if done.returncode != 0:
        raise BadImage("the picture could not be read: it is damaged, or not what its first bytes say")


def _ffmpeg() -> str:
    found = shutil.which("ffmpeg")
    if found is None:
        raise RuntimeError("ffmpeg is not installed (scripts/system_deps.sh installs it)")
    return found


# -- headers ---------------------------------------------------------------------------------------


def _png_size(data: bytes) -> tuple[int, int] | None:
    """The first chunk of a PNG is its header, IHDR."""
    if data[12:16] != b"IHDR" or len(data) < 24:
        return None
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """The first frame header's size, walking the segments from the start: a thumbnail inside an
    EXIF segment is skipped over with it, never taken for the picture."""
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
        elif marker in _STANDALONE:
            at += 2
        elif marker in (0xD9, 0xDA):  # the end, or a scan, before any frame header
            return None
        elif marker in _SOF:
            if at + 9 > len(data):
                return None
            height, width = (
                int.from_bytes(data[at + 5 : at + 7], "big"),
                int.from_bytes(data[at + 7 : at + 9], "big"),
            )
            return (width, height) if height else None  # a height of 0 is set later, by a DNL marker
        else:
            length = int.from_bytes(data[at + 2 : at + 4], "big")
            if length < 2:
                return None
            at += 2 + length
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    """From the first chunk: lossy (VP8), lossless (VP8L) or extended (VP8X, which may animate)."""
    chunk, body = data[12:16], data[20:30]
    if len(body) < 10:
        return None
    if chunk == b"VP8 " and body[3:6] == b"\x9d\x01\x2a":
        return int.from_bytes(body[6:8], "little") & 0x3FFF, int.from_bytes(body[8:10], "little") & 0x3FFF
    if chunk == b"VP8L" and body[0] == 0x2F:
        bits = int.from_bytes(body[1:5], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X":
        if body[0] & 0x02:
            raise NotAnImage("the picture is animated; send a still JPEG, PNG or WebP")
        return int.from_bytes(body[4:7], "little") + 1, int.from_bytes(body[7:10], "little") + 1
    return None


def _what_else(head: bytes) -> str:
    """Names what a refused file most likely is, so the uploader learns what went wrong."""
    text = head[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"#EXTM3U"):
        return f"the file is a playlist (M3U or HLS), not {ACCEPTED}"
    if text.startswith(b"ffconcat"):
        return f"the file is an ffmpeg concat list, not {ACCEPTED}"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return f"the file is a GIF; send {ACCEPTED}"
    if head[4:8] == b"ftyp":
        return f"the file is a HEIC, AVIF or video file; send {ACCEPTED}"
    if text.startswith(b"<"):
        return f"the file is an SVG, XML or HTML document, not {ACCEPTED}"
    return f"the file is not {ACCEPTED}"
