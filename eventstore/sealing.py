"""Sealing personal fields with the person's data key (AES-256-GCM).

A sealed field is stored as ``{"$sealed": base64(nonce + ciphertext)}``. The field's
name and the event id are bound in as associated data, so a sealed value cannot be
moved to another field or event unnoticed.
"""

from __future__ import annotations

import base64
import os
from typing import Any

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from eventstore.keystore import KeyStore

SEALED = "$sealed"
NONCE_BYTES = 12


class UnsealError(ValueError):
    """A sealed field does not decrypt with its subject's key: the record was altered."""


class Sealer:
    def __init__(self, keys: KeyStore) -> None:
        self._keys = keys

    def seal(
        self, data: dict[str, Any], fields: tuple[str, ...], *, subject: str, event_id: str
    ) -> dict[str, Any]:
        aead = AESGCM(self._keys.key_for(subject))
        sealed = dict(data)
        for name in fields:
            if sealed.get(name) is None:
                continue
            nonce = os.urandom(NONCE_BYTES)
            box = aead.encrypt(nonce, orjson.dumps(sealed[name]), _aad(event_id, name))
            sealed[name] = {SEALED: base64.b64encode(nonce + box).decode()}
        return sealed

    def unseal(
        self, data: dict[str, Any], *, subject: str | None, event_id: str
    ) -> tuple[dict[str, Any], frozenset[str]]:
        """Returns the plain data and the names of fields that read as erased (set to ``None``)."""
        names = sealed_fields(data)
        if not names:
            return data, frozenset()
        key = self._keys.find(subject) if subject else None
        plain = dict(data)
        if key is None:
            for name in names:
                plain[name] = None
            return plain, frozenset(names)
        aead = AESGCM(key)
        for name in names:
            raw = base64.b64decode(data[name][SEALED])
            try:
                value = aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], _aad(event_id, name))
            except InvalidTag as exc:
                raise UnsealError(f"field {name!r} of event {event_id} does not decrypt") from exc
            plain[name] = orjson.loads(value)
        return plain, frozenset()


def sealed_fields(data: dict[str, Any]) -> list[str]:
    """The names of the fields this record holds sealed, whether or not their key still exists."""
    return [k for k, v in data.items() if isinstance(v, dict) and SEALED in v]


def _aad(event_id: str, field: str) -> bytes:
    return f"{event_id}/{field}".encode()
