"""Content vectors from text: what lets a video nobody has watched yet resemble ones people liked.

Hashtags and caption words are hashed into a fixed number of signed buckets (the hashing trick), so
the vector needs no vocabulary, is the same on every machine and in every replay, and is small enough
to store beside the video. Media features (as in the offline benchmark) can be passed instead.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np

from recommend.state import Vector

#: Buckets in a hashed text vector: few enough to store per video, enough that tags rarely collide.
DIMENSIONS = 64


def _bucket(token: str, dimensions: int) -> tuple[int, float]:
    digest = hashlib.blake2b(token.encode(), digest_size=8).digest()
    value = int.from_bytes(digest, "little")
    return value % dimensions, 1.0 if (value >> 63) & 1 else -1.0


def text_vector(tokens: Iterable[str], dimensions: int = DIMENSIONS) -> Vector | None:
    """The unit-length hashed bag of lower-cased tokens (leading ``#`` dropped); None for no tokens."""
    vector = np.zeros(dimensions, dtype=np.float32)
    for token in tokens:
        word = token.strip().lstrip("#").lower()
        if word:
            index, sign = _bucket(word, dimensions)
            vector[index] += sign
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else None


def unit(vector: Vector) -> Vector:
    """``vector`` scaled to length 1 (a zero vector stays zero), so similarities are cosines."""
    norm = float(np.linalg.norm(vector))
    return (vector / norm).astype(np.float32) if norm > 0 else vector.astype(np.float32)
