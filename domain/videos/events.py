"""What happens to a video (stream ``video-<id>``): only what its owner, moderators and the media
pipeline do. Engagement lives on the viewers' streams ("no hot streams").

Every event names the owner, so a projection partitioned by owner needs no lookup. The caption and
the hashtags are the owner's words, so personal: sealed with the owner's key, the caption reads as
``None`` once that key is erased and the hashtags as none at all (an empty list, so every reader
keeps one shape). Hashtags recorded before they were sealed read as they were.
"""

from __future__ import annotations

import dataclasses
import enum
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


@event("VideoPublished", personal=("caption", "hashtags"), subject="owner_id")
@dataclasses.dataclass(frozen=True, slots=True)
class VideoPublished(DomainEvent):
    video_id: str
    owner_id: str
    caption: str | None  # None once erased
    hashtags: list[str]  # empty once erased
    visibility: str  # a Visibility
    comments_allowed: bool

    def __post_init__(self) -> None:
        _no_erased_hashtags(self)


@event("VideoEdited", personal=("caption", "hashtags"), subject="owner_id")
@dataclasses.dataclass(frozen=True, slots=True)
class VideoEdited(DomainEvent):
    """The published details as they now stand."""

    video_id: str
    owner_id: str
    caption: str | None  # None once erased
    hashtags: list[str]  # empty once erased
    visibility: str  # a Visibility
    comments_allowed: bool

    def __post_init__(self) -> None:
        _no_erased_hashtags(self)


def _no_erased_hashtags(details: VideoPublished | VideoEdited | PublishScheduled) -> None:
    """Erased hashtags are read as ``None``; the event holds them as no hashtags instead."""
    if details.hashtags is None:
        object.__setattr__(details, "hashtags", [])


@event("VideoUnpublished")
@dataclasses.dataclass(frozen=True, slots=True)
class VideoUnpublished(DomainEvent):
    video_id: str
    owner_id: str


class DeletionReason(enum.StrEnum):
    OWNER = "owner"  # the owner deleted it
    ERASURE = "erasure"  # the owner's account was erased: the erasure cascade deleted it


@event("VideoDeleted", version=2)
@dataclasses.dataclass(frozen=True, slots=True)
class VideoDeleted(DomainEvent):
    video_id: str
    owner_id: str
    reason: str = DeletionReason.OWNER.value  # a DeletionReason


@upcaster("VideoDeleted", 1)
def _video_deleted_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Before version 2 only owners deleted videos."""
    return {**data, "reason": DeletionReason.OWNER.value}


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


@event("VideoLabelled")
@dataclasses.dataclass(frozen=True, slots=True)
class VideoLabelled(DomainEvent):
    """A moderator put labels on the video (``domain.screening.Label``); feeds and clients show them."""

    video_id: str
    owner_id: str
    labels: list[str]  # the labels added
    moderator_id: str
    reason: str


@event("VideoUnlabelled")
@dataclasses.dataclass(frozen=True, slots=True)
class VideoUnlabelled(DomainEvent):
    """A moderator took labels off, screening's included."""

    video_id: str
    owner_id: str
    labels: list[str]  # the labels taken off
    moderator_id: str
    reason: str


# -- screening -------------------------------------------------------------------------------------


@event("VideoScreened")
@dataclasses.dataclass(frozen=True, slots=True)
class VideoScreened(DomainEvent):
    """Automatic screening's verdict on an upload (``domain.screening``): recorded again when a
    replay under a changed policy comes to another. ``hash_matches`` names the blocklist entries its
    frames matched; ``nsfw_score`` is the highest frame score; ``failed`` says why screening could
    not be done (the video is then held)."""

    video_id: str
    owner_id: str
    upload_id: str
    policy_version: str
    verdict: str  # a domain.screening.Verdict
    labels: list[str]
    hash_matches: list[str]
    nsfw_score: float | None = None
    failed: str | None = None


