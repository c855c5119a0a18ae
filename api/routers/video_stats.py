"""Engagement totals of a video, as the ``video_counters`` projector keeps them."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import IdPath
from api.reading import MinPosition, ReadStoreDep, caught_up, query
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


@router.get("/{video_id}/stats", summary="Engagement totals of a video")
async def video_stats(video_id: IdPath, store: ReadStoreDep, min_position: MinPosition = None) -> VideoStats:
    """Totals over every like, comment, share, view and watch signal so far."""
    await caught_up(store, MODEL, min_position)
    counts = await query(MODEL, lambda: video_counts(store, video_id))
    return VideoStats.of(video_id, counts)
