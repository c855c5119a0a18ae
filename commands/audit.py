"""What auditors run: a stream's full history as recorded, personal data masked unless revealed;
the log verified against its signed checkpoints, and those checkpoints made.

A reveal is recorded before anything is shown (``PersonalDataRevealed`` on ``reveals-<auditor>``).
If that append fails, the error propagates and nothing is revealed. What is masked, and why:
``domain.auditing``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from commands.context import Ports, Request
from commands.handling import store_errors
from domain import auditing
from domain.errors import Conflict, NotFound
from eventstore import checkpoints
from eventstore.chain import ChainBreak
from eventstore.checkpoint_trail import append, appending, read_trail
from eventstore.checkpoints import AuditCheckpoint, CheckpointError
from eventstore.envelope import RecordedEvent, StreamState
from eventstore.errors import StreamNotFound, SubjectErased
from eventstore.keystore import KeyStore
from eventstore.log_audit import LogAuditor
from eventstore.port import EventStore
from eventstore.sealing import Sealer, sealed_fields

AsOf = int | datetime | None


def parse_as_of(value: str | None) -> AsOf:
    """``--as-of`` is a global position (digits) or an ISO-8601 time with a zone."""
    if value is None:
        return None
    if value.isdigit():
        return int(value)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"--as-of {value!r} is neither a position nor an ISO-8601 time") from exc
    if moment.tzinfo is None:
        raise ValueError(f"--as-of {value!r} needs a time zone, e.g. {value}+00:00")
    return moment


def history(store: EventStore, stream: str, as_of: AsOf = None) -> Iterator[RecordedEvent]:
    """The stream as it stood at a position or a moment; raises ``NotFound`` for no such stream."""
    try:
        events = store.read_stream(stream)
    except StreamNotFound as exc:
        raise NotFound(str(exc)) from exc
    for event in events:
        if isinstance(as_of, int) and event.position > as_of:
            return
        if isinstance(as_of, datetime) and datetime.fromisoformat(event.metadata.occurred_at) > as_of:
            return
        yield event


def reveals(auditor_id: str) -> str:
    """The stream of an auditor's reveals: few, so one stream per auditor for all time."""
    return f"reveals-{auditor_id}"


@dataclasses.dataclass(frozen=True, slots=True)
class Unsealed:
    """A record with its data decrypted where the key exists, and what of it is personal or erased."""

    record: RecordedEvent
    data: dict[str, Any]
    personal: frozenset[str]
    erased: frozenset[str]

    def revealable(self) -> frozenset[str]:
        return auditing.revealable(self.data, personal=self.personal, erased=self.erased)

    def describe(self, *, reveal: bool) -> dict[str, Any]:
        """The event with its envelope, as an auditor sees it."""
        event = self.record
        return {
            "stream": event.stream,
            "version": event.version,
            "position": event.position,
            "event_id": event.event_id,
            "type": event.type,
            "schema_version": event.schema_version,
            "data": auditing.shown(self.data, personal=self.personal, erased=self.erased, reveal=reveal),
            "metadata": event.metadata.to_dict(),
        }


def unseal(event: RecordedEvent, sealer: Sealer) -> Unsealed:
    """Personal: what the type declares and whatever the record holds sealed, even of unknown types."""
    data, erased = sealer.unseal(event.data, subject=event.metadata.key_id, event_id=event.event_id)
    personal = auditing.personal_fields(event.type) | frozenset(sealed_fields(event.data))
    return Unsealed(event, data, personal, erased)


def readable_history(
    store: EventStore, keys: KeyStore, stream: str, as_of: AsOf = None
) -> Iterator[dict[str, Any]]:
    """The history with personal data masked: what any auditor may read without giving a reason."""
    sealer = Sealer(keys)
    return (unseal(event, sealer).describe(reveal=False) for event in history(store, stream, as_of))


def revealed_history(
    cmd: auditing.RevealPersonalData, *, ports: Ports, request: Request, as_of: AsOf = None
) -> list[dict[str, Any]]:
    """The history in clear (secrets aside), once the reveal is on record; raises if it cannot be."""
    auditing.authorise_reveal(cmd)
    sealer = Sealer(ports.keys)
    with store_errors():
        unsealed = [unseal(event, sealer) for event in history(ports.store, cmd.stream, as_of)]
    found = {u.record.event_id: u.revealable() for u in unsealed}
    events = auditing.decide_reveal(cmd, found)
    if events:
        _record(events, ports=ports, request=request)
    return [u.describe(reveal=True) for u in unsealed]


def _record(events: list[auditing.PersonalDataRevealed], *, ports: Ports, request: Request) -> None:
    """Reveals depend on no earlier state, so they are appended without a concurrency check."""
    try:
        encoded = [ports.codec.encode(e, request.metadata()) for e in events]
    except SubjectErased as exc:
        raise Conflict("this account was erased; it can no longer reveal anything") from exc
    with store_errors():
        ports.store.append(reveals(request.actor.user_id), encoded, StreamState.ANY)


@dataclasses.dataclass(frozen=True, slots=True)
class LogVerdict:
    """The whole log against its streams' chains and its checkpoints."""

    checked: int
    breaks: list[ChainBreak]
    tampering: list[str]
    checkpoints: list[AuditCheckpoint]
    uncovered: int

    @property
    def intact(self) -> bool:
        return not self.breaks and not self.tampering

    def summary(self) -> list[str]:
        """What was proven, and what rests on the streams' own chains only."""
        lines = [f"OK {self.checked} events verified"] if self.intact else []
        if self.checkpoints and self.intact:
            last = self.checkpoints[-1]
            which = f"checkpoints 1..{last.seq}" if last.seq > 1 else "checkpoint 1"
            lines.append(f"{which} (key {last.key}) match the log up to position {last.position:,}")
        if not self.checkpoints:
            lines.append(
                f"no checkpoints yet: {self.uncovered} events are covered by their streams' chains only"
            )
        elif self.uncovered:
            lines.append(f"{self.uncovered} events after the last checkpoint are not covered yet")
        return lines


def verify_log(store: EventStore, *, trail: Path, public_key: Path) -> LogVerdict:
    """Every stream's chain, and the log held to every checkpoint in ``trail`` that checks out with
    ``public_key``. A checkpoint file that does not check out is reported as tampering too."""
    found = read_trail(trail, checkpoints.public_key(public_key))
    auditor = LogAuditor(found.checkpoints)
    for event in store.read_all():
        auditor.check(event)
    tampering = [*found.problems, *auditor.finish()]
    return LogVerdict(
        auditor.streams.checked, auditor.breaks, tampering, found.checkpoints, auditor.uncovered
    )


def checkpoint_log(
    store: EventStore, *, key: Path, trail: Path, limit: int = checkpoints.MAX_EVENTS
) -> list[AuditCheckpoint]:
    """Signs what the log gained since the last checkpoint, ``limit`` events a checkpoint. Will not
    carry on from a checkpoint file that does not check out with the key's public half."""
    signer = checkpoints.signing_key(key)
    made: list[AuditCheckpoint] = []
    with appending(trail) as f:
        found = read_trail(trail, signer.public_key())
        if found.problems:
            raise CheckpointError(f"{found.problems[0]}; see 'strom audit verify --all'")
        previous = found.last
        while cp := checkpoints.make(_after(store, previous, limit), previous, signer, limit=limit):
            append(f, cp)
            made.append(cp)
            previous = cp
    return made


def _after(store: EventStore, cp: AuditCheckpoint | None, limit: int) -> Iterator[RecordedEvent]:
    return store.read_all(after=cp.position if cp else None, limit=limit)
