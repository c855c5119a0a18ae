"""Time-ordered ids (UUIDv7, RFC 9562) and ids derived deterministically from keys."""

from __future__ import annotations

import os
import time
import uuid

_NAMESPACE = uuid.UUID("5f0c6a36-8a53-4f53-9a3e-2f6f3f8d5e11")


def uuid7() -> uuid.UUID:
    """A UUIDv7: 48-bit Unix milliseconds, then random bits, so ids sort by creation time."""
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= (rand >> 68) << 64  # 12 bits rand_a
    value |= 0b10 << 62
    value |= rand & ((1 << 62) - 1)
    return uuid.UUID(int=value)


def id_from_key(*parts: str) -> str:
    """A stable id for the same key, so a retried request produces the same event ids."""
    return str(uuid.uuid5(_NAMESPACE, "\x1f".join(parts)))
