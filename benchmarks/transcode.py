"""Transcoding speed of the HLS ladder, next to one plain ``ffmpeg`` command making the same ladder.

A portrait phone-like clip (1080x1920, 30 fps, with sound; ``--quick``: 360x640) is made by ffmpeg
first. ``media.transcode.transcode`` then makes its whole ladder, and each rendition alone; the
"limit" is the least ffmpeg invocation with the same outputs: the same split and scaling, the same
encoder and HLS muxer settings, but no progress reporting, poster, thumbnail strip, metadata
stripping, output measurement or master playlist. The ratio says what all of that costs on top of
the encoding itself, which should be close to nothing.

Speed is reported in frames per second (the table) and in seconds of video per second (the JSON's
``video_s_per_s`` and the summary). DESIGN.md section 11 has no transcoding row; keeping up with
real time (one second of video per second, for the whole ladder) is the bar printed. Plain and ours
alternate, so a machine that slows down hurts both alike. Run with
``python -m benchmarks.transcode [--quick] [--out PATH]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.report import Line, Rate, Target, machine, save, table
from media import ffmpeg_ladder
from media.ladder import Rendition, plan
from media.probe import Probe, probe
from media.transcode import transcode

DESCRIPTION = "Transcoding speed of the HLS ladder, next to one plain ffmpeg command."
DEFAULT_OUT = Path(__file__).parent / "results" / "transcode.json"
FPS = 30
SEGMENT_S = 2.0


@dataclasses.dataclass(frozen=True, slots=True)
class Sizes:
    """The source clip, and how many alternating rounds time the whole ladder."""

    width: int
    height: int
    seconds: int
    ladder_rounds: int


FULL = Sizes(width=1080, height=1920, seconds=20, ladder_rounds=2)
QUICK = Sizes(width=360, height=640, seconds=4, ladder_rounds=1)


def _ffmpeg() -> str:
    found = shutil.which("ffmpeg")
    if found is None:
        raise SystemExit("ffmpeg is not installed: run scripts/system_deps.sh as root")
    return found


def make_source(sizes: Sizes, folder: Path) -> Path:
    """Moving test pattern and a tone, encoded the way a phone would (H.264 High, AAC)."""
    source = folder / "source.mp4"
    lavfi = f"testsrc2=size={sizes.width}x{sizes.height}:rate={FPS}"
    generate = [
        "-f",
        "lavfi",
        "-i",
        lavfi,
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440",
        "-t",
        str(sizes.seconds),
    ]
    encode = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p", "-c:a", "aac"]
    subprocess.run([_ffmpeg(), "-v", "error", "-y", *generate, *encode, str(source)], check=True, timeout=600)
    return source


def plain_command(source: Path, found: Probe, out: Path, renditions: Sequence[Rendition]) -> list[str]:
    """The same ladder as one hand-written ffmpeg command would make it."""
    labels = "".join(f"[s{i}]" for i in range(len(renditions)))
    graph = [f"[0:v]split={len(renditions)}{labels}"]
    graph += [
        f"[s{i}]scale={r.width}:{r.height},setsar=1,format=yuv420p[v{i}]" for i, r in enumerate(renditions)
    ]
    args = [_ffmpeg(), "-v", "error", "-y", "-i", str(source), "-filter_complex", ";".join(graph)]
    for i, r in enumerate(renditions):
        args += ["-map", f"[v{i}]", *ffmpeg_ladder.video_encoder(r, SEGMENT_S)]
        if r.audio_kbps is not None and found.has_audio:
            args += ["-map", "0:a:0", *ffmpeg_ladder.audio_encoder(r.audio_kbps)]
        (out / r.name).mkdir(parents=True, exist_ok=True)
        args += ffmpeg_ladder.hls_muxer(out / r.name, SEGMENT_S)
    return args


def _plain(args: list[str], frames: int) -> Rate:
    start = time.perf_counter()
    subprocess.run(args, check=True, timeout=3600)
    return Rate(frames, time.perf_counter() - start)


def _ours(source: Path, found: Probe, work: Path, renditions: Sequence[Rendition], frames: int) -> Rate:
    start = time.perf_counter()
    transcode(source, found, work, list(renditions), segment_s=SEGMENT_S)
    return Rate(frames, time.perf_counter() - start)


def measure(
    source: Path, found: Probe, renditions: Sequence[Rendition], folder: Path, rounds: int
) -> tuple[Rate, Rate]:
    """Plain then ours, ``rounds`` times, each into a fresh folder."""
    frames = round(found.duration_s * FPS)
    ours, limit = Rate(), Rate()
    for n in range(rounds):
        limit += _plain(plain_command(source, found, folder / f"plain-{n}", renditions), frames)
        ours += _ours(source, found, folder / f"ours-{n}", renditions, frames)
    return ours, limit


def run(sizes: Sizes, folder: Path) -> list[Line]:
    source = make_source(sizes, folder)
    found = probe(source, max_duration_s=3600)
    ladder = plan(found)
    realtime = Target(per_s=FPS, source="real time: 1 s of video per second")
    ours, limit = measure(source, found, ladder, folder / "ladder", sizes.ladder_rounds)
    names = "+".join(r.name for r in ladder)
    lines = [Line("ladder", f"whole ladder ({names})", ours, limit, realtime, _how(found), "frames")]
    for r in ladder:
        ours, limit = measure(source, found, [r], folder / r.name, 1)
        lines.append(Line(r.name, f"{r.name} alone", ours, limit, realtime, _how(found), "frames"))
    return lines


def _how(found: Probe) -> str:
    return (
        f"{found.width}x{found.height} {found.duration_s:g} s @{FPS} fps, x264 {ffmpeg_ladder.X264_PRESET}, "
        f"{SEGMENT_S:g} s fMP4 HLS; plain: same outputs, no progress/poster/thumbnails/master"
    )


def speeds(line: Line, video_s: float) -> dict[str, Any]:
    """Seconds of video made per second, both ways."""
    return {
        "video_s_per_s": {
            "ours": round(video_s / line.ours.seconds, 3) if line.ours.seconds else 0.0,
            "limit": round(video_s / line.limit.seconds, 3) if line.limit.seconds else 0.0,
        }
    }


def report(lines: Sequence[Line], sizes: Sizes, quick: bool) -> dict[str, Any]:
    return {
        "benchmark": "transcode",
        "mode": "quick" if quick else "full",
        "machine": machine(),
        "sizes": dataclasses.asdict(sizes),
        "operations": {x.key: x.as_dict() | speeds(x, x.ours.count / FPS) for x in lines},
    }


def summary(lines: Sequence[Line]) -> str:
    rows = []
    for x in lines:
        video_s = x.ours.count / FPS
        ours, plain = video_s / x.ours.seconds, video_s / x.limit.seconds
        rows.append(
            f"{x.operation}: {ours:.2f} s of video/s, plain ffmpeg {plain:.2f}, overhead {1 / x.ratio:.2f}"
        )
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.transcode", description=DESCRIPTION)
    parser.add_argument("--quick", action="store_true", help="a small, short clip: a smoke run")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"JSON results (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    with tempfile.TemporaryDirectory(prefix="strom-bench-") as folder:
        lines = run(sizes, Path(folder))
    print(table(lines, limit="plain ffmpeg", target="target"))
    print()
    print(summary(lines))
    save(args.out, report(lines, sizes, args.quick))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
