"""Perceptual hashes of frames, and matching them against the operator's blocklist.

A frame's hash is its 64-bit pHash (the low frequencies of the discrete cosine transform of a
32×32 grey thumbnail, each compared with their median): what survives re-encoding, a change of
resolution or bitrate, and mild colour changes, since none of them moves the picture's coarse
structure. Two frames match when their hashes differ in at most ``max_distance`` bits.

A flat frame (black, a fade, one colour) has no structure to hash: its bits are noise that matches
any other flat frame. Such frames are left out on both sides: never added to the blocklist, never
matched against it.

Why pHash over PDQ: PDQ's 256 bits tell near-duplicates apart more finely, but its Python bindings
are a C extension built from source, and for whole videos a match is already judged over several
frames (``min_frames``), which is where the certainty comes from. Entries are stored as hex, so a
blocklist of PDQ hashes would need a new hash kind, not a new file format.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import imagehash
import numpy as np
from PIL import Image, ImageStat

HASH_BITS = 64
#: Below this standard deviation of grey levels (0-255) a frame counts as flat.
FLAT_BELOW = 6.0


@dataclass(frozen=True, slots=True)
class Entry:
    """A blocklisted frame hash, and what the operator noted about where it came from."""

    hash: int
    note: str = ""

    @property
    def id(self) -> str:
        """How verdicts and the operator name the entry: its hash as 16 hex digits."""
        return format(self.hash, "016x")


def frame_hash(frame: Image.Image) -> int | None:
    """The frame's 64-bit pHash, or None for a flat frame."""
    grey = frame.convert("L")
    if ImageStat.Stat(grey).stddev[0] < FLAT_BELOW:
        return None
    return int(str(imagehash.phash(grey)), 16)


def frame_hashes(frames: Iterable[Image.Image]) -> list[int]:
    return [h for frame in frames if (h := frame_hash(frame)) is not None]


def distance(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def matches(
    hashes: Sequence[int], entries: Sequence[Entry], *, max_distance: int, min_frames: int
) -> list[str]:
    """The ids of the entries the frames match, if at least ``min_frames`` frames match one (or
    all of them, for a video with fewer hashable frames); else none."""
    if not hashes or not entries:
        return []
    listed = np.fromiter((entry.hash for entry in entries), dtype=np.uint64, count=len(entries))
    near = np.bitwise_count(listed[None, :] ^ np.asarray(hashes, dtype=np.uint64)[:, None]) <= max_distance
    frames = int(near.any(axis=1).sum())
    if frames < min(min_frames, len(hashes)):
        return []
    return sorted({entries[int(i)].id for i in np.flatnonzero(near.any(axis=0))})


def parse_hash(text: str) -> int:
    """A hash as the operator gives it: 16 hex digits."""
    value = text.strip().lower()
    if len(value) != HASH_BITS // 4 or any(char not in "0123456789abcdef" for char in value):
        raise ValueError(f"a hash is {HASH_BITS // 4} hex digits, not {text!r}")
    return int(value, 16)


def fingerprint(entries: Iterable[Entry]) -> str:
    """A digest of the hashes (notes aside): a new one means verdicts may change."""
    said = ",".join(sorted(entry.id for entry in entries))
    return hashlib.sha256(said.encode()).hexdigest()[:16]
