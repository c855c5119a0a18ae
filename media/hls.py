"""HLS playlists: the master playlist we write, and a strict reader for the playlists we publish.

ffmpeg writes each rendition's media playlist; the master is ours, because its attributes must be
measured from what was produced (RFC 8216 asks for the peak bit rate of real segments, and CODECS
names the exact profile and level a player checks before it picks a variant). The reader refuses a
playlist a player would refuse, so tests and the publisher check playlists against the same rules.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

#: AAC-LC, what ffmpeg's native ``aac`` encoder writes.
AAC_LC = "mp4a.40.2"
_ATTRIBUTE = re.compile(r'([A-Z0-9-]+)=("[^"]*"|[^,]*)')


class PlaylistError(ValueError):
    """A playlist a player would refuse; the message says which rule it breaks."""


@dataclass(frozen=True, slots=True)
class Segment:
    uri: str
    duration_s: float


@dataclass(frozen=True, slots=True)
class MediaPlaylist:
    version: int
    target_duration: int
    map_uri: str | None
    segments: tuple[Segment, ...]
    ended: bool
    vod: bool

    @property
    def duration_s(self) -> float:
        return sum(s.duration_s for s in self.segments)


@dataclass(frozen=True, slots=True)
class Variant:
    """One ``#EXT-X-STREAM-INF``: bandwidths in bits per second, ``uri`` relative to the master."""

    uri: str
    bandwidth: int
    average_bandwidth: int
    width: int
    height: int
    codecs: str
    frame_rate: float


def master_playlist(variants: Sequence[Variant]) -> str:
    """Version 7 for fMP4 segments; independent segments because every one starts with a keyframe.
    Lowest bandwidth first, the order players expect when they start cautiously."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"]
    for v in sorted(variants, key=lambda v: (v.bandwidth, v.uri)):
        lines.append(
            f"#EXT-X-STREAM-INF:BANDWIDTH={v.bandwidth},AVERAGE-BANDWIDTH={v.average_bandwidth},"
            f'RESOLUTION={v.width}x{v.height},CODECS="{v.codecs}",FRAME-RATE={v.frame_rate:.3f}'
        )
        lines.append(v.uri)
    return "\n".join(lines) + "\n"


def parse_master(text: str) -> list[Variant]:
    lines = _lines(text)
    variants: list[Variant] = []
    for i, line in enumerate(lines):
        if not line.startswith("#EXT-X-STREAM-INF:"):
            continue
        if i + 1 >= len(lines) or lines[i + 1].startswith("#"):
            raise PlaylistError("#EXT-X-STREAM-INF is not followed by the variant's URI")
        variants.append(_variant(_attributes(line.partition(":")[2]), lines[i + 1]))
    if not variants:
        raise PlaylistError("the master playlist names no variant")
    return variants


def _variant(attributes: dict[str, str], uri: str) -> Variant:
    for required in ("BANDWIDTH", "CODECS", "RESOLUTION"):
        if required not in attributes:
            raise PlaylistError(f"variant {uri} has no {required}")
    width, _, height = attributes["RESOLUTION"].partition("x")
    try:
        return Variant(
            uri=uri,
            bandwidth=int(attributes["BANDWIDTH"]),
            average_bandwidth=int(attributes.get("AVERAGE-BANDWIDTH", attributes["BANDWIDTH"])),
            width=int(width),
            height=int(height),
            codecs=attributes["CODECS"].strip('"'),
            frame_rate=float(attributes.get("FRAME-RATE", "0")),
        )
    except ValueError:
        raise PlaylistError(f"variant {uri} has a malformed attribute") from None


def parse_media(text: str) -> MediaPlaylist:
    """Checks what RFC 8216 requires of a VOD media playlist: a target duration that every
    segment's duration rounds to at most, and a duration before every segment URI."""
    lines = _lines(text)
    tags: dict[str, str] = {}
    segments: list[Segment] = []
    duration: float | None = None
    for line in lines[1:]:
        if line.startswith("#EXTINF:"):
            duration = _number(line[len("#EXTINF:") :].partition(",")[0], "#EXTINF")
        elif line.startswith("#"):
            name, _, value = line.partition(":")
            tags[name] = value
        elif duration is None:
            raise PlaylistError(f"segment {line} has no #EXTINF duration before it")
        else:
            segments.append(Segment(line, duration))
            duration = None
    return _media(tags, segments)


