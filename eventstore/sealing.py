"""Sealing personal fields with the person's data key (AES-256-GCM).

A sealed field is stored as ``{"$sealed": base64(nonce + ciphertext)}``. The field's
name and the event id are bound in as associated data, so a sealed value cannot be
moved to another field or event unnoticed.

An event type may have its personal fields sealed together, in one box: the hottest events (watch
signals) hold several small ones, and one encryption per event costs a fifth of five. The box is
stored under the key ``$sealed`` with the names of the fields it holds in clear, which leave the
data: ``{"$sealed": {"fields": [...], "box": base64(nonce + ciphertext)}}``, bound to the event id
and ``$sealed``. Either shape reads back the same.
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
    def __init__(self, keys: KeyStore, *, remember: bool = False) -> None:
        self._keys = keys
        self._remembered: dict[str, AESGCM] | None = {} if remember else None
        #: Keys found for reading (``None``: erased), kept by a batch sealer as the sealing keys are.
        self._found: dict[str, AESGCM | None] | None = {} if remember else None

    def for_batch(self) -> Sealer:
        """A sealer that asks the key store for each subject's key once: for the events of one
        append, sealed in a row, or of one batch a projection stream reads (a key erased meanwhile
        is caught by the next batch). Each lookup is a query that gives up the interpreter lock,
        and taking it back behind a busy thread costs milliseconds: several events of one person
        in a batch pay once."""
        return Sealer(self._keys, remember=True)

    def seal(
        self,
        data: dict[str, Any],
        fields: tuple[str, ...],
        *,
        subject: str,
        event_id: str,
        together: bool = False,
    ) -> dict[str, Any]:
        aead = self._aead(subject)
        sealed = dict(data)
        if together:
            plain = {name: sealed.pop(name) for name in fields if sealed.get(name) is not None}
            if plain:
                sealed[SEALED] = {"fields": list(plain), "box": _box(aead, plain, event_id, SEALED)}
            return sealed
        for name in fields:
            if sealed.get(name) is None:
                continue
            sealed[name] = {SEALED: _box(aead, sealed[name], event_id, name)}
        return sealed

    def unseal(
        self, data: dict[str, Any], *, subject: str | None, event_id: str
    ) -> tuple[dict[str, Any], frozenset[str]]:
        """Returns the plain data and the names of fields that read as erased (set to ``None``)."""
        names = sealed_fields(data)
        if not names:
            return data, frozenset()
        aead = self._opener(subject) if subject else None
        plain = dict(data)
        group = plain.pop(SEALED, None)
        if aead is None:
            for name in names:
                plain[name] = None
            return plain, frozenset(names)
        if group is not None:
            plain.update(_open(aead, group["box"], event_id, SEALED))
        for name in names:
            if isinstance(data.get(name), dict) and SEALED in data[name]:
                plain[name] = _open(aead, data[name][SEALED], event_id, name)
        return plain, frozenset()

    def _opener(self, subject: str) -> AESGCM | None:
        if self._found is not None and subject in self._found:
            return self._found[subject]
        key = self._keys.find(subject)
        aead = None if key is None else AESGCM(key)
        if self._found is not None:
            self._found[subject] = aead
        return aead

    def _aead(self, subject: str) -> AESGCM:
        if self._remembered is None:
            return AESGCM(self._keys.key_for(subject))
        aead = self._remembered.get(subject)
        if aead is None:
            aead = self._remembered[subject] = AESGCM(self._keys.key_for(subject))
        return aead


def sealed_fields(data: dict[str, Any]) -> list[str]:
    """The names of the fields this record holds sealed, whether or not their key still exists."""
    group = data.get(SEALED)
    together = list(group["fields"]) if isinstance(group, dict) else []
    return together + [k for k, v in data.items() if isinstance(v, dict) and SEALED in v]


def _box(aead: AESGCM, value: Any, event_id: str, name: str) -> str:
    nonce = os.urandom(NONCE_BYTES)
    return base64.b64encode(nonce + aead.encrypt(nonce, orjson.dumps(value), _aad(event_id, name))).decode()


def _open(aead: AESGCM, box: str, event_id: str, name: str) -> Any:
    raw = base64.b64decode(box)
    try:
        value = aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], _aad(event_id, name))
    except InvalidTag as exc:
        raise UnsealError(f"field {name!r} of event {event_id} does not decrypt") from exc
    return orjson.loads(value)


def _aad(event_id: str, field: str) -> bytes:
    return f"{event_id}/{field}".encode()
