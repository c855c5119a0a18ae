"""Video clips made by ffmpeg itself, for tests that need real media."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest


def ffmpeg(*args: str) -> None:
    binary = shutil.which("ffmpeg")
    if binary is None:
        pytest.fail("ffmpeg is not installed: run scripts/system_deps.sh (make test does) as root")
    subprocess.run([binary, "-v", "error", "-y", *args], check=True, timeout=120)


def clip(
    path: Path, *, size: str = "320x240", seconds: float = 2, sound: bool = True, extra: tuple[str, ...] = ()
) -> Path:
    """A test pattern (with a tone unless ``sound`` is off) as H.264 in MP4."""
    inputs = ["-f", "lavfi", "-i", f"testsrc=size={size}:rate=30"]
    if sound:
        inputs += ["-f", "lavfi", "-i", "sine=frequency=440", "-c:a", "aac"]
    ffmpeg(*inputs, "-t", str(seconds), "-c:v", "libx264", "-pix_fmt", "yuv420p", *extra, str(path))
    return path
