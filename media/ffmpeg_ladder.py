"""The one ffmpeg command that makes a whole ladder, its poster and its thumbnail strip.

The source is decoded once and split: each rendition is scaled and encoded into its own folder of
fMP4 HLS segments, and two cheap side branches pick the poster frame and the thumbnails, so a
ladder costs one decode however many rungs it has. ffmpeg turns the frames upright itself (its
autorotation follows the rotation metadata phones write), which is why the sizes planned from the
probe's displayed width and height are the sizes that come out.

Every variant gets a keyframe at each multiple of ``segment_s`` and none from scene cuts, so the HLS
muxer cuts every variant at the same instants and a player can switch between them at any segment.
Source metadata (a phone's GPS position, its model) is dropped from every output. The source is read
only through ``media.ingest_guard``'s options for it: its own bytes and nothing they point at.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from media.ingest_guard import Admitted
from media.ladder import Rendition
from media.probe import Probe

INDEX = "index.m3u8"
INIT = "init.mp4"
SEGMENTS = "seg-%05d.m4s"
MASTER = "master.m3u8"
POSTER = "poster.jpg"
THUMBS_IMAGE = "thumbs.jpg"
THUMBS_VTT = "thumbs.vtt"

X264_PRESET = "veryfast"
#: SVT-AV1's fast end: on a few cores slower presets take many times the video's length.
SVTAV1_PRESET = 10
#: Where the poster frame is taken: far enough in to be past a fade from black.
POSTER_AT = 0.1
THUMB_COUNT = 10
THUMB_LONG_SIDE = 160
#: Nothing of the source's tags or chapters is copied: phones write where and on what a clip was shot.
NO_METADATA = ("-map_metadata", "-1", "-map_chapters", "-1")


@dataclass(frozen=True, slots=True)
class ThumbnailStrip:
    """``count`` frames of ``width`` x ``height`` side by side in one JPEG, evenly spread in time."""

    count: int
    width: int
    height: int
    duration_s: float

    def vtt(self, image_uri: str) -> str:
        """WebVTT cues that point players' scrubbing previews at one tile of the sprite each."""
        step = self.duration_s / self.count
        cues = ["WEBVTT", ""]
        for i in range(self.count):
            cues.append(f"{_timestamp(i * step)} --> {_timestamp((i + 1) * step)}")
            cues.append(f"{image_uri}#xywh={i * self.width},0,{self.width},{self.height}")
            cues.append("")
        return "\n".join(cues)


def thumbnail_strip(probe: Probe) -> ThumbnailStrip:
    scale = THUMB_LONG_SIDE / max(probe.width, probe.height)
    return ThumbnailStrip(
        count=THUMB_COUNT,
        width=_even(probe.width * scale),
        height=_even(probe.height * scale),
        duration_s=probe.duration_s,
    )


def command(
    ffmpeg: str,
    source: Admitted,
    probe: Probe,
    workdir: Path,
    renditions: list[Rendition],
    *,
    segment_s: float,
    preset: str = X264_PRESET,
) -> list[str]:
    """Progress goes to stdout as ``key=value`` lines; only errors go to stderr. ``workdir`` must be
    absolute: ffmpeg runs in a folder of its own."""
    head = [ffmpeg, "-hide_banner", "-nostdin", "-nostats", "-v", "error", "-y", "-progress", "pipe:1"]
    args = [*head, *source.input_args(), "-filter_complex", filter_graph(probe, renditions)]
    for i, rendition in enumerate(renditions):
        args += _rendition_output(i, rendition, probe, workdir, segment_s, preset)
    args += ["-map", "[poster]", "-frames:v", "1", "-q:v", "2", str(workdir / POSTER)]
    args += ["-map", "[thumbs]", "-frames:v", "1", "-q:v", "4", str(workdir / THUMBS_IMAGE)]
    return args


def filter_graph(probe: Probe, renditions: list[Rendition]) -> str:
    """``[0:V:0]`` is the first video track that is not cover art."""
    branches = len(renditions) + 2
    labels = "".join(f"[s{i}]" for i in range(branches))
    graph = [f"[0:V:0]split={branches}{labels}"]
    for i, r in enumerate(renditions):
        graph.append(f"[s{i}]scale={r.width}:{r.height},setsar=1,format=yuv420p[v{i}]")
    top = max(renditions, key=lambda r: r.width * r.height)
    at = probe.duration_s * POSTER_AT
    graph.append(
        f"[s{branches - 2}]setpts=PTS-STARTPTS,trim=start={at:.3f},setpts=PTS-STARTPTS,"
        f"trim=end_frame=1,scale={top.width}:{top.height},setsar=1[poster]"
    )
    strip = thumbnail_strip(probe)
    rate = strip.count / max(probe.duration_s, 1e-3)
    graph.append(
        f"[s{branches - 1}]setpts=PTS-STARTPTS,fps=fps={rate:.6f},scale={strip.width}:{strip.height},"
        f"setsar=1,tile={strip.count}x1[thumbs]"
    )
    return ";".join(graph)


def _rendition_output(
    i: int, rendition: Rendition, probe: Probe, workdir: Path, segment_s: float, preset: str
) -> list[str]:
    args = ["-map", f"[v{i}]", *video_encoder(rendition, segment_s, preset)]
    if rendition.audio_kbps is not None and probe.has_audio:
        args += ["-map", "0:a:0", *audio_encoder(rendition.audio_kbps)]
    return [*args, *NO_METADATA, *hls_muxer(workdir / rendition.name, segment_s)]


def audio_encoder(kbps: int) -> list[str]:
    return ["-c:a", "aac", "-b:a", f"{kbps}k", "-ac", "2"]


def video_encoder(rendition: Rendition, segment_s: float, preset: str = X264_PRESET) -> list[str]:
    rate = ["-b:v", f"{rendition.video_kbps}k"]
    if rendition.codec == "av1":
        # libsvtav1 in ffmpeg 5.1 ignores forced keyframes; SVT's own interval, in seconds, does it.
        keyint = f"keyint={segment_s:g}s"
        return ["-c:v", "libsvtav1", "-preset", str(SVTAV1_PRESET), *rate, "-svtav1-params", keyint]
    peak = ["-maxrate", f"{rendition.max_kbps}k", "-bufsize", f"{2 * rendition.max_kbps}k"]
    keyframes = ["-force_key_frames", f"expr:gte(t,n_forced*{segment_s:g})", "-sc_threshold", "0"]
    return ["-c:v", "libx264", "-profile:v", "high", "-preset", preset, *rate, *peak, *keyframes]


def hls_muxer(folder: Path, segment_s: float) -> list[str]:
    """fMP4 VOD HLS into ``folder``: ``init.mp4``, ``seg-00001.m4s``..., ``index.m3u8``."""
    return [
        "-f",
        "hls",
        "-hls_time",
        f"{segment_s:g}",
        "-hls_playlist_type",
        "vod",
        "-hls_segment_type",
        "fmp4",
        "-hls_flags",
        "independent_segments",
        "-hls_fmp4_init_filename",
        INIT,
        "-start_number",
        "1",
        "-hls_segment_filename",
        str(folder / SEGMENTS),
        str(folder / INDEX),
    ]


def _even(value: float) -> int:
    return max(2, 2 * round(value / 2))


def _timestamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    return f"{hours:02d}:{minutes:02d}:{millis / 1000:06.3f}"
