"""Transcoding reports how far it has got while it runs, not only when it is done: the upload page
shows it. ffmpeg's own report waits for every output's first frame, and the thumbnail strip has its
one frame only at the end, so the encode's progress is read from the segments it has finished."""

from __future__ import annotations

import time
from pathlib import Path

from media.ladder import plan
from media.probe import probe
from media.transcode import transcode
from tests.clips import clip

#: Long enough that the encode takes a few seconds on two busy cores.
SECONDS = 10


def test_progress_is_reported_while_the_video_is_encoded(tmp_path: Path) -> None:
    # Given a portrait clip of some length
    source = clip(tmp_path / "tall.mp4", size="720x1280", seconds=SECONDS)
    found = probe(source, max_duration_s=60)
    # When it is transcoded
    reports: list[tuple[float, float]] = []
    started = time.monotonic()
    transcode(
        source,
        found,
        tmp_path / "out",
        plan(found),
        on_progress=lambda done: reports.append((time.monotonic() - started, done)),
    )
    ended = time.monotonic() - started
    # Then progress came on the way, rising, and before the encode was nearly over
    shares = [done for _, done in reports]
    assert shares == sorted(shares)
    assert shares[-1] == 1.0
    early = [(at, done) for at, done in reports if 0 < done < 0.9]
    assert early, f"nothing reported before the end: {reports} in {ended:.1f} s"
    assert early[0][0] < ended - 0.5
