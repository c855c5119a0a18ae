"""Engagement totals per video: likes, comments, shares, views, watch time, completions, skips.

Engagement events live on the actors' streams (no hot video stream); this is where they add up.
Every total goes through ``Writer.add``, so a replayed event is counted once. A watch signal of an
erased viewer no longer says which video it was about (``domain.watching``): it counts nowhere, so a
rebuild after an erasure counts what the erased person watched no more.
"""

from __future__ import annotations

from domain.engagement.comments import CommentDeleted, CommentPosted
from domain.engagement.likes import VideoLiked, VideoUnliked
from domain.engagement.shares import VideoShared
from domain.watching import VideoSkipped, ViewStarted, WatchProgressed
from eventstore.codec import Decoded
from projections.projector import Projector
from projections.writer import Writer
from read_models.video_counters import VERSION, VIDEO_COUNTERS

HANDLES = (
    VideoLiked,
    VideoUnliked,
    CommentPosted,
    CommentDeleted,
    VideoShared,
    ViewStarted,
    WatchProgressed,
    VideoSkipped,
)


def deltas(decoded: Decoded) -> dict[str, int]:
    match decoded.event:
        case VideoLiked():
            return {"likes": 1}
        case VideoUnliked():
            return {"likes": -1}
        case CommentPosted():
            return {"comments": 1}
        case CommentDeleted():
            return {"comments": -1}
        case VideoShared():
            return {"shares": 1}
        case ViewStarted():
            return {"views": 1}
        case WatchProgressed(watched_ms=ms, completed=done):
            return {"watch_ms": ms or 0, "watches": 1, "completions": int(bool(done))}
        case VideoSkipped():
            return {"skips": 1}
    return {}


def project(decoded: Decoded, writer: Writer) -> None:
    video_id = entity(decoded)
    if video_id:
        writer.add("video_counters", {"video_id": video_id}, deltas(decoded))


def entity(decoded: Decoded) -> str:
    """Every handled event names its video, but for an erased viewer's watch signal (then "")."""
    video_id: str | None = getattr(decoded.event, "video_id")  # noqa: B009 - every handled event has one
    return video_id or ""


PROJECTOR = Projector(
    name="video_counters",
    version=VERSION,
    tables=(VIDEO_COUNTERS,),
    handles=tuple(cls.event_type for cls in HANDLES),
    project=project,
    entity=entity,
)
