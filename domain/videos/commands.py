"""What the owner, a moderator or the media pipeline asks of a video. Each names its video, so the
caller knows which stream to load; the decider checks the state it is given is that video's."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from domain.access import Visibility
from domain.actors import Actor
from domain.screening import Findings, Policy
from domain.videos.events import DeletionReason

# -- the pipeline (``actor`` is ``PIPELINE``, or the owner for an upload) ---------------------------
#
# Processing commands name the upload they are about: a job still running for an upload that has
# since been replaced must not report on the new one.


@dataclasses.dataclass(frozen=True, slots=True)
class CreateDraft:
    actor: Actor
    video_id: str


@dataclasses.dataclass(frozen=True, slots=True)
class CompleteUpload:
    actor: Actor
    video_id: str
    upload_id: str
    size_bytes: int
    duration_ms: int
    width: int
    height: int


@dataclasses.dataclass(frozen=True, slots=True)
class RejectUpload:
    actor: Actor
    video_id: str
    upload_id: str
    size_bytes: int
    reason: str


@dataclasses.dataclass(frozen=True, slots=True)
class StartProcessing:
    actor: Actor
    video_id: str
    upload_id: str = dataclasses.field(kw_only=True)


@dataclasses.dataclass(frozen=True, slots=True)
class ReportProcessingProgress:
    actor: Actor
    video_id: str
    percent: int
    upload_id: str = dataclasses.field(kw_only=True)


@dataclasses.dataclass(frozen=True, slots=True)
class CompleteProcessing:
    actor: Actor
    video_id: str
    renditions: list[str]
    master_playlist: str
    poster: str
    thumbnails: str | None = None
    upload_id: str = dataclasses.field(kw_only=True)


@dataclasses.dataclass(frozen=True, slots=True)
class FailProcessing:
    actor: Actor
    video_id: str
    reason: str
    upload_id: str = dataclasses.field(kw_only=True)


# -- the owner -------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class PublishVideo:
    """``hashtags`` are added to the ``#tags`` found in the caption."""

    actor: Actor
    video_id: str
    caption: str = ""
    hashtags: list[str] = dataclasses.field(default_factory=list)
    visibility: Visibility = Visibility.PUBLIC
    comments_allowed: bool = True


@dataclasses.dataclass(frozen=True, slots=True)
class EditVideo:
    """The published details as they should stand, all of them (as on the publish form)."""

    actor: Actor
    video_id: str
    caption: str = ""
    hashtags: list[str] = dataclasses.field(default_factory=list)
    visibility: Visibility = Visibility.PUBLIC
    comments_allowed: bool = True


@dataclasses.dataclass(frozen=True, slots=True)
class UnpublishVideo:
    actor: Actor
    video_id: str


@dataclasses.dataclass(frozen=True, slots=True)
class DeleteVideo:
    """The owner deletes, or, for an erasure, the erasure cascade (``ERASER``)."""

    actor: Actor
    video_id: str
    reason: DeletionReason = DeletionReason.OWNER


@dataclasses.dataclass(frozen=True, slots=True)
class PinComment:
    """The caller checks that the comment belongs to this video."""

    actor: Actor
    video_id: str
    comment_id: str


@dataclasses.dataclass(frozen=True, slots=True)
class UnpinComment:
    actor: Actor
    video_id: str
    comment_id: str


@dataclasses.dataclass(frozen=True, slots=True)
class SchedulePublish:
    """Publish at ``publish_at`` (time-zone aware) with these details; again, to move or change it."""

    actor: Actor
    video_id: str
    publish_at: datetime
    caption: str = ""
    hashtags: list[str] = dataclasses.field(default_factory=list)
    visibility: Visibility = Visibility.PUBLIC
    comments_allowed: bool = True


@dataclasses.dataclass(frozen=True, slots=True)
class CancelScheduledPublish:
    actor: Actor
    video_id: str


@dataclasses.dataclass(frozen=True, slots=True)
class PublishWhenDue:
    """The schedule's process manager (``PUBLISH_SCHEDULER``) asks for the publication scheduled for
    ``publish_at``; one since moved or called off is not this one."""

    actor: Actor
    video_id: str
    publish_at: datetime


@dataclasses.dataclass(frozen=True, slots=True)
class AddCaptionTrack:
    """A caption track already checked, re-written and stored at ``media_key``; it replaces the
    track in the same language."""

    actor: Actor
    video_id: str
    lang: str
    media_key: str
    cues: int


@dataclasses.dataclass(frozen=True, slots=True)
class RemoveCaptionTrack:
    actor: Actor
    video_id: str
    lang: str


# -- the cover (chosen by the owner, made by the pipeline) ------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class ChooseCover:
    """The frame at ``at_ms`` becomes the poster; ``cover_id`` is fresh, from the caller."""

    actor: Actor
    video_id: str
    at_ms: int
    cover_id: str


@dataclasses.dataclass(frozen=True, slots=True)
class CompleteCover:
    actor: Actor
    video_id: str
    cover_id: str
    poster: str


@dataclasses.dataclass(frozen=True, slots=True)
class FailCover:
    actor: Actor
    video_id: str
    cover_id: str
    reason: str


# -- moderation ------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class HideVideo:
    actor: Actor
    video_id: str
    reason: str


@dataclasses.dataclass(frozen=True, slots=True)
class RestoreVideo:
    actor: Actor
    video_id: str
    reason: str


@dataclasses.dataclass(frozen=True, slots=True)
class ReleaseVideo:
    """Lets the owner publish an upload that screening held."""

    actor: Actor
    video_id: str
    reason: str


# -- screening (``actor`` is ``SCREENER``) ----------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class RecordScreening:
    """What screening found in an upload, judged by ``policy``; ``policy_version`` names the policy
    and everything else the findings rest on (the blocklist, the classifier)."""

    actor: Actor
    video_id: str
    upload_id: str
    policy: Policy
    policy_version: str
    findings: Findings