def _media(tags: dict[str, str], segments: list[Segment]) -> MediaPlaylist:
    if "#EXT-X-TARGETDURATION" not in tags:
        raise PlaylistError("the media playlist has no #EXT-X-TARGETDURATION")
    target = int(_number(tags["#EXT-X-TARGETDURATION"], "#EXT-X-TARGETDURATION"))
    for segment in segments:
        if round(segment.duration_s) > target:
            raise PlaylistError(
                f"segment {segment.uri} lasts {segment.duration_s} s, over the target {target}"
            )
    if not segments:
        raise PlaylistError("the media playlist has no segments")
    map_uri = _attributes(tags["#EXT-X-MAP"]).get("URI", "").strip('"') if "#EXT-X-MAP" in tags else None
    return MediaPlaylist(
        version=int(_number(tags.get("#EXT-X-VERSION", "1"), "#EXT-X-VERSION")),
        target_duration=target,
        map_uri=map_uri or None,
        segments=tuple(segments),
        ended="#EXT-X-ENDLIST" in tags,
        vod=tags.get("#EXT-X-PLAYLIST-TYPE") == "VOD",
    )


def _lines(text: str) -> list[str]:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines or lines[0] != "#EXTM3U":
        raise PlaylistError("a playlist starts with #EXTM3U")
    return lines


def _attributes(text: str) -> dict[str, str]:
    return dict(_ATTRIBUTE.findall(text))


def _number(text: str, tag: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise PlaylistError(f"{tag} is not a number: {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise PlaylistError(f"{tag} is not a duration: {text!r}")
    return value


# -- measuring a rendition ---------------------------------------------------------------


def peak_bandwidth(durations: Sequence[float], sizes: Sequence[int], target_duration: float) -> int:
    """RFC 8216 section 4.3.4.2: the highest bit rate of any run of consecutive segments lasting
    0.5 to 1.5 target durations. The first segment carries the init segment's bytes too (pass them
    in ``sizes[0]``): a player fetches both before it can play. A video too short for any such run
    is measured whole."""
    rates = []
    for start in range(len(durations)):
        seconds, size = 0.0, 0
        for end in range(start, len(durations)):
            seconds, size = seconds + durations[end], size + sizes[end]
            if seconds > 1.5 * target_duration:
                break
            if seconds >= 0.5 * target_duration:
                rates.append(size * 8 / seconds)
    if not rates:
        rates.append(sum(sizes) * 8 / max(sum(durations), 1e-3))
    return math.ceil(max(rates))


def average_bandwidth(durations: Sequence[float], sizes: Sequence[int]) -> int:
    return math.ceil(sum(sizes) * 8 / max(sum(durations), 1e-3))


def video_codec(init_segment: Path) -> str:
    """The RFC 6381 name of the video track, read from the decoder configuration in the init
    segment (``avcC`` or ``av1C``), so the level is the one the encoder chose, not a guess."""
    data = init_segment.read_bytes()
    at = data.find(b"avcC")
    if at >= 0 and len(data) >= at + 8:
        profile, constraints, level = data[at + 5], data[at + 6], data[at + 7]
        return f"avc1.{profile:02x}{constraints:02x}{level:02x}"
    at = data.find(b"av1C")
    if at >= 0 and len(data) >= at + 7:
        return _av1_codec(data[at + 5], data[at + 6])
    raise ValueError(f"{init_segment} holds neither an avcC nor an av1C box")


def _av1_codec(profile_and_level: int, flags: int) -> str:
    """``av01.P.LLT.DD`` from the av1C bytes: seq_profile and seq_level_idx_0, then tier and depth."""
    profile, level = profile_and_level >> 5, profile_and_level & 0x1F
    tier = "H" if flags & 0x80 else "M"
    depth = 12 if flags & 0x40 and flags & 0x20 else 10 if flags & 0x40 else 8
    return f"av01.{profile}.{level:02d}{tier}.{depth:02d}"
