"""What happens to a video (stream ``video-<id>``): only what its owner, moderators and the media
pipeline do. Engagement lives on the viewers' streams ("no hot streams").

Every event names the owner, so a projection partitioned by owner needs no lookup. The caption is
personal: sealed with the owner's key, it reads as ``None`` once that key is erased.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from domain.events import DomainEvent, event
from domain.upcasters import upcaster

# -- the pipeline ----------------------------------------------------------------------------------


@event("VideoDraftCreated")
@dataclasses.dataclass(frozen=True, slots=True)
class VideoDraftCreated(DomainEvent):
    video_id: str
    owner_id: str


@event("VideoUploadCompleted")
@dataclasses.dataclass(frozen=True, slots=True)
class VideoUploadCompleted(DomainEvent):
    video_id: str
    owner_id: str
    upload_id: str
    size_bytes: int
    duration_ms: int
    width: int
    height: int


@event("VideoUploadRejected")
@dataclasses.dataclass(frozen=True, slots=True)
class VideoUploadRejected(DomainEvent):
    """A finished upload that is not a playable video; its bytes were removed, the draft stays open."""

    video_id: str
    owner_id: str
    upload_id: str
    size_bytes: int
    reason: str


@event("VideoProcessingStarted")
@dataclasses.dataclass(frozen=True, slots=True)
class VideoProcessingStarted(DomainEvent):
    video_id: str
    owner_id: str


@event("VideoProcessingProgressed")
@dataclasses.dataclass(frozen=True, slots=True)
class VideoProcessingProgressed(DomainEvent):
    video_id: str
    owner_id: str
    percent: int


@event("VideoProcessingSucceeded", version=2)
@dataclasses.dataclass(frozen=True, slots=True)
class VideoProcessingSucceeded(DomainEvent):
    video_id: str
    owner_id: str
    renditions: list[str]  # rendition names, e.g. ["240p", "480p", "720p"]
    master_playlist: str  # path in media storage
    poster: str  # path in media storage
    thumbnails: str | None = None  # the thumbnail strip's WebVTT, in media storage; None before v2


@upcaster("VideoProcessingSucceeded", 1)
def _processing_succeeded_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Version 1 had no thumbnail strip."""
    return {**data, "thumbnails": None}


@event("VideoProcessingFailed")
@dataclasses.dataclass(frozen=True, slots=True)
class VideoProcessingFailed(DomainEvent):
    video_id: str
    owner_id: str
    reason: str


# -- the owner -------------------------------------------------------------------------------------


@event("VideoPublished", personal=("caption",), subject="owner_id")
@dataclasses.dataclass(frozen=True, slots=True)
class VideoPublished(DomainEvent):
    video_id: str
    owner_id: str
    caption: str | None  # None once erased
    hashtags: list[str]
    visibility: str  # a Visibility
    comments_allowed: bool


@event("VideoEdited", personal=("caption",), subject="owner_id")
@dataclasses.dataclass(frozen=True, slots=True)
class VideoEdited(DomainEvent):
    """The published details as they now stand."""

    video_id: str
    owner_id: str
    caption: str | None  # None once erased
    hashtags: list[str]
    visibility: str  # a Visibility
    comments_allowed: bool


@event("VideoUnpublished")
@dataclasses.dataclass(frozen=True, slots=True)
class VideoUnpublished(DomainEvent):
    video_id: str
    owner_id: str


@event("VideoDeleted")
@dataclasses.dataclass(frozen=True, slots=True)
class VideoDeleted(DomainEvent):
    video_id: str
    owner_id: str


@event("CommentPinned")
@dataclasses.dataclass(frozen=True, slots=True)
class CommentPinned(DomainEvent):
    video_id: str
    owner_id: str
    comment_id: str


@event("CommentUnpinned")
@dataclasses.dataclass(frozen=True, slots=True)
class CommentUnpinned(DomainEvent):
    video_id: str
    owner_id: str
    comment_id: str


# -- moderation ------------------------------------------------------------------------------------


@event("VideoHidden")
@dataclasses.dataclass(frozen=True, slots=True)
class VideoHidden(DomainEvent):
    video_id: str
    owner_id: str
    moderator_id: str
    reason: str


@event("VideoRestored")
@dataclasses.dataclass(frozen=True, slots=True)
class VideoRestored(DomainEvent):
    video_id: str
    owner_id: str
    moderator_id: str
    reason: str


Event = (
    VideoDraftCreated
    | VideoUploadCompleted
    | VideoUploadRejected
    | VideoProcessingStarted
    | VideoProcessingProgressed
    | VideoProcessingSucceeded
    | VideoProcessingFailed
    | VideoPublished
    | VideoEdited
    | VideoUnpublished
    | VideoDeleted
    | CommentPinned
    | CommentUnpinned
    | VideoHidden
    | VideoRestored
)
