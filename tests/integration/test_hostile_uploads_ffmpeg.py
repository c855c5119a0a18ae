"""Hostile uploads against real ffprobe and ffmpeg. A file that points elsewhere (an HLS playlist at
another user's stored rendition, a concat list, a DASH manifest, an image sequence, an MP4 data
reference) is refused by the probe and by the transcoder alike, with a reason the uploader can read,
and while they refuse it no file outside the upload is opened and no URL is asked for.

Each case is first run through ffprobe left to itself, to show that the file does reach out and that
the canaries (inotify on the folders it points into, a loopback HTTP server) see it when it does.
Good MP4, QuickTime, Matroska and WebM clips still probe and transcode.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from media.ladder import plan
from media.probe import NotPlayable, Probe, probe
from media.transcode import TranscodeFailed, transcode
from tests.canaries import OpenedFiles, http_canary
from tests.clips import clip, ffmpeg
from tests.hostile_media import (
    concat_list,
    dash_manifest,
    hls_rendition,
    master_playlist,
    relative_to,
    repointed,
    with_external_dref,
)

#: Another user's upload, still in progress, in the same uploads folder.
OTHER_UPLOAD = "other.bin"
LIMIT_S = 600.0


@dataclass(frozen=True)
class Stored:
    """Another user's video as the platform keeps it: its source and one HLS rendition; and a
    picture for the image sequence."""

    source: Path
    rendition: Path
    picture: bytes


@dataclass(frozen=True)
class World:
    uploads: Path
    stored: Stored
    url: str
    asked: list[str]

    def watching(self, upload: Path) -> OpenedFiles:
        """Opens in every folder a hostile file points into, but of the upload itself."""
        folders = (self.uploads, self.stored.source.parent, self.stored.rendition.parent)
        return OpenedFiles(*folders, ignored=(upload,))


@dataclass(frozen=True)
class Hostile:
    """``unguarded``: ffprobe options under which ffmpeg itself follows the file's pointers;
    ``frames``: files beside the upload that an image sequence named like ``name`` would read."""

    build: Callable[[World], bytes]
    reason: str
    unguarded: tuple[str, ...] = ()
    name: str = "upload.bin"
    frames: tuple[str, ...] = ()


#: ffmpeg keeps a local playlist off the network unless its protocols are widened like this.
NETWORK = ("-protocol_whitelist", "file,crypto,data,http,tcp")


def _hls(where: Callable[[World], Callable[[Path], str]], unguarded: tuple[str, ...] = ()) -> Hostile:
    """Another user's stored rendition, its files named as ``where`` says."""
    return Hostile(lambda w: repointed(w.stored.rendition, where(w)), "it is a playlist", unguarded)


HOSTILE = {
    "hls-absolute-paths": _hls(lambda w: str),
    "hls-relative-paths": _hls(lambda w: relative_to(w.uploads)),
    "hls-file-urls": _hls(lambda w: lambda path: f"file:{path}"),
    "hls-http-urls": _hls(lambda w: lambda path: f"{w.url}/{path.name}", NETWORK),
    "hls-master-absolute": Hostile(lambda w: master_playlist(str(w.stored.rendition)), "it is a playlist"),
    "concat-relative": Hostile(lambda w: concat_list(OTHER_UPLOAD), "it is an ffmpeg concat list"),
    "concat-absolute": Hostile(
        lambda w: concat_list(str(w.stored.source)), "it is an ffmpeg concat list", ("-safe", "0")
    ),
    "dash-http": Hostile(lambda w: dash_manifest(w.url), "it is an XML or HTML document", NETWORK),
    "image-sequence": Hostile(
        lambda w: w.stored.picture, "still image", name="up-%03d.jpg", frames=("up-001.jpg", "up-002.jpg")
    ),
    "mp4-external-data": Hostile(
        lambda w: with_external_dref(w.stored.source.read_bytes(), OTHER_UPLOAD),
        "it takes part of its media from other files",
        ("-enable_drefs", "1"),
    ),
}


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Stored:
    media = tmp_path_factory.mktemp("media")
    (media / "sources" / "victim").mkdir(parents=True)
    source = clip(media / "sources" / "victim" / "source.mp4")  # index at the end, as ffmpeg writes it
    rendition = hls_rendition(source, media / "videos" / "victim" / "240p")
    picture = media / "picture.jpg"
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=64x64", "-frames:v", "1", str(picture))
    return Stored(source, rendition, picture.read_bytes())


