"""Reports: a signed-in user flags a video, a comment or a user for moderators to review."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi import Request as HttpRequest
from pydantic import BaseModel, ConfigDict, Field

from api.commanding import run
from api.deps import UUID_PATTERN, AppStateDep, CommandRequest
from api.responses import JSONBytes
from commands.reports import file_report
from domain import reports
from domain.reports import MAX_NOTE, ReportReason, TargetKind

router = APIRouter(prefix="/v1/reports", tags=["reports"])


class ReportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    target_kind: TargetKind = Field(description="What is reported")
    target_id: Annotated[str, Field(pattern=UUID_PATTERN, description="The video, comment or user id")]
    reason: ReportReason
    note: Annotated[str | None, Field(max_length=MAX_NOTE, description="Anything moderators should know")] = (
        None
    )


class ReportReceived(BaseModel):
    target_kind: TargetKind
    target_id: str
    recorded: bool = Field(description="False when you had reported this already: one report per target")
    position: int = Field(description="Global position of the last event; pass as min_position to read it")


@router.post("", status_code=201, response_model=ReportReceived, summary="Report a video, comment or user")
def create_report(
    body: ReportCreate, state: AppStateDep, http: HttpRequest, request: CommandRequest
) -> JSONBytes:
    """One report per reporter and target: reporting the same again records nothing. A target you
    cannot see reads as not found (404); you cannot report yourself or what you posted (422)."""
    cmd = reports.FileReport(
        actor=request.actor,
        report_id=request.new_id("report"),
        target_kind=body.target_kind,
        target_id=body.target_id,
        reason=body.reason,
        note=body.note,
    )

    def action() -> BaseModel:
        outcome = file_report(cmd, ports=state.ports, request=request)
        return ReportReceived(
            target_kind=body.target_kind,
            target_id=body.target_id,
            recorded=outcome.appended > 0,
            position=outcome.position,
        )

    return run(state, http, request, body, action, status=201)
