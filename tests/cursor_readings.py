"""What a cursor might be read as by someone holding it, shared by the tests that check it names no
row: a cursor handed to a caller must not carry the key of a row the caller was not shown."""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Iterable, Iterator


def readings(cursor: str) -> list[bytes]:
    """The cursor as text, and as base64 of either alphabet from each of its parts (``p.…``)."""
    found = [cursor.encode()]
    for part in {cursor, *cursor.split(".")}:
        padded = part + "=" * (-len(part) % 4)
        for decode in (base64.urlsafe_b64decode, base64.b64decode):
            try:
                found.append(decode(padded))
            except (binascii.Error, ValueError):
                continue
    return found


def forms(value: str | int) -> list[bytes]:
    """The ways a value may be written down: as text; a number also as 8 bytes (a Cassandra
    timestamp), a UUID also as hex and as its 16 bytes."""
    text = str(value)
    written = [text.encode()]
    if isinstance(value, int):
        return [*written, value.to_bytes(8, "big", signed=True)]
    try:
        as_uuid = uuid.UUID(text)
    except ValueError:
        return written
    return [*written, as_uuid.hex.encode(), as_uuid.bytes]


def named_in(cursor: str, values: Iterable[str | int]) -> list[str | int]:
    """Those of ``values`` that some reading of the cursor names."""
    read = readings(cursor)
    return [v for v in values if any(form in r for form in forms(v) for r in read)]


def altered_cursors(cursor: str) -> Iterator[str]:
    """The cursor with each of the bytes it carries changed in turn (a flipped bit)."""
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    for i in range(len(raw)):
        changed = raw[:i] + bytes([raw[i] ^ 1]) + raw[i + 1 :]
        yield base64.urlsafe_b64encode(changed).decode().rstrip("=")
