"""What moderation did to the signed-in person, and their appeals.

``GET /v1/me/notices`` lists every action that fell on them or what they posted (a video removed,
a label put on, a restriction, a strike, a suspension, their lifting) and their appeals' outcomes,
newest first. ``POST /v1/me/appeals`` contests an adverse action, once; it goes to the moderators'
queue, and a moderator other than the one who acted decides. A suspended person may still do both.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter
from fastapi import Request as HttpRequest
from pydantic import BaseModel, ConfigDict, Field

from api.commanding import run
from api.deps import UUID_PATTERN, AppStateDep, CommandRequest, CurrentActor
from api.problems import problems
from api.reading import Cursor, Limit, MinPosition, ReadStoreDep, caught_up, query
from api.responses import JSONBytes
from api.routers.moderation_common import POSITION
from commands import appeals
from domain.moderation import appeals as appeal_model
from domain.moderation.rules import MAX_STATEMENT
from read_models import moderation_standing as model

router = APIRouter(prefix="/v1/me", tags=["notices"])


class AppealCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action_id: Annotated[str, Field(pattern=UUID_PATTERN, description="From the notice of the action")]
    statement: Annotated[str, Field(min_length=1, max_length=MAX_STATEMENT, description="Why it was wrong")]


class AppealReceived(BaseModel):
    appeal_id: str
    action_id: str
    position: int = Field(description=POSITION)


class NoticePublic(BaseModel):
    at: datetime
    kind: str = Field(
        description="The event: ContentModerated, RestrictionImposed, AccountSuspended, AppealDecided…"
    )
    action: str | None = Field(
        description="remove_video, label_video, restrict, strike, suspend, their undoing…"
    )
    action_id: str | None = Field(description="Name it to appeal the action")
    target_kind: str | None = Field(description="video, comment or user (the account itself)")
    target_id: str | None
    reason: str | None = Field(description="What the moderator gave as the reason")
    capability: str | None = Field(description="What a restriction took away")
    until: datetime | None = Field(
        description="When a restriction or suspension ends, or a strike stops counting"
    )
    labels: list[str]
    appealable: bool = Field(description="Whether it may be appealed (once)")
    appeal: str | None = Field(description="pending, granted or denied, once appealed")


class NoticesPage(BaseModel):
    items: list[NoticePublic]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null at the end")


@router.get(
    "/notices",
    response_model=NoticesPage,
    summary="What moderators did to your account and content, newest first",
    responses=problems(s400="The cursor is not one this list handed out", s401="No valid bearer token"),
)
async def my_notices(
    actor: CurrentActor,
    store: ReadStoreDep,
    limit: Limit = 20,
    cursor: Cursor = None,
    min_position: MinPosition = None,
) -> NoticesPage:
    await caught_up(store, model.MODEL, min_position)
    found, next_cursor = await query(model.MODEL, lambda: model.notices(store, actor.user_id, limit, cursor))
    return NoticesPage(
        items=[NoticePublic.model_validate(n, from_attributes=True) for n in found], next_cursor=next_cursor
    )


@router.post(
    "/appeals",
    response_model=AppealReceived,
    status_code=201,
    summary="Appeal a moderation action",
    responses=problems(
        s404="No such action was taken on your account or content",
        s409="Already appealed (once per action), or already undone",
        s422="The action cannot be appealed (it was in your favour), or the statement is empty",
    ),
)
def file_appeal(
    body: AppealCreate, state: AppStateDep, http: HttpRequest, request: CommandRequest
) -> JSONBytes:
    cmd = appeal_model.FileAppeal(request.actor, request.new_id("appeal"), body.action_id, body.statement)

    def act() -> AppealReceived:
        outcome = appeals.file_appeal(cmd, ports=state.ports, request=request)
        return AppealReceived(appeal_id=cmd.appeal_id, action_id=body.action_id, position=outcome.position)

    return run(state, http, request, body, act, status=201)
