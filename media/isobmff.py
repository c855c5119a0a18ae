"""Just enough of the ISO BMFF (MP4) and QuickTime box structure to tell where a file's samples live.

A track's samples are in the file itself unless its data reference box (``moov/trak/mdia/minf/dinf/
dref``) says otherwise: an entry without the "self-contained" flag names another file or a URL. ffmpeg
follows such an entry only when told to (``enable_drefs``), which we never do; refusing the file too
tells the uploader why instead of yielding a video with a missing track. A compressed movie header
(``cmov``) would hide its data references from this walk, so it is refused as well: no current
recorder writes one.

The walk goes into every box ffmpeg reads as a plain list of boxes (a ``dref`` anywhere in them counts
for the track being read), and into a ``hoov`` or ``free`` box that ffmpeg takes for a misnamed movie
box. Sizes are read as ffmpeg reads them: a child is cut off at its parent's end, and a size smaller
than its own header ends the walk. This is the layer that explains; ``enable_drefs 0`` is the one
that guarantees.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import BinaryIO, NamedTuple

#: Boxes that ffmpeg's mov demuxer reads as lists of boxes, so a ``dref`` may sit in any of them.
CONTAINERS = frozenset(
    {b"moov", b"trak", b"mdia", b"minf", b"dinf", b"stbl", b"edts", b"udta", b"mvex", b"moof", b"traf"}
    | {b"tref", b"sinf", b"schi", b"hoov"}
)
#: What ffmpeg looks for at the start of a ``free`` box to read it as the movie box after all.
MOVIE_STARTS = (b"mvhd", b"cmov")
SELF_CONTAINED = 0x000001
MAX_DEPTH = 10
EXTERNAL = "the file is not a video we accept: it takes part of its media from other files or URLs"
COMPRESSED = "the file is not a video we accept: its movie header is compressed (an old QuickTime form)"


class Box(NamedTuple):
    """``start`` is where the payload begins, after the header; ``end`` is one past the last byte."""

    kind: bytes
    start: int
    end: int


def external_data(file: BinaryIO, size: int) -> str | None:
    """Why some track's samples may lie outside this file, or None when they all lie inside it."""
    return _search(file, 0, size, depth=0)


def boxes(file: BinaryIO, start: int, end: int) -> Iterator[Box]:
    at = start
    while at + 8 <= end:
        file.seek(at)
        header = file.read(16)
        if len(header) < 8:
            return
        size, kind = struct.unpack(">I4s", header[:8])
        payload = at + 8
        if size == 1 and len(header) == 16:
            (size,) = struct.unpack(">Q", header[8:])
            payload = at + 16
        elif size == 0:
            size = end - at
        if size < payload - at:
            return
        box_end = min(at + size, end)
        yield Box(kind, payload, box_end)
        at = box_end


def _search(file: BinaryIO, start: int, end: int, *, depth: int) -> str | None:
    for box in boxes(file, start, end):
        if box.kind == b"cmov":
            return COMPRESSED
        if box.kind == b"dref" and not _self_contained(file, box):
            return EXTERNAL
        if _holds_boxes(file, box) and depth < MAX_DEPTH:
            found = _search(file, box.start, box.end, depth=depth + 1)
            if found is not None:
                return found
    return None


def _holds_boxes(file: BinaryIO, box: Box) -> bool:
    if box.kind in CONTAINERS:
        return True
    if box.kind != b"free" or box.end - box.start < 8:
        return False
    file.seek(box.start + 4)
    return file.read(4) in MOVIE_STARTS


def _self_contained(file: BinaryIO, dref: Box) -> bool:
    """Every entry (``url ``, ``urn ``, ``alis``...) must carry the flag that says "this file"."""
    file.seek(dref.start + 4)  # version and flags of the dref box itself
    counted = file.read(4)
    entries = struct.unpack(">I", counted)[0] if len(counted) == 4 else 0
    at = dref.start + 8
    for _ in range(entries):
        if at + 12 > dref.end:
            break
        file.seek(at)
        size, _kind, version_flags = struct.unpack(">I4sI", file.read(12))
        if not version_flags & SELF_CONTAINED:
            return False
        if size < 12:
            break
        at += size
    return True
