"""A person's own scheduled publications, soonest first, as the ``video_details`` projector keeps
them: what they will publish, and what failed to publish when it was due (and why).

Only they see the list: a scheduled video is unpublished, so to anyone else it does not exist.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import CurrentActor, IdPath
from api.problems import Problem, problems
from api.reading import Cursor, Limit, MinPosition, ReadStoreDep, caught_up, query
from read_models import video_details as model

router = APIRouter(prefix="/v1/users", tags=["videos"])


class ScheduledVideo(BaseModel):
    video_id: str
    publish_at: datetime = Field(description="When it is to be published (UTC)")
    failed: str | None = Field(
        description="Why it could not be published when it was due; null while it is still to come"
    )


class ScheduledPage(BaseModel):
    items: list[ScheduledVideo]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null at the end")


@router.get(
    "/{user_id}/scheduled",
    response_model=ScheduledPage,
    summary="The caller's scheduled publications",
    responses=problems(s403="Only its owner sees a person's scheduled publications"),
)
async def scheduled_videos(
    user_id: IdPath,
    store: ReadStoreDep,
    actor: CurrentActor,
    limit: Limit = 20,
    cursor: Cursor = None,
    min_position: MinPosition = None,
) -> ScheduledPage:
    """Soonest first; one that failed when it was due stays listed, with the reason, until the video
    is published, scheduled again or deleted."""
    if actor.user_id != user_id:
        raise Problem(403, "only its owner sees a person's scheduled publications")
    await caught_up(store, model.MODEL, min_position)
    page = await query(model.MODEL, lambda: model.schedules_of(store, user_id, limit, cursor))
    items = [
        ScheduledVideo(video_id=s.video_id, publish_at=s.publish_at, failed=s.failed) for s in page.items
    ]
    return ScheduledPage(items=items, next_cursor=page.next_cursor)
