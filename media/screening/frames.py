"""Frames sampled from a video for screening, read through the hardened ffmpeg invocation.

``count`` frames spread evenly over the clip, each the first at or after the middle of its share of
the duration (never the very first frame, often a black fade-in, nor the last). One ffmpeg run
takes them all, in one of two ways, whichever costs less for the clip:

- a short clip (up to ``ONE_PASS_S``) is decoded once from the start, a filter keeping the frames
  wanted and ffmpeg stopping after the last: the cost is the clip's length;
- a longer one is opened once per frame, each input seeking to its moment (the keyframe before it,
  then decoding forward): the cost is the frames taken times the keyframe interval, so a
  ten-minute video costs about what a one-minute one does.

Either way the loop filter is skipped while decoding: it smooths block edges for the eye, and
neither a 32×32 hash nor the classifier sees the difference, at a good part of the decoding time.

The file is admitted first (``media.ingest_guard``), and ffmpeg reads it only through the guard's
options, in an isolated folder and environment, as the probe and the transcode do. Frames come out
scaled to fit ``SIZE`` pixels a side (the classifier's input; a perceptual hash needs far less),
turned upright as a player shows them, as PPM: a format with nothing to parse but a header.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from PIL import Image

from media.ingest_guard import Admitted, NotPlayable, admit, isolated
from media.probe import probe

SIZE = 320
#: For all the frames of one video, however many.
TIMEOUT_S = 300.0
MAX_FRAMES = 64
#: Clips up to this long are decoded in one pass rather than by seeking to each frame.
ONE_PASS_S = 60.0
#: Decoder options for every input: what a frame's hash and score do not need.
DECODE = ("-skip_loop_filter", "all")


class FrameSampler:
    """Frames of a video file, by the hardened ffmpeg: the real ``Sampler``."""

    def __init__(
        self, *, size: int = SIZE, timeout_s: float = TIMEOUT_S, one_pass_s: float = ONE_PASS_S
    ) -> None:
        self.size, self.timeout_s, self.one_pass_s = size, timeout_s, one_pass_s

    def sample(self, path: Path, count: int) -> list[Image.Image]:
        """``count`` frames spread over the video; ``NotPlayable`` if it is no video we accept."""
        if not 1 <= count <= MAX_FRAMES:
            raise ValueError(f"frames to sample must be from 1 to {MAX_FRAMES}")
        found = probe(path)
        upload = admit(path)
        with tempfile.TemporaryDirectory(prefix="strom-frames-") as folder:
            if found.duration_s <= self.one_pass_s:
                arguments = self._one_pass(upload, found.duration_s / count, count, Path(folder))
            else:
                arguments = self._seeking(upload, spread(found.duration_s, count), Path(folder))
            self._run(arguments)
            return [_read(output) for output in sorted(Path(folder).glob("frame-*.ppm"))]

    def _one_pass(self, upload: Admitted, step_s: float, count: int, folder: Path) -> list[str]:
        """The first frame at or after each moment, ``selected_n`` being the frames kept so far."""
        keep = f"select='gte(t\\,(selected_n+0.5)*{step_s:.6f})',{self._box()}"
        output = ["-map", "0:v:0", "-vf", keep, "-frames:v", str(count), "-fps_mode", "passthrough"]
        return [*DECODE, *upload.input_args(), *output, "-c:v", "ppm", str(folder / "frame-%02d.ppm")]

    def _seeking(self, upload: Admitted, times: list[float], folder: Path) -> list[str]:
        """A moment past the end of the video stream (shorter than the container says) leaves its
        output missing."""
        arguments: list[str] = []
        for at_s in times:
            arguments += [*DECODE, "-ss", f"{at_s:.3f}", *upload.input_args()]
        for index in range(len(times)):
            arguments += ["-map", f"{index}:v:0", "-frames:v", "1", "-vf", self._box(), "-c:v", "ppm"]
            arguments += ["-f", "image2", "-update", "1", str(folder / f"frame-{index:02d}.ppm")]
        return arguments

    def _box(self) -> str:
        return f"scale={self.size}:{self.size}:force_original_aspect_ratio=decrease"

    def _run(self, arguments: list[str]) -> None:
        command = [_ffmpeg(), "-v", "error", "-nostdin", "-y", *arguments]
        try:
            with isolated() as place:
                done = subprocess.run(
                    command,
                    capture_output=True,
                    timeout=self.timeout_s,
                    check=False,
                    stdin=subprocess.DEVNULL,
                    cwd=place.cwd,
                    env=place.env,
                )
        except subprocess.TimeoutExpired:
            raise NotPlayable("the video's frames could not be read in time") from None
        if done.returncode != 0:
            raise NotPlayable(f"the video's frames could not be read: {_last_line(done.stderr)}")


def _read(path: Path) -> Image.Image:
    with Image.open(path) as image:
        return image.convert("RGB")


def spread(duration_s: float, count: int) -> list[float]:
    """The middle of each of ``count`` equal shares of the duration, in seconds."""
    return [(index + 0.5) * duration_s / count for index in range(count)]


def _ffmpeg() -> str:
    found = shutil.which("ffmpeg")
    if found is None:
        raise RuntimeError("ffmpeg is not installed (scripts/system_deps.sh installs ffmpeg)")
    return found


def _last_line(stderr: bytes) -> str:
    lines = [line.strip() for line in stderr.decode(errors="replace").splitlines() if line.strip()]
    return lines[-1] if lines else "ffmpeg said nothing"
