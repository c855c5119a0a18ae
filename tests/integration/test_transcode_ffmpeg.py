"""Real ffmpeg on clips made by ffmpeg itself: every variant plays, segments and keyframes are as the
ladder promises, the master playlist is valid, and publishing never exposes a half-made video.

Each clip is transcoded once per session and the tests look at the result from different sides.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from media.hls import MediaPlaylist, parse_master, parse_media
from media.ladder import Rendition, plan
from media.probe import Probe, probe
from media.storage import FileStorage
from media.transcode import Published, Transcoded, TranscodeFailed, publish, transcode

SEGMENT_S = 2.0
FPS = 30


@dataclass(frozen=True, slots=True)
class Clip:
    size: str
    seconds: float
    sound: bool = True
    rotate: bool = False
    av1: bool = False


CLIPS = {
    "landscape": Clip("640x360", 5),
    "portrait-by-rotation": Clip("640x360", 4, rotate=True),
    "no-audio": Clip("640x360", 3, sound=False),
    "very-short": Clip("640x360", 0.5),
    "odd-size": Clip("367x651", 3),
}
#: Clips only one test needs.
EXTRA_CLIPS = {
    "full-hd": Clip("1920x1080", 1),
    "av1": Clip("426x240", 3, av1=True),
}


@dataclass(frozen=True, slots=True)
class Ladder:
    source: Path
    probe: Probe
    done: Transcoded
    progress: list[float]

    def playlist(self, rendition: Rendition) -> MediaPlaylist:
        return parse_media((self.done.workdir / rendition.name / "index.m3u8").read_text())


def run(tool: str, *args: str) -> str:
    binary = shutil.which(tool)
    if binary is None:
        pytest.fail(f"{tool} is not installed: run scripts/system_deps.sh (make test does) as root")
    return subprocess.run([binary, *args], check=True, capture_output=True, text=True, timeout=120).stdout


def ffprobe(path: Path, *args: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(run("ffprobe", "-v", "error", "-of", "json", *args, str(path)))
    return found


def make_clip(folder: Path, name: str, clip: Clip) -> Path:
    inputs = ["-f", "lavfi", "-i", f"testsrc2=size={clip.size}:rate={FPS}"]
    if clip.sound:
        inputs += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-c:a", "aac"]
    plain = folder / f"{name}.mp4"
    codec = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    run("ffmpeg", "-v", "error", "-y", *inputs, "-t", str(clip.seconds), *codec, str(plain))
    if not clip.rotate:
        return plain
    turned = folder / f"{name}-rotated.mp4"
    run(
        "ffmpeg",
        "-v",
        "error",
        "-y",
        "-i",
        str(plain),
        "-c",
        "copy",
        "-metadata:s:v",
        "rotate=90",
        str(turned),
    )
    return turned


@pytest.fixture(scope="session")
def ladders(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Ladder]:
    """Transcodes a clip the first time a test asks for it."""
    folder = tmp_path_factory.mktemp("transcode")
    made: dict[str, Ladder] = {}

    def ladder(name: str) -> Ladder:
        if name not in made:
            clip = CLIPS.get(name) or EXTRA_CLIPS[name]
            source = make_clip(folder, name, clip)
            found = probe(source, max_duration_s=60)
            progress: list[float] = []
            done = transcode(
                source, found, folder / f"{name}-out", plan(found, av1=clip.av1), on_progress=progress.append
            )
            made[name] = Ladder(source, found, done, progress)
        return made[name]

    return ladder


@pytest.fixture(params=list(CLIPS))
def ladder(request: pytest.FixtureRequest, ladders: Callable[[str], Ladder]) -> Ladder:
    return ladders(request.param)


def video_stream(path: Path, *args: str) -> dict[str, Any]:
    streams = ffprobe(path, "-select_streams", "v:0", "-show_streams", *args)["streams"]
    assert len(streams) == 1
    stream: dict[str, Any] = streams[0]
    return stream


# -- every variant plays --------------------------------------------------------------------


def test_every_variant_plays_every_frame_at_the_planned_size_in_h264_high(ladder: Ladder) -> None:
    source_frames = int(video_stream(ladder.source, "-count_frames")["nb_read_frames"])
    for rendition in ladder.done.renditions:
        stream = video_stream(ladder.done.workdir / rendition.name / "index.m3u8", "-count_frames")
        assert (stream["codec_name"], stream["profile"]) == ("h264", "High")
        assert (stream["width"], stream["height"]) == (rendition.width, rendition.height)
        assert int(stream["nb_read_frames"]) == source_frames


def test_every_variant_lasts_as_long_as_the_source(ladder: Ladder) -> None:
    for rendition in ladder.done.renditions:
        assert ladder.playlist(rendition).duration_s == pytest.approx(ladder.probe.duration_s, abs=0.1)


def test_audio_is_in_every_variant_exactly_when_the_source_has_it(ladder: Ladder) -> None:
    for rendition in ladder.done.renditions:
        index = ladder.done.workdir / rendition.name / "index.m3u8"
        kinds = [s["codec_type"] for s in ffprobe(index, "-show_streams")["streams"]]
        assert kinds.count("audio") == (1 if ladder.probe.has_audio else 0)


def test_a_portrait_clip_recorded_sideways_comes_out_upright(ladders: Callable[[str], Ladder]) -> None:
    ladder = ladders("portrait-by-rotation")
    assert ladder.probe.rotation in (90, 270)
    for rendition in ladder.done.renditions:
        stream = video_stream(ladder.done.workdir / rendition.name / "index.m3u8")
        assert stream["height"] > stream["width"]
        assert not [side for side in stream.get("side_data_list", []) if "rotation" in side]


def test_a_full_hd_source_gets_all_five_rungs(ladders: Callable[[str], Ladder]) -> None:
    ladder = ladders("full-hd")
    assert [r.name for r in ladder.done.renditions] == ["240p", "360p", "480p", "720p", "1080p"]
    sizes = {(v.width, v.height) for v in ladder.done.variants}
    assert sizes == {(426, 240), (640, 360), (854, 480), (1280, 720), (1920, 1080)}


def test_av1_renditions_play_and_are_named_in_the_master(ladders: Callable[[str], Ladder]) -> None:
    ladder = ladders("av1")
    av1 = [r for r in ladder.done.renditions if r.codec == "av1"]
    assert [r.name for r in av1] == ["240p-av1"]
    stream = video_stream(ladder.done.workdir / "240p-av1" / "index.m3u8", "-count_frames")
    assert stream["codec_name"] == "av1"
    assert int(stream["nb_read_frames"]) == 3 * FPS
    codecs = {v.uri: v.codecs for v in parse_master(ladder.done.master.read_text())}
    assert codecs["240p-av1/index.m3u8"].startswith("av01.0.")
    assert codecs["240p/index.m3u8"].startswith("avc1.6400")
    for segment in ladder.playlist(av1[0]).segments[:-1]:
        assert SEGMENT_S <= segment.duration_s <= 2 * SEGMENT_S


# -- segments and keyframes -----------------------------------------------------------------


def test_segments_last_two_to_four_seconds_except_the_last(ladder: Ladder) -> None:
    for rendition in ladder.done.renditions:
        playlist = ladder.playlist(rendition)
        assert playlist.ended
        assert playlist.vod
        assert playlist.map_uri == "init.mp4"
        assert playlist.target_duration <= 4
        for segment in playlist.segments[:-1]:
            assert SEGMENT_S - 0.01 <= segment.duration_s <= 2 * SEGMENT_S
        assert 0 < playlist.segments[-1].duration_s <= 2 * SEGMENT_S


def test_segments_are_cut_at_the_same_instants_in_every_variant(ladder: Ladder) -> None:
    cuts = {tuple(s.duration_s for s in ladder.playlist(r).segments) for r in ladder.done.renditions}
    assert len(cuts) == 1


def test_every_segment_starts_with_a_keyframe(ladder: Ladder, tmp_path: Path) -> None:
    for rendition in ladder.done.renditions:
        folder = ladder.done.workdir / rendition.name
        init = (folder / "init.mp4").read_bytes()
        for segment in ladder.playlist(rendition).segments:
            joined = tmp_path / f"{rendition.name}-{segment.uri}.mp4"
            joined.write_bytes(init + (folder / segment.uri).read_bytes())
            packets = ffprobe(joined, "-select_streams", "v:0", "-show_entries", "packet=flags")["packets"]
            assert packets[0]["flags"].startswith("K"), f"{rendition.name}/{segment.uri}"


# -- master playlist, poster, thumbnails ----------------------------------------------------


def test_the_master_playlist_names_every_variant_with_measured_attributes(ladder: Ladder) -> None:
    variants = parse_master(ladder.done.master.read_text())
    assert {v.uri for v in variants} == {f"{r.name}/index.m3u8" for r in ladder.done.renditions}
    assert [v.bandwidth for v in variants] == sorted(v.bandwidth for v in variants)
    planned = {f"{r.name}/index.m3u8": (r.width, r.height) for r in ladder.done.renditions}
    for variant in variants:
        assert (variant.width, variant.height) == planned[variant.uri]
        assert variant.bandwidth >= variant.average_bandwidth > 0
        assert variant.frame_rate == pytest.approx(FPS)
        video, *audio = variant.codecs.split(",")
        assert video.startswith("avc1.6400")
        assert audio == (["mp4a.40.2"] if ladder.probe.has_audio else [])


def test_the_poster_is_a_jpeg_at_the_top_rendition_size(ladder: Ladder) -> None:
    top = max(ladder.done.renditions, key=lambda r: r.width * r.height)
    stream = video_stream(ladder.done.poster)
    assert (stream["codec_name"], stream["width"], stream["height"]) == ("mjpeg", top.width, top.height)


def test_the_thumbnail_sprite_holds_every_tile_its_cues_point_at(ladder: Ladder) -> None:
    sprite = video_stream(ladder.done.thumbnails_image)
    cues = [line for line in ladder.done.thumbnails_vtt.read_text().splitlines() if "#xywh=" in line]
    assert len(cues) == 10
    for cue in cues:
        x, y, w, h = (int(n) for n in cue.partition("#xywh=")[2].split(","))
        assert x + w <= sprite["width"]
        assert y + h <= sprite["height"]


def test_progress_rises_to_done(ladder: Ladder) -> None:
    assert ladder.progress[-1] == 1.0
    assert ladder.progress == sorted(ladder.progress)


# -- failures ---------------------------------------------------------------------------------


def some_probe(**changes: Any) -> Probe:
    fields: dict[str, Any] = {
        "container": "mov,mp4,m4a,3gp,3g2,mj2",
        "duration_s": 4.0,
        "width": 640,
        "height": 360,
        "rotation": 0,
        "video_codec": "h264",
        "audio_codec": None,
    }
    return Probe(**(fields | changes))


def test_a_transcode_past_its_time_is_killed_and_may_be_retried(tmp_path: Path) -> None:
    # Given a clip that takes far longer to transcode than the time allowed
    source = make_clip(tmp_path, "slow", Clip("640x360", 10))
    found = probe(source)
    # When
    with pytest.raises(TranscodeFailed) as failed:
        transcode(source, found, tmp_path / "out", plan(found), timeout_s=0.2)
    # Then
    assert not failed.value.permanent
    assert "0.2 s" in failed.value.reason


def test_an_input_ffmpeg_cannot_read_fails_for_good(tmp_path: Path) -> None:
    # An MP4 header (so the file is admitted) and nothing ffmpeg can make sense of after it
    source = tmp_path / "garbage.mp4"
    source.write_bytes(b"\x00\x00\x00\x14ftypisom\x00\x00\x02\x00isom" + os.urandom(50_000))
    found = some_probe()
    with pytest.raises(TranscodeFailed) as failed:
        transcode(source, found, tmp_path / "out", plan(found))
    assert failed.value.permanent
    assert failed.value.reason.startswith("ffmpeg could not transcode the video: ")


# -- publishing -------------------------------------------------------------------------------


class Recording(FileStorage):
    """Remembers the order of writes; with ``fail_after``, dies like a killed worker on that write."""

    def __init__(self, root: Path, fail_after: int | None = None) -> None:
        super().__init__(root)
        self.written: list[str] = []
        self.fail_after = fail_after

    def put_file(self, key: str, source: Path) -> None:
        if self.fail_after is not None and len(self.written) >= self.fail_after:
            raise OSError("the worker was killed")
        super().put_file(key, source)
        self.written.append(key)


@pytest.fixture
def published(ladders: Callable[[str], Ladder], tmp_path: Path) -> tuple[Recording, Published]:
    storage = Recording(tmp_path / "media")
    return storage, publish(ladders("landscape").done, storage, "videos/v1/u1")


def test_publishing_writes_the_master_last_and_each_playlist_after_its_segments(
    published: tuple[Recording, Published],
) -> None:
    storage, keys = published
    assert storage.written[-1] == keys.master_playlist == "videos/v1/u1/master.m3u8"
    for name in keys.renditions:
        own = [k for k in storage.written if k.startswith(f"videos/v1/u1/{name}/")]
        assert own[-1] == f"videos/v1/u1/{name}/index.m3u8"
        assert own[0] == f"videos/v1/u1/{name}/init.mp4"
        assert len(own) == 2 + 3  # init, three segments of a 5 s clip, the playlist


def test_everything_the_published_playlists_name_exists(published: tuple[Recording, Published]) -> None:
    storage, keys = published
    master = parse_master(storage.read(keys.master_playlist).decode())
    for variant in master:
        folder = f"videos/v1/u1/{variant.uri.rpartition('/')[0]}"
        playlist = parse_media(storage.read(f"videos/v1/u1/{variant.uri}").decode())
        for uri in [playlist.map_uri, *(s.uri for s in playlist.segments)]:
            assert storage.exists(f"{folder}/{uri}")
    for key in (keys.poster, keys.thumbnails, "videos/v1/u1/thumbs.jpg"):
        assert storage.exists(key)


def test_a_publish_killed_half_way_leaves_no_master(ladders: Callable[[str], Ladder], tmp_path: Path) -> None:
    # Given a worker that dies after half of the writes
    done = ladders("landscape").done
    whole = len(publish_and_count(done, Recording(tmp_path / "count")))
    storage = Recording(tmp_path / "media", fail_after=whole // 2)
    # When
    with pytest.raises(OSError, match="killed"):
        publish(done, storage, "videos/v1/u1")
    # Then some objects are there, but no master playlist names them
    assert storage.written
    assert not storage.exists("videos/v1/u1/master.m3u8")


def test_publishing_again_overwrites_the_same_keys(ladders: Callable[[str], Ladder], tmp_path: Path) -> None:
    done = ladders("landscape").done
    storage = FileStorage(tmp_path / "media")
    first = publish(done, storage, "videos/v1/u1")
    keys = storage.keys("videos/v1/u1")
    assert publish(done, storage, "videos/v1/u1") == first
    assert storage.keys("videos/v1/u1") == keys


def publish_and_count(done: Transcoded, storage: Recording) -> list[str]:
    publish(done, storage, "videos/v1/u1")
    return storage.written
