"""Which files reach ffmpeg: the container is told from the file's own first bytes, an allowlist
decides, and everything else is refused with a reason naming what the file is."""

from __future__ import annotations

import io
import os
import struct
from pathlib import Path

import pytest

from media import isobmff
from media.ingest_guard import ISO_BMFF, MATROSKA, NotPlayable, admit, isolated, sniff


def box(kind: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def ftyp(major: bytes, *compatible: bytes) -> bytes:
    return box(b"ftyp", major + b"\0\0\2\0" + b"".join(compatible))


def refusal(head: bytes) -> str:
    with pytest.raises(NotPlayable) as refused:
        sniff(head)
    return refused.value.reason


EBML_MATROSKA = bytes.fromhex("1a45dfa3a34286810142f7810142f2810442f381084282886d6174726f736b61")
EBML_WEBM = bytes.fromhex("1a45dfa39f4286810142f7810142f2810442f381084282847765626d")


# -- admitted ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "head",
    [
        ftyp(b"isom", b"isom", b"iso2", b"avc1", b"mp41"),  # ffmpeg, Android
        ftyp(b"qt  ", b"qt  "),  # iPhone
        ftyp(b"mp42", b"isom", b"mp42"),
        ftyp(b"3gp4", b"isom", b"3gp4"),
        ftyp(b"XAVC", b"XAVC", b"mp42", b"iso2"),  # a Sony camera
        ftyp(b"abcd", b"mp42"),  # an odd major brand, a known compatible one
        box(b"wide") + box(b"mdat", b"x"),  # QuickTime before ftyp existed
        box(b"moov", b"x"),
    ],
)
def test_mp4_and_quicktime_files_are_read_with_the_mov_demuxer(head: bytes) -> None:
    assert sniff(head) is ISO_BMFF


@pytest.mark.parametrize("head", [EBML_MATROSKA, EBML_WEBM])
def test_matroska_and_webm_are_read_with_the_matroska_demuxer(head: bytes) -> None:
    assert sniff(head) is MATROSKA


# -- refused, saying what the file is ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "said"),
    [
        (b"#EXTM3U\n#EXT-X-VERSION:7\n#EXTINF:2.0,\n/srv/media/videos/v1/240p/seg-00001.m4s\n", "a playlist"),
        (b"\xef\xbb\xbf#EXTM3U\r\n", "a playlist"),  # with a byte order mark
        (b"\n  #EXTM3U\n/srv/media/private.mp4\n", "a playlist"),
        (b"ffconcat version 1.0\nfile '/srv/media/private.mp4'\n", "concat list"),
        (b"v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\nm=video 5004 RTP/AVP 96\r\n", "stream description (SDP)"),
        (b'<?xml version="1.0"?><MPD xmlns="urn:mpeg:dash:schema:mpd:2011">', "XML"),
        (b"<MPD><BaseURL>http://127.0.0.1/</BaseURL></MPD>", "XML"),
        (b"file 'frame-%03d.png'\n", "it is text"),
        (b"these are my holiday notes, not a video\n" * 5, "it is text"),
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "still image"),
        (b"\xff\xd8\xff\xe0\0\x10JFIF\0", "still image"),
        (b"RIFF\x24\0\0\0WEBPVP8 ", "still image"),
        (ftyp(b"heic", b"mif1", b"heic"), "still image"),
        (ftyp(b"avif", b"avif", b"mif1"), "still image"),
        (b"GIF89a\x40\x01\xf0\x00\xf7\0\0", "GIF image"),
        (ftyp(b"M4A ", b"M4A ", b"mp42", b"isom"), "audio file"),
        (ftyp(b"abcd", b"efgh"), "unknown brand 'abcd'"),
        (bytes.fromhex("1a45dfa38c4282886e6f74612d6d6b76"), "EBML document"),
        (b"\x47\x40\x11\x10" + b"\xff" * 184, "not a video in a format we accept"),  # MPEG-TS
        (b"RIFF\x24\0\0\0AVI LIST", "not a video in a format we accept"),
        (b"\x00\x01\x02\x03\xfe\xfd\xfc", "not a video in a format we accept"),
    ],
)
def test_everything_else_is_refused_before_ffmpeg_sees_it(head: bytes, said: str) -> None:
    assert said in refusal(head)


# -- MP4 data references ---------------------------------------------------------------------------


