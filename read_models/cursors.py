"""The seal on every cursor the read side hands out.

A cursor says where the next page starts: a row's clustering key (a video's id and publish time),
Cassandra's paging state, a log position. Lists that drop rows the caller may not see after reading a
page would hand out, in plain text, the key of a row they dropped. Sealed with AES-SIV under a key
derived from the server's secret, a cursor reads as noise, and one altered or made up fails to open,
so it is refused like any cursor not handed out. AES-SIV needs no nonce: the same page always gets
the same cursor (For You seeds a page's order with it). Each kind of cursor is bound to its name as
associated data, so one kind never opens as another.
"""

from __future__ import annotations

import base64
import binascii
import functools
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV

from read_models.errors import InvalidQuery

#: AES-SIV with AES-256: two 256-bit keys, one for the tag and one for the encryption.
KEY_BYTES = 64


class CursorSeal:
    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError(f"a cursor key is {KEY_BYTES} bytes, got {len(key)}")
        self._siv = AESSIV(key)

    def seal(self, kind: str, plain: bytes) -> str:
        """``plain`` (not empty) sealed as URL-safe base64 without padding: longer by the 16-byte tag."""
        box = self._siv.encrypt(plain, [kind.encode()])
        return base64.urlsafe_b64encode(box).decode().rstrip("=")

    def open(self, kind: str, cursor: str) -> bytes:
        """What ``seal`` sealed as ``kind``; ``InvalidQuery`` for anything else."""
        try:
            box = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            return self._siv.decrypt(box, [kind.encode()])
        except (binascii.Error, ValueError, InvalidTag):
            raise InvalidQuery("malformed cursor") from None


@functools.cache
def process_seal() -> CursorSeal:
    """For a store opened without a key (tests, tools), whose cursors are read back by the same
    process. The composition root gives stores the key derived from the server's secret
    (``Settings.cursor_key``), so every API process and every restart opens the others' cursors."""
    return CursorSeal(os.urandom(KEY_BYTES))