@event("VideoReleased")
@dataclasses.dataclass(frozen=True, slots=True)
class VideoReleased(DomainEvent):
    """A moderator looked at an upload screening held, and let its owner publish it."""

    video_id: str
    owner_id: str
    upload_id: str
    moderator_id: str
    reason: str


# -- the owner's schedule --------------------------------------------------------------------------


@event("PublishScheduled", personal=("caption", "hashtags"), subject="owner_id")
@dataclasses.dataclass(frozen=True, slots=True)
class PublishScheduled(DomainEvent):
    """The owner will have the video published at ``publish_at`` with these details; until then it
    stays unpublished, seen by its owner alone. Scheduling again replaces the schedule."""

    video_id: str
    owner_id: str
    publish_at: str  # ISO 8601, UTC, to the second: "2025-06-01T10:00:00Z"
    caption: str | None  # None once erased
    hashtags: list[str]  # empty once erased
    visibility: str  # a Visibility
    comments_allowed: bool

    def __post_init__(self) -> None:
        _no_erased_hashtags(self)


@event("PublishScheduleCancelled")
@dataclasses.dataclass(frozen=True, slots=True)
class PublishScheduleCancelled(DomainEvent):
    """The owner called the scheduled publication off; the video stays unpublished."""

    video_id: str
    owner_id: str
    publish_at: str


@event("ScheduledPublishingFailed")
@dataclasses.dataclass(frozen=True, slots=True)
class ScheduledPublishingFailed(DomainEvent):
    """The time came but the video could not be published (a rule that holds for every publication
    refused it then: screening, a restriction, a watched word); the schedule is over, the owner is
    told why and may publish or schedule again."""

    video_id: str
    owner_id: str
    publish_at: str
    reason: str


# -- caption tracks (subtitles; not the ``caption`` the owner writes under the video) -------------


@event("CaptionTrackAdded")
@dataclasses.dataclass(frozen=True, slots=True)
class CaptionTrackAdded(DomainEvent):
    """A WebVTT track in one language, as Strom re-wrote it from the owner's upload, at
    ``media_key`` in media storage. The text lives in media storage, below the video's folder, so
    deleting the video (and so erasing its owner) removes it with the rest of its media."""

    video_id: str
    owner_id: str
    lang: str  # a BCP 47 language tag, in canonical case: "en", "pt-BR", "zh-Hant"
    media_key: str
    cues: int


@event("CaptionTrackRemoved")
@dataclasses.dataclass(frozen=True, slots=True)
class CaptionTrackRemoved(DomainEvent):
    """The track is gone (removed, or replaced by a newer upload in the same language); the media
    cleanup deletes its file."""

    video_id: str
    owner_id: str
    lang: str
    media_key: str


# -- the cover (the poster frame the owner picks) ----------------------------------------------------


@event("CoverChosen")
@dataclasses.dataclass(frozen=True, slots=True)
class CoverChosen(DomainEvent):
    """The owner picked the frame at ``at_ms`` of their processed upload as the video's poster. A
    worker makes it from a rendition (``CoverMade``); until then the poster stays what it was.
    ``cover_id`` is fresh for each choice, so each made cover has a media key of its own."""

    video_id: str
    owner_id: str
    upload_id: str
    cover_id: str
    at_ms: int


@event("CoverMade")
@dataclasses.dataclass(frozen=True, slots=True)
class CoverMade(DomainEvent):
    """The chosen frame is at ``poster`` in media storage: it is the video's poster from now on."""

    video_id: str
    owner_id: str
    cover_id: str
    poster: str  # path in media storage


@event("CoverFailed")
@dataclasses.dataclass(frozen=True, slots=True)
class CoverFailed(DomainEvent):
    """The chosen frame could not be made; the poster stays what it was, and the owner may choose again."""

    video_id: str
    owner_id: str
    cover_id: str
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
    | VideoLabelled
    | VideoUnlabelled
    | VideoScreened
    | VideoReleased
    | PublishScheduled
    | PublishScheduleCancelled
    | ScheduledPublishingFailed
    | CaptionTrackAdded
    | CaptionTrackRemoved
    | CoverChosen
    | CoverMade
    | CoverFailed
)