def movie(dref_entries: bytes, count: int = 1, *, around: bytes = b"moov") -> bytes:
    dref = box(b"dref", struct.pack(">II", 0, count) + dref_entries)
    minf = box(b"minf", box(b"vmhd", b"\0" * 12) + box(b"dinf", dref))
    trak = box(b"trak", box(b"tkhd", b"\0" * 84) + box(b"mdia", box(b"mdhd", b"\0" * 24) + minf))
    return ftyp(b"isom", b"isom") + box(b"mdat", b"\0" * 64) + box(around, box(b"mvhd", b"\0" * 100) + trak)


def entry(kind: bytes, flags: int, rest: bytes = b"") -> bytes:
    return struct.pack(">I4sI", 12 + len(rest), kind, flags) + rest


def external(data: bytes) -> str | None:
    return isobmff.external_data(io.BytesIO(data), len(data))


def test_a_movie_whose_data_is_all_in_the_file_passes() -> None:
    assert external(movie(entry(b"url ", 1))) is None
    assert external(movie(entry(b"alis", 1))) is None  # how QuickTime says "this file"


def test_a_data_reference_to_another_file_or_url_is_found() -> None:
    assert external(movie(entry(b"url ", 0, b"http://127.0.0.1/x.mp4\0"))) == isobmff.EXTERNAL
    assert external(movie(entry(b"alis", 0, b"\0" * 150))) == isobmff.EXTERNAL
    assert external(movie(entry(b"url ", 1) + entry(b"url ", 0, b"file.mp4\0"), count=2)) == isobmff.EXTERNAL


def test_a_data_reference_in_a_box_ffmpeg_reads_as_the_movie_is_found() -> None:
    assert external(movie(entry(b"alis", 0), around=b"hoov")) == isobmff.EXTERNAL
    assert external(movie(entry(b"alis", 0), around=b"free")) == isobmff.EXTERNAL


def test_a_compressed_movie_header_is_refused() -> None:
    assert external(ftyp(b"qt  ") + box(b"moov", box(b"cmov", b"\0" * 32))) == isobmff.COMPRESSED


def test_box_sizes_that_lie_end_the_walk_without_error() -> None:
    too_small = struct.pack(">I4s", 4, b"moov") + b"\0" * 32
    too_big = struct.pack(">I4s", 1 << 31, b"moov") + box(b"trak")
    large_size = struct.pack(">I4sQ", 1, b"moov", 24) + box(b"free")
    to_the_end = struct.pack(">I4s", 0, b"moov") + box(b"trak")
    for data in (too_small, too_big, large_size, to_the_end, b"\0\0"):
        assert external(data) is None


# -- admitting a file --------------------------------------------------------------------------------


def test_an_admitted_upload_is_handed_to_ffmpeg_with_its_demuxer_forced_and_no_protocol_but_file(
    tmp_path: Path,
) -> None:
    upload = tmp_path / "-i upload%03d.bin"
    upload.write_bytes(movie(entry(b"url ", 1)))
    args = admit(upload).input_args()
    assert args == [
        "-f",
        "mov",
        "-format_whitelist",
        "mov,mp4,m4a,3gp,3g2,mj2",
        "-protocol_whitelist",
        "file",
        "-enable_drefs",
        "0",
        "-use_absolute_path",
        "0",
        "-i",
        f"file:{upload}",
    ]


def test_an_mp4_with_an_external_data_reference_is_not_admitted(tmp_path: Path) -> None:
    upload = tmp_path / "upload.bin"
    upload.write_bytes(movie(entry(b"alis", 0, b"\0" * 150)))
    with pytest.raises(NotPlayable, match="other files or URLs"):
        admit(upload)


def test_only_a_regular_file_is_admitted(tmp_path: Path) -> None:
    fifo, link, empty = tmp_path / "fifo", tmp_path / "link", tmp_path / "empty"
    os.mkfifo(fifo)
    good = tmp_path / "good"
    good.write_bytes(EBML_WEBM)
    link.symlink_to(good)
    empty.touch()
    for path, reason in ((fifo, "not a regular file"), (link, "not a regular file"), (empty, "empty")):
        with pytest.raises(NotPlayable, match=reason):
            admit(path)
    assert admit(good).container is MATROSKA


def test_ffmpeg_runs_in_an_empty_folder_with_none_of_our_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FFREPORT", "file=/tmp/leak.log")
    with isolated() as place:
        assert list(place.cwd.iterdir()) == []
        assert set(place.env) == {"PATH", "LC_ALL"}
    assert not place.cwd.exists()
