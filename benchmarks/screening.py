"""What automatic screening costs per second of video, next to transcoding the same clip.

A portrait phone-like clip (1080x1920, 30 fps, with sound; ``--quick``: 360x640) is made by ffmpeg,
transcoded into its whole ladder once by ``media.transcode``, then screened several times by the
real ``Scanner``: frames sampled through the hardened ffmpeg, their pHashes matched against a
blocklist of ``BLOCKLIST`` entries, and scored by the packaged classifier (loaded once beforehand,
as a worker does; its load time is reported apart). Each screening is timed whole and by step.

Screening takes a fixed number of frames, so its cost is per clip, not per second: a second, longer
clip is screened too, to show the cost per second of video falling as the clip grows while the
transcode's stays. DESIGN.md section 11 has no screening row; the bar printed is that screening
cost less than a tenth of the transcode of the same clip. Run with
``python -m benchmarks.screening [--quick] [--out PATH]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.report import machine, save
from benchmarks.transcode import Sizes, make_source
from media.ladder import plan
from media.probe import probe
from media.screening.blocklist import BlocklistFile
from media.screening.frames import FrameSampler
from media.screening.hashing import frame_hashes, matches
from media.screening.nsfw import NudeNetClassifier
from media.screening.scan import Scanner, ScanSettings
from media.transcode import transcode

DESCRIPTION = "Screening cost per second of video, next to the transcode of the same clip."
DEFAULT_OUT = Path(__file__).parent / "results" / "screening.json"
BLOCKLIST = 10_000
#: Screening should cost under this share of the transcode of the same clip.
BAR = 0.1


@dataclasses.dataclass(frozen=True, slots=True)
class Plan:
    clip: Sizes
    long_seconds: int
    rounds: int


FULL = Plan(Sizes(width=1080, height=1920, seconds=10, ladder_rounds=1), long_seconds=60, rounds=3)
QUICK = Plan(Sizes(width=360, height=640, seconds=4, ladder_rounds=1), long_seconds=12, rounds=2)


@dataclasses.dataclass(frozen=True, slots=True)
class Timing:
    """Seconds for one screening, whole and by step."""

    total: float
    sample: float
    hash_match: float
    classify: float


def screen_once(scanner: Scanner, source: Path) -> Timing:
    """The scan, step by step as ``Scanner.scan`` does it, each step timed."""
    started = time.perf_counter()
    frames = scanner.sampler.sample(source, scanner.settings.frames)
    sampled = time.perf_counter()
    s = scanner.settings
    matches(
        frame_hashes(frames),
        scanner.blocklist.entries(),
        max_distance=s.max_distance,
        min_frames=s.min_frames,
    )
    hashed = time.perf_counter()
    scanner.classifier.score(frames)
    done = time.perf_counter()
    return Timing(done - started, sampled - started, hashed - sampled, done - hashed)


def screenings(scanner: Scanner, source: Path, rounds: int) -> Timing:
    """The median of ``rounds`` screenings, step by step."""
    runs = [screen_once(scanner, source) for _ in range(rounds)]
    return Timing(
        *(statistics.median(getattr(run, f.name) for run in runs) for f in dataclasses.fields(Timing))
    )


def transcode_seconds(source: Path, folder: Path) -> float:
    found = probe(source, max_duration_s=3600)
    started = time.perf_counter()
    transcode(source, found, folder, plan(found))
    return time.perf_counter() - started


def scanner_for(folder: Path) -> tuple[Scanner, float]:
    """The real scanner, its blocklist filled with random entries, and the classifier's load time."""
    blocklist = BlocklistFile(folder / "blocklist.txt")
    rng = random.Random(2026)
    blocklist.add((rng.getrandbits(64) for _ in range(BLOCKLIST)), "random")
    classifier = NudeNetClassifier()
    started = time.perf_counter()
    classifier.score([])  # loads the model, as a worker's first job does
    loaded = time.perf_counter() - started
    return Scanner(FrameSampler(), blocklist, classifier, ScanSettings()), loaded


def run(chosen: Plan, folder: Path) -> dict[str, Any]:
    scanner, load_s = scanner_for(folder)
    short = make_source(chosen.clip, _folder(folder / "short"))
    long = make_source(
        dataclasses.replace(chosen.clip, seconds=chosen.long_seconds), _folder(folder / "long")
    )
    clips: dict[str, Any] = {}
    for name, source, seconds in (("short", short, chosen.clip.seconds), ("long", long, chosen.long_seconds)):
        timing = screenings(scanner, source, chosen.rounds)
        clips[name] = {
            "video_s": seconds,
            "screening_s": _r(timing.total),
            "screening_s_per_video_s": _r(timing.total / seconds),
            "steps_s": {
                "sample": _r(timing.sample),
                "hash_match": _r(timing.hash_match),
                "classify": _r(timing.classify),
            },
        }
    transcoded = transcode_seconds(short, folder / "ladder")
    short_clip = clips["short"]
    short_clip["transcode_s"] = _r(transcoded)
    short_clip["transcode_s_per_video_s"] = _r(transcoded / chosen.clip.seconds)
    short_clip["screening_share_of_transcode"] = _r(short_clip["screening_s"] / transcoded)
    return {
        "frames": scanner.settings.frames,
        "blocklist_entries": BLOCKLIST,
        "classifier": scanner.classifier.name,
        "classifier_load_s": _r(load_s),
        "clips": clips,
        "bar": f"screening under {BAR:.0%} of the transcode of the same clip",
        "meets_bar": short_clip["screening_share_of_transcode"] < BAR,
    }


def summary(results: dict[str, Any], chosen: Plan) -> str:
    short, long = results["clips"]["short"], results["clips"]["long"]
    size = f"{chosen.clip.width}x{chosen.clip.height}"
    return "\n".join(
        [
            f"screening ({results['frames']} frames, {results['blocklist_entries']} blocklist entries, "
            f"{results['classifier']}; classifier loaded once in {results['classifier_load_s']:.2f} s):",
            f"  {size} {short['video_s']} s clip: {short['screening_s']:.2f} s "
            f"({short['screening_s_per_video_s']:.3f} s per second of video; steps {short['steps_s']})",
            f"  {size} {long['video_s']} s clip: {long['screening_s']:.2f} s "
            f"({long['screening_s_per_video_s']:.3f} s per second of video)",
            f"transcode of the {short['video_s']} s clip: {short['transcode_s']:.2f} s "
            f"({short['transcode_s_per_video_s']:.3f} s per second of video)",
            f"screening is {short['screening_share_of_transcode']:.1%} of the transcode; "
            f"bar: {results['bar']}: {'met' if results['meets_bar'] else 'NOT met'}",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.screening", description=DESCRIPTION)
    parser.add_argument("--quick", action="store_true", help="a small, short clip: a smoke run")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"JSON results (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    chosen = QUICK if args.quick else FULL
    with tempfile.TemporaryDirectory(prefix="strom-bench-") as folder:
        results = run(chosen, Path(folder))
    print(summary(results, chosen))
    save(
        args.out,
        {
            "benchmark": "screening",
            "mode": "quick" if args.quick else "full",
            "machine": machine(),
            **results,
        },
    )
    return 0


def _folder(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def _r(value: float) -> float:
    return round(value, 4)


if __name__ == "__main__":
    raise SystemExit(main())
