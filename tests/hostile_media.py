"""Uploads that point at other files or at the network, or that lie about what they are, built the
way an attacker would build them; and photos carrying what a phone writes into them."""

from __future__ import annotations

import io
import os
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

from PIL import Image

from tests.clips import ffmpeg


def hls_rendition(source: Path, folder: Path) -> Path:
    """A real fMP4 HLS rendition of ``source``, as the transcoder stores one; its playlist."""
    folder.mkdir(parents=True, exist_ok=True)
    index = folder / "index.m3u8"
    hls = ["-f", "hls", "-hls_time", "1", "-hls_playlist_type", "vod", "-hls_segment_type", "fmp4"]
    names = ["-hls_fmp4_init_filename", "init.mp4", "-hls_segment_filename", str(folder / "seg-%05d.m4s")]
    ffmpeg("-i", str(source), "-c", "copy", *hls, *names, str(index))
    return index


def repointed(index: Path, where: Callable[[Path], str]) -> bytes:
    """``index`` with every file it names (init segment and media segments) replaced by ``where``."""
    lines = []
    for line in index.read_text().splitlines():
        if line.startswith("#EXT-X-MAP:URI="):
            name = line.split('"')[1]
            line = f'#EXT-X-MAP:URI="{where(index.parent / name)}"'
        elif line and not line.startswith("#"):
            line = where(index.parent / line)
        lines.append(line)
    return ("\n".join(lines) + "\n").encode()


def relative_to(folder: Path) -> Callable[[Path], str]:
    return lambda path: os.path.relpath(path, folder)


def master_playlist(variant: str) -> bytes:
    return f"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=100000,RESOLUTION=160x120\n{variant}\n".encode()


def concat_list(*names: str) -> bytes:
    return ("ffconcat version 1.0\n" + "".join(f"file '{name}'\n" for name in names)).encode()


def dash_manifest(base_url: str) -> bytes:
    """A DASH manifest whose only segment lives at ``base_url``."""
    return f"""<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT2S"
     minBufferTime="PT1S" profiles="urn:mpeg:dash:profile:isoff-on-demand:2011">
  <Period><AdaptationSet mimeType="video/mp4"><Representation id="1" bandwidth="100000">
    <BaseURL>{base_url}/clip.mp4</BaseURL>
  </Representation></AdaptationSet></Period>
</MPD>
""".encode()


# -- an MP4 whose track's samples are said to be in another file -------------------------------


def with_external_dref(mp4: bytes, target: str) -> bytes:
    """``mp4`` with its data references replaced by a Mac alias record naming ``target``, a file in
    the same folder: what ffmpeg's mov demuxer opens when ``enable_drefs`` is on.

    The movie box must come after the media (ffmpeg's default, no ``faststart``): it grows, and no
    sample offset may move."""
    return _rebuilt(mp4, 0, len(mp4), _alias_dref(target))


def _rebuilt(data: bytes, start: int, end: int, dref: bytes) -> bytes:
    out, at = b"", start
    while at + 8 <= end:
        size, kind = struct.unpack(">I4s", data[at : at + 8])
        if kind == b"dref":
            out += dref
        elif kind in (b"moov", b"trak", b"mdia", b"minf", b"dinf"):
            inner = _rebuilt(data, at + 8, at + size, dref)
            out += struct.pack(">I4s", 8 + len(inner), kind) + inner
        else:
            out += data[at : at + size]
        at += size
    return out


def _alias_dref(target: str) -> bytes:
    """One ``alis`` entry, not self-contained (flags 0), one level up and down: ``target`` sits
    beside the file that refers to it. The record's layout is the one ffmpeg reads."""
    path = f"/{target}".encode()
    record = bytearray(150)  # no volume name, no file name
    struct.pack_into(">HH", record, 130, 1, 1)  # levels up from the alias, down to the target
    # Field type 2: an absolute path; ffmpeg takes its last component, beside the referring file
    record += struct.pack(">hH", 2, len(path)) + path + (b"\0" if len(path) % 2 else b"")
    record += struct.pack(">hH", -1, 0)
    entry = struct.pack(">I4sI", 12 + len(record), b"alis", 0) + bytes(record)
    body = struct.pack(">II", 0, 1) + entry
    return struct.pack(">I4s", 8 + len(body), b"dref") + body


# -- pictures (profile pictures) ---------------------------------------------------------------


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A PNG a few dozen bytes long whose header claims ``width`` x ``height`` pixels: decoded
    blindly, it would ask for tens of gigabytes. Its one data chunk holds a little zlib of zeros."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", zlib.compress(bytes(64)))


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


#: Where the photo says it was taken, degrees-minutes-seconds: what must never reach anyone else.
GPS = {1: "N", 2: (48.0, 12.0, 34.5), 3: "E", 4: (16.0, 22.0, 7.25)}


def photo_with_gps(size: tuple[int, int] = (640, 480), orientation: int = 1) -> bytes:
    """A JPEG as a phone writes one: EXIF with a GPS position, the camera's make and the orientation
    to show it in. The top left quarter is green on red, so a turn shows."""
    picture = Image.new("RGB", size, (200, 30, 30))
    picture.paste((20, 200, 20), (0, 0, size[0] // 2, size[1] // 2))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = orientation
    exif[0x8825] = GPS  # the GPS IFD
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def picture(kind: str = "PNG", size: tuple[int, int] = (400, 300)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (40, 90, 200)).save(out, kind)
    return out.getvalue()
