"""A video's cover: the owner picks the frame that becomes its poster.

The poster changes once a worker has made the picture from the video's own rendition, a second or
so later (``workers/covers.py``): the video's ``playback.poster`` then names a new URL. Like every
command, an ``Idempotency-Key`` replays the first answer.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi import Request as HttpRequest
from pydantic import BaseModel, ConfigDict, Field

from api.commanding import run
from api.deps import AppStateDep, CommandRequest, IdPath
from api.problems import problems
from api.responses import JSONBytes
from commands import covers as handlers
from domain import videos
from domain.videos.rules import MAX_DURATION_MS

router = APIRouter(prefix="/v1/videos", tags=["videos"])


class CoverChoice(BaseModel):
    model_config = ConfigDict(extra="forbid")
    at_ms: Annotated[
        int,
        Field(strict=True, ge=0, le=MAX_DURATION_MS, description="The frame's time in the video, in ms"),
    ]


class CoverChosen(BaseModel):
    video_id: str
    cover_id: str = Field(description="This choice; the poster changes once it is made")
    at_ms: int
    position: int = Field(description="Global position of the last event; pass as min_position to read it")


@router.put(
    "/{video_id}/cover",
    status_code=202,
    response_model=CoverChosen,
    summary="Choose the frame that becomes the video's poster",
    responses=problems(
        s403="A restriction or suspension: the owner may not upload now",
        s404="No such video, or not the caller's",
        s409="The video is not processed yet, or was deleted",
        s422="at_ms is not within the video",
    ),
)
def choose_cover(
    video_id: IdPath, body: CoverChoice, state: AppStateDep, http: HttpRequest, request: CommandRequest
) -> JSONBytes:
    """Only the owner, once the video is processed; ``at_ms`` must be within it. Accepted (202): the
    picture is made from the video's own rendition in a moment, and the video's poster is then the
    chosen frame, at a new URL. Choosing the frame already chosen changes nothing."""
    cmd = videos.ChooseCover(request.actor, video_id, body.at_ms, request.new_id("cover"))

    def action() -> BaseModel:
        outcome = handlers.choose_cover(cmd, ports=state.ports, request=request)
        return CoverChosen(
            video_id=video_id, cover_id=cmd.cover_id, at_ms=body.at_ms, position=outcome.position
        )

    return run(state, http, request, body, action, 202)
