"""Auditors read any stream's recorded history: personal data masked, unless they state a reason."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from api.deps import CommandRequest, CurrentActor, PortsDep
from api.problems import Problem, problems
from commands import audit
from domain import auditing
from domain.actors import Actor

router = APIRouter(prefix="/v1/audit", tags=["audit"])

#: ``<category>-<id>``: a lower-case category, then ids, handle keys, digests, days (DESIGN.md §3).
#: Anything else (controls, spaces, ``$`` system streams) is refused before the store is asked.
STREAM_PATTERN = r"^[a-z]+-[A-Za-z0-9_.:-]+$"
StreamPath = Annotated[str, Path(min_length=1, max_length=200, pattern=STREAM_PATTERN)]
AsOf = Annotated[str | None, Query(description="A global position or an ISO-8601 time with zone")]


class RevealRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Annotated[
        str,
        Field(
            min_length=auditing.REASON_MIN,
            max_length=auditing.REASON_MAX,
            description="Why personal data is revealed; recorded, with what was shown, before it is",
        ),
    ]


class AuditedStream(BaseModel):
    stream: str
    revealed: bool = Field(description="True when personal data is shown in clear (the reveal is recorded)")
    events: list[dict[str, Any]] = Field(
        description=(
            f"Each event with its envelope. Personal fields read {auditing.MASKED!r} unless revealed, "
            f"erased ones {auditing.ERASED!r}, secrets such as password hashes always {auditing.WITHHELD!r}"
        )
    )


_PROBLEMS = {"s403": "Neither an auditor nor an admin", "s404": "No such stream"}


@router.get(
    "/streams/{stream}",
    summary="A stream's full history, personal data masked (auditors)",
    responses=problems(**_PROBLEMS, s422="A malformed stream name or as_of"),
)
def audited_stream(
    stream: StreamPath, actor: CurrentActor, ports: PortsDep, as_of: AsOf = None
) -> AuditedStream:
    """Personal fields masked, secrets withheld; ``POST .../reveal`` shows personal data, recorded."""
    cutoff = _audit_as_of(actor, as_of)
    events = list(audit.readable_history(ports.store, ports.keys, stream, cutoff))
    return AuditedStream(stream=stream, revealed=False, events=events)


@router.post(
    "/streams/{stream}/reveal",
    summary="A stream's full history with personal data in clear, for a stated reason (auditors)",
    responses=problems(
        **_PROBLEMS,
        s409="The auditor's own account was erased",
        s422="A malformed stream name or as_of, or a reason not of 10 to 500 characters",
    ),
)
def revealed_stream(
    stream: StreamPath, body: RevealRequest, request: CommandRequest, ports: PortsDep, as_of: AsOf = None
) -> AuditedStream:
    """``PersonalDataRevealed`` (who, which stream, why, which events and fields) is appended to
    ``reveals-<auditor>`` first; if that fails, nothing is revealed. Secrets stay withheld."""
    cutoff = _audit_as_of(request.actor, as_of)
    cmd = auditing.RevealPersonalData(request.actor, stream, body.reason)
    events = audit.revealed_history(cmd, ports=ports, request=request, as_of=cutoff)
    return AuditedStream(stream=stream, revealed=True, events=events)


def _audit_as_of(actor: Actor, as_of: str | None) -> audit.AsOf:
    if not auditing.may_audit(actor):
        raise Problem(403, "only auditors read the event history")
    try:
        return audit.parse_as_of(as_of)
    except ValueError as exc:
        raise Problem(422, str(exc)) from exc
