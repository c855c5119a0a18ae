"""A data export after it was asked for (stream ``export-<id>``): built and ready to download, failed,
expired once its lifetime passed, or abandoned because its holder was erased.

Asking is the holder's act, recorded on their account (``DataExportRequested`` on ``user-<id>``).
Everything after is the exporter's (``EXPORTER``, a process manager), so it goes on a stream of the
export's own and the account's stream stays the holder's. A new export stream is pending: the
exporter only ever opens one for an export that was asked for.

Jobs run at least once, so settling an export the way it is already settled records nothing
(expiring an expired one, abandoning one that is gone); settling it another way is refused. In
particular an export is never ready twice: a rebuilt archive cannot replace the one announced.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from datetime import datetime

from domain.actors import Actor, Role
from domain.errors import Conflict, InvalidCommand, NotAllowed
from domain.events import DomainEvent, event

#: Who records what happens to exports.
EXPORTER = Actor("system:data-exports", Role.ADMIN)
SHA256 = re.compile(r"[0-9a-f]{64}")
REASON_MAX = 500


class Status(enum.StrEnum):
    PENDING = "pending"
    READY = "ready"
    FAILED = "failed"
    EXPIRED = "expired"
    ABANDONED = "abandoned"


class AbandonReason(enum.StrEnum):
    ERASED = "the account was erased"


# -- events ----------------------------------------------------------------------------------------


@event("DataExportReady")
@dataclasses.dataclass(frozen=True, slots=True)
class DataExportReady(DomainEvent):
    """The archive is in media storage under ``object_key`` until ``expires_at``. Times are ISO 8601
    UTC."""

    export_id: str
    user_id: str
    object_key: str
    size_bytes: int
    sha256: str
    ready_at: str
    expires_at: str


@event("DataExportFailed")
@dataclasses.dataclass(frozen=True, slots=True)
class DataExportFailed(DomainEvent):
    export_id: str
    user_id: str
    reason: str


@event("DataExportExpired")
@dataclasses.dataclass(frozen=True, slots=True)
class DataExportExpired(DomainEvent):
    """Its lifetime passed and its archive was deleted."""

    export_id: str
    user_id: str
    expired_at: str


@event("DataExportAbandoned")
@dataclasses.dataclass(frozen=True, slots=True)
class DataExportAbandoned(DomainEvent):
    """Never to be (or no longer) downloadable: its archive, if it had one, was deleted."""

    export_id: str
    user_id: str
    reason: str  # an AbandonReason


Event = DataExportReady | DataExportFailed | DataExportExpired | DataExportAbandoned


# -- commands --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class RecordExportReady:
    actor: Actor
    export_id: str
    user_id: str
    object_key: str
    size_bytes: int
    sha256: str
    ready_at: datetime
    expires_at: datetime


@dataclasses.dataclass(frozen=True, slots=True)
class RecordExportFailed:
    actor: Actor
    export_id: str
    user_id: str
    reason: str


@dataclasses.dataclass(frozen=True, slots=True)
class ExpireExport:
    actor: Actor
    export_id: str
    user_id: str
    now: datetime


@dataclasses.dataclass(frozen=True, slots=True)
class AbandonExport:
    actor: Actor
    export_id: str
    user_id: str
    reason: AbandonReason


# -- state -----------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class State:
    status: Status = Status.PENDING
    user_id: str = ""
    object_key: str | None = None
    expires_at: datetime | None = None


initial = State()


def evolve(state: State, event: Event) -> State:
    match event:
        case DataExportReady():
            expires_at = datetime.fromisoformat(event.expires_at)
            return State(Status.READY, event.user_id, event.object_key, expires_at)
        case DataExportFailed():
            return dataclasses.replace(state, status=Status.FAILED, user_id=event.user_id)
        case DataExportExpired():
            return dataclasses.replace(state, status=Status.EXPIRED, user_id=event.user_id)
        case DataExportAbandoned():
            return dataclasses.replace(state, status=Status.ABANDONED, user_id=event.user_id)


# -- deciders --------------------------------------------------------------------------------------


def decide_record_ready(state: State, cmd: RecordExportReady) -> list[Event]:
    _ensure_exporter(cmd.actor, state, cmd.user_id)
    if state.status is not Status.PENDING:
        raise Conflict(f"the export is {state.status} already; it is never ready twice")
    if not cmd.object_key or cmd.size_bytes < 0 or not SHA256.fullmatch(cmd.sha256):
        raise InvalidCommand("a ready export needs its archive's key, size and sha256 (lower-case hex)")
    _ensure_aware(cmd.ready_at, cmd.expires_at)
    if cmd.expires_at <= cmd.ready_at:
        raise InvalidCommand("an export expires after it is ready")
    ready = DataExportReady(
        export_id=cmd.export_id,
        user_id=cmd.user_id,
        object_key=cmd.object_key,
        size_bytes=cmd.size_bytes,
        sha256=cmd.sha256,
        ready_at=cmd.ready_at.isoformat(),
        expires_at=cmd.expires_at.isoformat(),
    )
    return [ready]


def decide_record_failed(state: State, cmd: RecordExportFailed) -> list[Event]:
    _ensure_exporter(cmd.actor, state, cmd.user_id)
    if state.status is Status.FAILED:
        return []
    if state.status is not Status.PENDING:
        raise Conflict(f"the export is {state.status} already")
    reason = " ".join(cmd.reason.split())[:REASON_MAX]
    if not reason:
        raise InvalidCommand("a failed export says why")
    return [DataExportFailed(export_id=cmd.export_id, user_id=cmd.user_id, reason=reason)]


def decide_expire(state: State, cmd: ExpireExport) -> list[Event]:
    """Only a ready export expires, and only once its time is up."""
    _ensure_exporter(cmd.actor, state, cmd.user_id)
    if state.status in (Status.EXPIRED, Status.ABANDONED):
        return []
    if state.status is not Status.READY:
        raise Conflict(f"a {state.status} export has nothing to expire")
    _ensure_aware(cmd.now)
    if state.expires_at is None or cmd.now < state.expires_at:
        raise Conflict("the export has not reached its expiry yet")
    return [DataExportExpired(export_id=cmd.export_id, user_id=cmd.user_id, expired_at=cmd.now.isoformat())]


def decide_abandon(state: State, cmd: AbandonExport) -> list[Event]:
    """A pending export is never built, a ready one's archive goes; one already settled without an
    archive (failed, expired, abandoned) has nothing left to abandon."""
    _ensure_exporter(cmd.actor, state, cmd.user_id)
    if state.status not in (Status.PENDING, Status.READY):
        return []
    reason = AbandonReason(cmd.reason).value
    return [DataExportAbandoned(export_id=cmd.export_id, user_id=cmd.user_id, reason=reason)]


def _ensure_exporter(actor: Actor, state: State, user_id: str) -> None:
    if actor != EXPORTER:
        raise NotAllowed("only the exporter records what happens to an export")
    if not user_id or (state.user_id and state.user_id != user_id):
        raise InvalidCommand("an export belongs to the one account that asked for it")


def _ensure_aware(*moments: datetime) -> None:
    if any(m.tzinfo is None for m in moments):
        raise InvalidCommand("times need a time zone")