@pytest.fixture
def world(tmp_path: Path, stored: Stored) -> Iterator[World]:
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    shutil.copyfile(stored.source, uploads / OTHER_UPLOAD)
    with http_canary() as (url, asked):
        yield World(uploads, stored, url, asked)


@pytest.fixture(params=list(HOSTILE))
def hostile(request: pytest.FixtureRequest, world: World) -> tuple[Hostile, Path]:
    """A case and its upload, in the uploads folder."""
    case = HOSTILE[request.param]
    data = case.build(world)
    for frame in case.frames:
        (world.uploads / frame).write_bytes(data)
    upload = world.uploads / case.name
    upload.write_bytes(data)
    return case, upload


def some_probe() -> Probe:
    """What a probe fooled by the file might have said: the transcoder must not rely on it."""
    return Probe("mov,mp4,m4a,3gp,3g2,mj2", 2.0, 320, 240, 0, "h264", "aac")


# -- the cases are hostile ------------------------------------------------------------------------


def test_ffprobe_left_to_itself_reaches_outside_the_upload(
    world: World, hostile: tuple[Hostile, Path]
) -> None:
    # Given a hostile upload
    case, upload = hostile
    ffprobe = shutil.which("ffprobe")
    assert ffprobe is not None
    # When ffprobe reads it with nothing but its own defaults (and the options named for the case)
    with world.watching(upload) as seen:
        subprocess.run([ffprobe, "-v", "quiet", *case.unguarded, str(upload)], timeout=60, check=False)
        reached = seen.seen()
    # Then it opens some other file or asks for some URL: the canaries see it
    assert reached or world.asked


# -- the probe and the transcoder refuse them without reaching out ---------------------------------


def test_the_probe_refuses_a_hostile_upload_and_reads_nothing_else(
    world: World, hostile: tuple[Hostile, Path]
) -> None:
    case, upload = hostile
    with world.watching(upload) as seen:
        with pytest.raises(NotPlayable) as refused:
            probe(upload, max_duration_s=LIMIT_S)
        assert seen.seen() == []
    assert case.reason in refused.value.reason
    assert world.asked == []


def test_the_transcoder_refuses_a_hostile_source_for_good_and_reads_nothing_else(
    world: World, hostile: tuple[Hostile, Path], tmp_path: Path
) -> None:
    # Given a hostile source and a probe result that says it is a fine video
    case, upload = hostile
    found = some_probe()
    # When it is transcoded
    with world.watching(upload) as seen:
        with pytest.raises(TranscodeFailed) as failed:
            transcode(upload, found, tmp_path / "out", plan(found))
        assert seen.seen() == []
    # Then it fails for good, saying why, having read nothing else and made nothing
    assert failed.value.permanent
    assert case.reason in failed.value.reason
    assert world.asked == []
    assert not (tmp_path / "out" / "master.m3u8").exists()


# -- good clips still go through ------------------------------------------------------------------

GOOD = {
    "mp4-index-at-end": ("clip.mp4", (), "mov,mp4,m4a,3gp,3g2,mj2"),
    "mp4-index-first": ("clip.mp4", ("-movflags", "+faststart"), "mov,mp4,m4a,3gp,3g2,mj2"),
    "quicktime": ("clip.mov", (), "mov,mp4,m4a,3gp,3g2,mj2"),
    "matroska": ("clip.mkv", (), "matroska,webm"),
    "webm": (
        "clip.webm",
        ("-c:v", "libvpx-vp9", "-c:a", "libopus", "-deadline", "realtime"),
        "matroska,webm",
    ),
}


@pytest.mark.parametrize("kind", list(GOOD))
def test_a_good_clip_is_probed_and_transcoded(tmp_path: Path, kind: str) -> None:
    # Given a clip named with no telling extension, as uploads are stored
    name, options, container = GOOD[kind]
    made = clip(tmp_path / name, size="160x120", seconds=1, extra=options)
    upload = made.rename(tmp_path / "upload.bin")
    # When
    found = probe(upload, max_duration_s=LIMIT_S)
    done = transcode(upload, found, tmp_path / "out", plan(found))
    # Then
    assert (found.container, found.width, found.height, found.has_audio) == (container, 160, 120, True)
    assert [v.width for v in done.variants] == [160]
    assert done.master.exists()
