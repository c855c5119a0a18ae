"""Which uploaded files ffmpeg and ffprobe may read, and how they read them: only the uploaded bytes.

Left to itself ffmpeg guesses a file's format from its content and follows whatever the file points
at: an HLS playlist, a DASH manifest or a concat list names other files (another user's video on
local disk) or URLs; a name with ``%03d`` is a sequence of sibling files; an MP4's data reference can
put a track's samples in another file; an SDP file opens network ports. So:

- a file is admitted only if its own first bytes say it is one of the containers below (and, for
  MP4, its data references all say "this file"); anything else is refused, with a reason the
  uploader understands, before ffmpeg sees it;
- ffmpeg and ffprobe then read it through ``Admitted.input_args`` alone: that container's demuxer
  forced (no format guessing, so never hls, concat or image2), that demuxer alone allowed, the
  ``file`` protocol alone (no network, no nested protocols), the mov demuxer's external references
  off, and the path given absolute behind ``file:`` so no part of it reads as an option, a protocol
  or a pattern;
- they run in an empty, read-only working folder (a relative name finds nothing) with an
  environment holding nothing of ours (no ``FFREPORT`` to make ffmpeg write a log where it says).

The containers: ISO BMFF (MP4, M4V, 3GP, QuickTime MOV) is what phones and cameras record, and
Matroska/WebM is what browsers' MediaRecorder writes; neither refers to other files once data
references are refused. Others (MPEG-TS, AVI, FLV, Ogg, raw streams) would each put another demuxer
in front of hostile bytes for few real uploads; adding one is a magic test and a demuxer name here.

The input cannot be a pipe: an MP4 whose index (``moov``) comes after its media must be seekable.
"""

from __future__ import annotations

import codecs
import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from domain.errors import InvalidCommand
from media import isobmff

#: Enough of the head for an MP4's list of brands and Matroska's EBML header.
HEAD_BYTES = 256
STILL_IMAGE = "the file is a still image, not a video"
ACCEPTED = "MP4, MOV, 3GP, Matroska or WebM"


class NotPlayable(InvalidCommand):
    """The file is not a video we can play; ``reason`` says why in words the uploader understands."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Container:
    """``demuxer`` is forced with ``-f``; ``names`` is ffmpeg's full name for it, the only format
    allowed; ``options`` are the demuxer's own safety settings, stated so no default is relied on."""

    label: str
    demuxer: str
    names: str
    options: tuple[str, ...] = ()


ISO_BMFF = Container(
    "an MP4 or QuickTime",
    "mov",
    "mov,mp4,m4a,3gp,3g2,mj2",
    ("-enable_drefs", "0", "-use_absolute_path", "0"),
)
MATROSKA = Container("a Matroska or WebM", "matroska", "matroska,webm")

