"""Which renditions a source gets: the bitrate ladder, cut to the source so nothing is upscaled.

A rung is named for the frame's SHORT side, so a 1080x1920 phone clip and a 1920x1080 film are both
"1080p" and cost about the same to stream; the long side follows the source's aspect ratio. Sizes are
even because H.264 and AV1 in 4:2:0 need whole chroma samples. A source below the lowest rung still
plays: it gets one rendition at its own size rather than none or an upscaled one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from media.probe import Probe

Codec = Literal["h264", "av1"]


@dataclass(frozen=True, slots=True)
class Rung:
    """One step of the ladder: a short side and the bitrates it is encoded at (H.264, ~30 fps)."""

    short_side: int
    video_kbps: int
    audio_kbps: int


#: Bitrates near Apple's HLS authoring guidance for portrait and landscape alike.
RUNGS = (
    Rung(240, 400, 64),
    Rung(360, 800, 96),
    Rung(480, 1_400, 96),
    Rung(720, 2_800, 128),
    Rung(1080, 5_000, 128),
)
#: How far a variable-bitrate encode may peak above its average, and AV1's saving over H.264.
PEAK_FACTOR = 1.5
AV1_FACTOR = 0.6


@dataclass(frozen=True, slots=True)
class Rendition:
    """One variant of the HLS ladder; ``name`` is also its folder ("720p", "720p-av1")."""

    name: str
    width: int
    height: int
    codec: Codec
    video_kbps: int
    max_kbps: int
    audio_kbps: int | None


def plan(probe: Probe, *, av1: bool = False) -> list[Rendition]:
    """The H.264 ladder, lowest first, then (with ``av1``) the same sizes again in AV1."""
    short, long = sorted((probe.width, probe.height))
    rungs = [rung for rung in RUNGS if rung.short_side <= short]
    if not rungs:
        rungs = [Rung(_even_floor(short), RUNGS[0].video_kbps, RUNGS[0].audio_kbps)]
    h264 = [_rendition(probe, rung, short, long) for rung in rungs]
    return h264 + ([_in_av1(r) for r in h264] if av1 else [])


def _rendition(probe: Probe, rung: Rung, short: int, long: int) -> Rendition:
    scaled_long = min(_even(long * rung.short_side / short), _even_floor(long))
    portrait = probe.height > probe.width
    width, height = (rung.short_side, scaled_long) if portrait else (scaled_long, rung.short_side)
    return Rendition(
        name=f"{rung.short_side}p",
        width=width,
        height=height,
        codec="h264",
        video_kbps=rung.video_kbps,
        max_kbps=round(rung.video_kbps * PEAK_FACTOR),
        audio_kbps=rung.audio_kbps if probe.has_audio else None,
    )


def _in_av1(h264: Rendition) -> Rendition:
    return Rendition(
        name=f"{h264.name}-av1",
        width=h264.width,
        height=h264.height,
        codec="av1",
        video_kbps=round(h264.video_kbps * AV1_FACTOR),
        max_kbps=round(h264.max_kbps * AV1_FACTOR),
        audio_kbps=h264.audio_kbps,
    )


def _even(value: float) -> int:
    return max(2, 2 * round(value / 2))


def _even_floor(value: int) -> int:
    """Rounding down, where rounding up would add a pixel the source does not have."""
    return max(2, value - value % 2)
