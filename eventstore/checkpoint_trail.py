"""The checkpoint file: signed checkpoints as JSON lines, each linked to the one before.

The file only grows, so a copy kept elsewhere (where whoever runs the service cannot write) stays
valid as a prefix of it: the last lines are the one thing a local attacker can drop unseen.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from eventstore.checkpoints import AuditCheckpoint, CheckpointError, key_id, parse, signed_by
from eventstore.files import FILE_MODE, make_folder


@dataclasses.dataclass(frozen=True, slots=True)
class Trail:
    """The checkpoints that check out, in order, and what is wrong with the first line that did not
    (nothing after it is trusted: it may have been written to match a forged history)."""

    checkpoints: list[AuditCheckpoint]
    problems: list[str]

    @property
    def last(self) -> AuditCheckpoint | None:
        return self.checkpoints[-1] if self.checkpoints else None


def read_trail(path: Path, public: Ed25519PublicKey | None) -> Trail:
    """Checks every line's signature with ``public`` and its link to the line before."""
    lines = [line for line in _lines(path) if line.strip()]
    if lines and public is None:
        raise CheckpointError(f"{path} holds checkpoints, but there is no public key to check them with")
    checkpoints: list[AuditCheckpoint] = []
    for number, line in enumerate(lines, start=1):
        assert public is not None
        problem = _check(number, line, checkpoints[-1] if checkpoints else None, public)
        if isinstance(problem, str):
            return Trail(checkpoints, [problem])
        checkpoints.append(problem)
    return Trail(checkpoints, [])


def _lines(path: Path) -> list[bytes]:
    try:
        return path.read_bytes().splitlines()
    except FileNotFoundError:
        return []


def _check(
    number: int, line: bytes, previous: AuditCheckpoint | None, public: Ed25519PublicKey
) -> AuditCheckpoint | str:
    """The checkpoint on the line, or why it cannot be trusted."""
    try:
        cp, signed = parse(line)
    except ValueError:
        return f"line {number} of the checkpoint file is not a checkpoint"
    name = f"checkpoint {cp.seq} (line {number})"
    if cp.key != key_id(public):
        return f"{name} is signed by key {cp.key}, not the audit key {key_id(public)}"
    if not signed_by(signed, cp.signature, public):
        return f"{name} was changed after it was signed"
    if previous is None and (cp.seq, cp.since, cp.prev) != (1, 0, ""):
        return f"{name} is not the first checkpoint: the ones before it were removed"
    if previous and (cp.seq, cp.since, cp.prev) != (previous.seq + 1, previous.position, previous.digest()):
        return f"{name} does not follow checkpoint {previous.seq}: one was removed, replaced or reordered"
    return cp


@contextlib.contextmanager
def appending(path: Path) -> Iterator[BinaryIO]:
    """The file open for appending, locked, so two makers never both write checkpoint N."""
    make_folder(path.parent)
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE), "ab") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        yield f


def append(f: BinaryIO, cp: AuditCheckpoint) -> None:
    """Written and synced before the caller reports it made."""
    f.write(cp.line() + b"\n")
    f.flush()
    os.fsync(f.fileno())
