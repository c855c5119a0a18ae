"""Auditors read any stream's recorded history, with personal data where it was not erased."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.deps import CurrentActor, PortsDep
from api.problems import Problem
from commands import audit
from domain.actors import Role

router = APIRouter(prefix="/v1/audit", tags=["audit"])


class AuditedStream(BaseModel):
    stream: str
    events: list[dict[str, Any]] = Field(
        description="Each event with its envelope; erased fields read '[erased]'"
    )


@router.get("/streams/{stream}", summary="A stream's full history (auditors)")
def audited_stream(
    stream: Annotated[str, Field(min_length=1, max_length=200)],
    actor: CurrentActor,
    ports: PortsDep,
    as_of: Annotated[str | None, Query(description="A global position or an ISO-8601 time with zone")] = None,
) -> AuditedStream:
    if actor.role not in (Role.AUDITOR, Role.ADMIN):
        raise Problem(403, "only auditors read the event history")
    try:
        cutoff = audit.parse_as_of(as_of)
    except ValueError as exc:
        raise Problem(422, str(exc)) from exc
    events = list(audit.readable_history(ports.store, ports.keys, stream, cutoff))
    return AuditedStream(stream=stream, events=events)
