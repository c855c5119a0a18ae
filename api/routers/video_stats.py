"""Engagement totals of a video, as the ``video_counters`` projector keeps them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from api.deps import IdPath, optional_actor
from api.problems import Problem, problems
from api.reading import MinPosition, PolicyDep, ReadStoreDep, caught_up, query
from domain.actors import Actor
from read_models import video_details
from read_models.video_counters import MODEL, VideoCounts, video_counts

router = APIRouter(prefix="/v1/videos", tags=["videos"])


class VideoStats(BaseModel):
    video_id: str
    likes: int
    comments: int
    shares: int
    views: int
    watch_ms: int = Field(description="Total milliseconds watched")
    average_watch_ms: float
    completion_rate: float = Field(ge=0, le=1, description="Share of watches that reached the end")

    @classmethod
    def of(cls, video_id: str, counts: VideoCounts) -> VideoStats:
        return cls(
            video_id=video_id,
            likes=counts.likes,
            comments=counts.comments,
            shares=counts.shares,
            views=counts.views,
            watch_ms=counts.watch_ms,
            average_watch_ms=counts.average_watch_ms,
            completion_rate=counts.completion_rate,
        )


@router.get(
    "/{video_id}/stats",
    summary="Engagement totals of a video",
    responses=problems(s404="Unknown, deleted, or not visible to the caller"),
)
async def video_stats(
    video_id: IdPath,
    store: ReadStoreDep,
    policy: PolicyDep,
    actor: Annotated[Actor | None, Depends(optional_actor)],
    min_position: MinPosition = None,
) -> VideoStats:
    """Totals over every like, comment, share, view and watch signal so far, of a video the caller
    may see (else 404, as for the video itself)."""
    await caught_up(store, MODEL, min_position)
    if await query(video_details.MODEL, lambda: policy.video(video_id, actor)) is None:
        raise Problem(404, "video not found")
    counts = await query(MODEL, lambda: video_counts(store, video_id))
    return VideoStats.of(video_id, counts)