EBML_MAGIC = b"\x1a\x45\xdf\xa3"
MATROSKA_DOCTYPES = (b"matroska", b"webm")
#: MP4 brands of files meant to be played as video, by phones, cameras, browsers and editors.
VIDEO_BRANDS = frozenset(
    b.encode()
    for b in (
        *(f"iso{n}" for n in "m23456789"),
        *("mp41", "mp42", "mp71", "avc1", "M4V ", "M4VH", "M4VP", "qt  ", "f4v ", "XAVC", "MSNV"),
        *("3gp4", "3gp5", "3gp6", "3gp7", "3gs7", "3ge6", "3ge7", "3gg6", "3g2a", "3g2b", "3g2c"),
        *("mmp4", "kddi", "dash", "msdh", "msix", "cmfc", "cmf2"),
    )
)
#: HEIF and AVIF pictures are ISO BMFF too.
IMAGE_BRANDS = frozenset(b.encode() for b in ("heic", "heix", "heim", "heis", "mif1", "msf1", "avif", "avis"))
AUDIO_BRANDS = frozenset(b.encode() for b in ("M4A ", "M4B ", "M4P "))
#: What a QuickTime file without an ``ftyp`` box starts with.
QUICKTIME_ATOMS = frozenset({b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"})
IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"BM", b"\xff\x0a", b"qoif")


@dataclass(frozen=True, slots=True)
class Admitted:
    """An upload that may be handed to ffmpeg, and the only way to hand it over."""

    path: Path
    container: Container
    size_bytes: int

    def input_args(self) -> list[str]:
        """ffmpeg's and ffprobe's options for this input, ending with ``-i`` and the input itself."""
        c = self.container
        allow = ["-format_whitelist", c.names, "-protocol_whitelist", "file"]
        return ["-f", c.demuxer, *allow, *c.options, "-i", f"file:{self.path}"]


@dataclass(frozen=True, slots=True)
class Isolation:
    """Where and with what environment to run ffmpeg or ffprobe."""

    cwd: Path
    env: dict[str, str]


def admit(path: Path) -> Admitted:
    """The upload, if it is a regular file in an accepted container; ``NotPlayable`` otherwise."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise NotPlayable("the file is not a regular file") from None
        raise
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise NotPlayable("the file is not a regular file")
        if info.st_size == 0:
            raise NotPlayable("the file is empty")
        container = sniff(file.read(HEAD_BYTES))
        if container is ISO_BMFF and (reason := isobmff.external_data(file, info.st_size)):
            raise NotPlayable(reason)
    return Admitted(path.absolute(), container, info.st_size)


@contextmanager
def isolated() -> Iterator[Isolation]:
    """A fresh empty folder, read-only for the process, and an environment with a fixed ``PATH``
    and locale and nothing else."""
    with tempfile.TemporaryDirectory(prefix="strom-ffmpeg-") as folder:
        os.chmod(folder, 0o500)
        try:
            yield Isolation(Path(folder), {"PATH": "/usr/bin:/bin", "LC_ALL": "C"})
        finally:
            os.chmod(folder, 0o700)


def sniff(head: bytes) -> Container:
    """The container a file's first bytes announce, if it is one we accept."""
    if head.startswith(EBML_MAGIC):
        if any(doctype in head for doctype in MATROSKA_DOCTYPES):
            return MATROSKA
        raise NotPlayable(f"the file is not a video we accept: it is an EBML document, but not {ACCEPTED}")
    if head[4:8] == b"ftyp":
        return _by_brand(head)
    if head[4:8] in QUICKTIME_ATOMS:
        return ISO_BMFF
    raise NotPlayable(_what_else(head))


def _by_brand(head: bytes) -> Container:
    major = head[8:12]
    size = int.from_bytes(head[:4], "big")
    compatible = {head[i : i + 4] for i in range(16, min(size, len(head)) - 3, 4)}
    if major in IMAGE_BRANDS:
        raise NotPlayable(STILL_IMAGE)
    if major in AUDIO_BRANDS:
        raise NotPlayable("the file is not a video: it is an audio file")
    if major in VIDEO_BRANDS or compatible & VIDEO_BRANDS:
        return ISO_BMFF
    shown = major.decode("latin-1").strip()
    shown = shown if shown.isprintable() else "?"
    raise NotPlayable(f"the file is not a video we accept: an MP4-like file of unknown brand '{shown}'")


def _what_else(head: bytes) -> str:
    """Names what a refused file most likely is, so the uploader learns what went wrong."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"#EXTM3U"):
        return "the file is not a video: it is a playlist (M3U or HLS), which points at other files"
    if text.startswith(b"ffconcat"):
        return "the file is not a video: it is an ffmpeg concat list, which points at other files"
    if text.startswith(b"v=0"):
        return "the file is not a video: it is a stream description (SDP), which points at the network"
    if text.startswith(b"<"):
        return "the file is not a video: it is an XML or HTML document (a DASH manifest, say)"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return f"the file is a GIF image, not a video: convert it to {ACCEPTED} first"
    if _is_text(head):
        return "the file is not a video: it is text"
    if head.startswith(IMAGE_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return STILL_IMAGE
    return f"the file is not a video in a format we accept ({ACCEPTED})"


def _is_text(head: bytes) -> bool:
    """UTF-8 without control characters; a character cut off at the end of ``head`` still counts."""
    try:
        decoded = codecs.getincrementaldecoder("utf-8")().decode(head)
    except UnicodeDecodeError:
        return False
    return all(char.isprintable() or char in "\t\r\n\f" for char in decoded)
