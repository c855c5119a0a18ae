"""Signed checkpoints of the log chain: what someone who can write the log cannot forge.

A checkpoint says "the log up to position P had log chain C" (``chain.log_link``), signed with an
Ed25519 key kept outside the log. Verifying it proves that every event up to P is still there,
unchanged and in the same order, whatever was done to the log's own hashes.

So that a failure can be explained and not only detected, a checkpoint also records, for each stream
with events since the previous checkpoint, their position and a 48-bit fingerprint of each hash
(about 20 bytes an event). Per-stream last version and hash alone would name deleted versions but not
the event that was rewritten, nor two events that swapped places; a digest per position range would
narrow a change down to a range but name nothing. The proof rests on the signed 256-bit chain value;
the fingerprints only say what changed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from eventstore.chain import GENESIS, log_link
from eventstore.envelope import RecordedEvent, utc_now_iso
from eventstore.files import FILE_MODE, make_folder

FORMAT = 1
FINGERPRINT_CHARS = 12
#: Events one checkpoint covers at most, so a line, and the memory of whoever makes or checks it,
#: stays bounded; a long log gets several checkpoints in a row.
MAX_EVENTS = 100_000


class CheckpointError(Exception):
    """A checkpoint cannot be made or checked: a key or a file is missing, unreadable or unsafe."""


def fingerprint(e: RecordedEvent) -> str:
    """Identifies an event's recorded content (its stream, version and hash) for diagnosis only."""
    body = orjson.dumps([e.stream, e.version, e.metadata.hash])
    return hashlib.sha256(body).hexdigest()[:FINGERPRINT_CHARS]


@dataclasses.dataclass(frozen=True, slots=True)
class StreamEvents:
    """One stream's events a checkpoint adds: versions ``first`` on, where each was, and its print."""

    first: int
    positions: tuple[int, ...]
    fingerprints: str

    def versions(self) -> range:
        return range(self.first, self.first + len(self.positions))

    def expected(self, version: int) -> tuple[int, str] | None:
        """Where the checkpoint saw ``version`` and its fingerprint; ``None`` if it did not cover it."""
        if version not in self.versions():
            return None
        i = version - self.first
        return self.positions[i], self.fingerprints[i * FINGERPRINT_CHARS : (i + 1) * FINGERPRINT_CHARS]


@dataclasses.dataclass(frozen=True, slots=True)
class AuditCheckpoint:
    """The log up to ``position`` (``events`` of them) had log chain ``chain``; ``streams`` holds
    what was added after ``since``, the previous checkpoint's position. ``prev`` is the previous
    checkpoint's digest, so the checkpoints form a chain of their own."""

    seq: int
    since: int
    position: int
    events: int
    chain: str
    prev: str
    made_at: str
    key: str
    streams: dict[str, StreamEvents]
    signature: str

    def digest(self) -> str:
        return hashlib.sha256(self.line()).hexdigest()

    def line(self) -> bytes:
        return _canonical({**_body(self), "signature": self.signature})

    def label(self) -> str:
        return f"checkpoint {self.seq} at position {self.position:,}"


def _body(cp: AuditCheckpoint) -> dict[str, Any]:
    """What the signature covers: everything but itself. Spelled out: this is a storage format."""
    return {
        "format": FORMAT,
        "seq": cp.seq,
        "since": cp.since,
        "position": cp.position,
        "events": cp.events,
        "chain": cp.chain,
        "prev": cp.prev,
        "made_at": cp.made_at,
        "key": cp.key,
        "streams": {s: [r.first, list(r.positions), r.fingerprints] for s, r in cp.streams.items()},
    }


def _canonical(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def parse(line: bytes) -> tuple[AuditCheckpoint, bytes]:
    """The checkpoint on a line and the bytes its signature covers; ``ValueError`` if malformed."""
    try:
        raw = orjson.loads(line)
        signed = _canonical({k: v for k, v in raw.items() if k != "signature"})
        streams = {s: _stream_events(v) for s, v in raw.pop("streams").items()}
        if raw.pop("format") != FORMAT:
            raise ValueError("unknown format")
        cp = AuditCheckpoint(**raw, streams=streams)
    except (orjson.JSONDecodeError, AttributeError, KeyError, TypeError) as exc:
        raise ValueError(str(exc)) from exc
    if not all(isinstance(getattr(cp, f), int) for f in ("seq", "since", "position", "events")):
        raise ValueError("a number is not an integer")
    return cp, signed


def _stream_events(raw: list[Any]) -> StreamEvents:
    first, positions, prints = raw
    if not isinstance(first, int) or not all(isinstance(p, int) for p in positions):
        raise TypeError("stream entry is not [first, [positions], fingerprints]")
    if len(prints) != len(positions) * FINGERPRINT_CHARS:
        raise TypeError("one fingerprint per position expected")
    return StreamEvents(first, tuple(positions), str(prints))


def make(
    events: Iterable[RecordedEvent],
    previous: AuditCheckpoint | None,
    key: Ed25519PrivateKey,
    *,
    limit: int = MAX_EVENTS,
) -> AuditCheckpoint | None:
    """Signs the log after ``previous`` (up to ``limit`` events of ``events``, read in global order
    from there); ``None`` when there is nothing new. The chain carries on from ``previous``, so a
    checkpoint costs only the new events: whether the earlier ones still match is for ``verify``."""
    chain, count, since = (
        (previous.chain, previous.events, previous.position) if previous else (GENESIS, 0, 0)
    )
    position = since
    streams: dict[str, tuple[int, list[int], list[str]]] = {}
    for e in itertools.islice(events, limit):
        chain, count, position = log_link(chain, e), count + 1, e.position
        _record(streams, e)
    if position == since:
        return None
    seq, prev = (previous.seq + 1, previous.digest()) if previous else (1, "")
    recorded = {s: StreamEvents(first, tuple(p), "".join(fp)) for s, (first, p, fp) in streams.items()}
    unsigned = AuditCheckpoint(
        seq, since, position, count, chain, prev, utc_now_iso(), key_id(key.public_key()), recorded, ""
    )
    return dataclasses.replace(unsigned, signature=key.sign(_canonical(_body(unsigned))).hex())


def _record(streams: dict[str, tuple[int, list[int], list[str]]], e: RecordedEvent) -> None:
    """A stream's versions in one checkpoint run without gaps, so a version finds its entry."""
    first, positions, prints = streams.setdefault(e.stream, (e.version, [], []))
    if e.version != first + len(positions):
        raise CheckpointError(f"{e.stream} skips to v{e.version} at position {e.position}: verify the log")
    positions.append(e.position)
    prints.append(fingerprint(e))


def signed_by(signed: bytes, signature: str, public: Ed25519PublicKey) -> bool:
    try:
        public.verify(bytes.fromhex(signature), signed)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


# -- keys ------------------------------------------------------------------------------------


def key_id(public: Ed25519PublicKey) -> str:
    """A short name for a public key, printed and stored so a wrong key is told from an edit."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_key_path(key_path: Path) -> Path:
    """The public half lives beside the signing key: ``audit.key`` → ``audit.pub``."""
    return key_path.with_suffix(".pub")


def signing_key(path: Path) -> Ed25519PrivateKey:
    """The key at ``path``, made owner-only on first use with its public half beside it. A key file
    others may read is refused: whoever can read it can sign a forged history."""
    if not path.exists():
        _create_key(path)
    if path.stat().st_mode & 0o077:
        raise CheckpointError(f"{path} may be read by others: chmod 600 it (or make a new key)")
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointError(f"{path} does not hold an Ed25519 private key")
    return key


def _create_key(path: Path) -> None:
    public_path = public_key_path(path)
    if public_path.exists():
        raise CheckpointError(f"{public_path} exists without its private key {path}: restore that key")
    make_folder(path.parent)
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE), "wb") as f:
        f.write(private)
    public_path.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    os.chmod(public_path, 0o644)


def public_key(path: Path) -> Ed25519PublicKey | None:
    """The public key in a PEM file; ``None`` if there is no such file."""
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except FileNotFoundError:
        return None
    except ValueError as exc:
        raise CheckpointError(f"{path} is not a PEM public key") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise CheckpointError(f"{path} does not hold an Ed25519 public key")
    return key
