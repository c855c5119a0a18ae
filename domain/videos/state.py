"""A video's state, folded from its stream, and the guards every decider applies first."""

from __future__ import annotations

import dataclasses
import enum
from datetime import datetime

from domain.access import VideoAccess, Visibility
from domain.actors import Actor
from domain.errors import Conflict, NotFound
from domain.videos.events import (
    CaptionTrackAdded,
    CaptionTrackRemoved,
    CommentPinned,
    CommentUnpinned,
    CoverChosen,
    CoverFailed,
    CoverMade,
    Event,
    PublishScheduleCancelled,
    PublishScheduled,
    ScheduledPublishingFailed,
    VideoDeleted,
    VideoDraftCreated,
    VideoEdited,
    VideoHidden,
    VideoLabelled,
    VideoProcessingFailed,
    VideoProcessingProgressed,
    VideoProcessingStarted,
    VideoProcessingSucceeded,
    VideoPublished,
    VideoReleased,
    VideoRestored,
    VideoScreened,
    VideoUnlabelled,
    VideoUnpublished,
    VideoUploadCompleted,
    VideoUploadRejected,
)


class Stage(enum.StrEnum):
    """Where the video is in the pipeline: draft → uploaded → processing → processed (or failed)."""

    DRAFT = "draft"
    UPLOADED = "uploaded"
    PROCESSING = "processing"
    PROCESSED = "processed"
    FAILED = "failed"


@dataclasses.dataclass(frozen=True, slots=True)
class Screening:
    """The latest verdict on one upload (``VideoScreened``), and whether a moderator released it."""

    upload_id: str
    policy_version: str
    verdict: str  # a domain.screening.Verdict
    labels: tuple[str, ...] = ()
    hash_matches: tuple[str, ...] = ()
    nsfw_score: float | None = None
    failed: str | None = None
    released: bool = False


@dataclasses.dataclass(frozen=True, slots=True)
class Schedule:
    """A publication the owner set for later (``PublishScheduled``), with the details to publish."""

    publish_at: datetime  # UTC
    caption: str | None
    hashtags: tuple[str, ...]
    visibility: Visibility
    comments_allowed: bool


@dataclasses.dataclass(frozen=True, slots=True)
class CaptionTrack:
    lang: str
    media_key: str


class CoverStatus(enum.StrEnum):
    PENDING = "pending"  # chosen, not made yet
    MADE = "made"  # the poster now
    FAILED = "failed"


@dataclasses.dataclass(frozen=True, slots=True)
class Cover:
    """The owner's latest choice of poster frame (``CoverChosen``) and how its making went."""

    cover_id: str
    upload_id: str
    at_ms: int
    status: CoverStatus = CoverStatus.PENDING


@dataclasses.dataclass(frozen=True, slots=True)
class State:
    exists: bool = False
    video_id: str = ""
    owner_id: str = ""
    stage: Stage = Stage.DRAFT
    upload_id: str | None = None  # the upload being processed, or processed
    percent: int = 0
    published: bool = False
    caption: str | None = None  # None once the owner's key is erased
    hashtags: tuple[str, ...] = ()
    visibility: Visibility = Visibility.PUBLIC
    comments_allowed: bool = True
    hidden: bool = False
    deleted: bool = False
    pinned_comment_id: str | None = None
    screening: Screening | None = None  # of the latest upload screened, which may not be the current
    labelled: frozenset[str] = frozenset()  # labels moderators put on
    unlabelled: frozenset[str] = frozenset()  # labels moderators took off (screening's too)
    duration_ms: int | None = None  # of the current upload
    schedule: Schedule | None = None  # a publication set for later, while the video is unpublished
    caption_tracks: tuple[CaptionTrack, ...] = ()  # in language-tag order
    cover: Cover | None = None  # the latest cover chosen, if any
    poster: str | None = None  # where the poster is in media storage: processing's, or a cover made


initial = State()


def evolve(state: State, event: Event) -> State:
    match event:
        case VideoDraftCreated():
            return State(exists=True, video_id=event.video_id, owner_id=event.owner_id)
        case VideoUploadCompleted(upload_id=upload_id, duration_ms=duration_ms):
            return dataclasses.replace(
                state, stage=Stage.UPLOADED, upload_id=upload_id, percent=0, duration_ms=duration_ms
            )
        case VideoUploadRejected():
            return state
        case VideoProcessingStarted():
            return dataclasses.replace(state, stage=Stage.PROCESSING, percent=0)
        case VideoProcessingProgressed(percent=percent):
            return dataclasses.replace(state, percent=percent)
        case VideoProcessingSucceeded(poster=poster):
            return dataclasses.replace(state, stage=Stage.PROCESSED, percent=100, poster=poster)
        case VideoProcessingFailed():
            return dataclasses.replace(state, stage=Stage.FAILED)
        case VideoPublished() | VideoEdited():
            return _with_details(dataclasses.replace(state, published=True, schedule=None), event)
        case VideoUnpublished():
            return dataclasses.replace(state, published=False)
        case VideoDeleted():
            return dataclasses.replace(state, deleted=True, published=False, schedule=None)
        case CommentPinned(comment_id=comment_id):
            return dataclasses.replace(state, pinned_comment_id=comment_id)
        case CommentUnpinned():
            return dataclasses.replace(state, pinned_comment_id=None)
        case VideoHidden():
            return dataclasses.replace(state, hidden=True)
        case VideoRestored():
            return dataclasses.replace(state, hidden=False)
        case VideoScreened():
            return dataclasses.replace(state, screening=_screened(state.screening, event))
        case VideoReleased() if state.screening is not None:
            return dataclasses.replace(state, screening=dataclasses.replace(state.screening, released=True))
        case VideoReleased():
            return state
        case VideoLabelled(labels=labels):
            return dataclasses.replace(
                state, labelled=state.labelled | set(labels), unlabelled=state.unlabelled - set(labels)
            )
        case VideoUnlabelled(labels=labels):
            return dataclasses.replace(
                state, labelled=state.labelled - set(labels), unlabelled=state.unlabelled | set(labels)
            )
        case PublishScheduled():
            return dataclasses.replace(state, schedule=_schedule(event))
        case PublishScheduleCancelled() | ScheduledPublishingFailed():
            return dataclasses.replace(state, schedule=None)
        case CaptionTrackAdded(lang=lang, media_key=key):
            tracks = [t for t in state.caption_tracks if t.lang != lang] + [CaptionTrack(lang, key)]
            return dataclasses.replace(state, caption_tracks=tuple(sorted(tracks, key=lambda t: t.lang)))
        case CaptionTrackRemoved(lang=lang):
            return dataclasses.replace(
                state, caption_tracks=tuple(t for t in state.caption_tracks if t.lang != lang)
            )
        case CoverChosen(cover_id=cover_id, upload_id=upload_id, at_ms=at_ms):
            return dataclasses.replace(state, cover=Cover(cover_id, upload_id, at_ms))
        case CoverMade(poster=poster):
            return dataclasses.replace(state, cover=_settled(state.cover, event), poster=poster)
        case CoverFailed():
            return dataclasses.replace(state, cover=_settled(state.cover, event))


def _settled(cover: Cover | None, event: CoverMade | CoverFailed) -> Cover | None:
    """A report settles the choice it names; one about an older choice changes nothing."""
    if cover is None or cover.cover_id != event.cover_id:
        return cover
    status = CoverStatus.MADE if isinstance(event, CoverMade) else CoverStatus.FAILED
    return dataclasses.replace(cover, status=status)


def _screened(before: Screening | None, event: VideoScreened) -> Screening:
    """A release holds for its upload until a verdict other than "held" replaces the one released."""
    same_upload = before is not None and before.upload_id == event.upload_id
    released = same_upload and before is not None and before.released and event.verdict == "held"
    return Screening(
        upload_id=event.upload_id,
        policy_version=event.policy_version,
        verdict=event.verdict,
        labels=tuple(event.labels),
        hash_matches=tuple(event.hash_matches),
        nsfw_score=event.nsfw_score,
        failed=event.failed,
        released=released,
    )


def _schedule(event: PublishScheduled) -> Schedule:
    return Schedule(
        publish_at=datetime.fromisoformat(event.publish_at),
        caption=event.caption,
        hashtags=tuple(event.hashtags),
        visibility=Visibility(event.visibility),
        comments_allowed=event.comments_allowed,
    )


def _with_details(state: State, event: VideoPublished | VideoEdited) -> State:
    return dataclasses.replace(
        state,
        caption=event.caption,
        hashtags=tuple(event.hashtags),
        visibility=Visibility(event.visibility),
        comments_allowed=event.comments_allowed,
    )


def access(state: State) -> VideoAccess:
    """What engagement deciders need to know about this video."""
    return VideoAccess(
        video_id=state.video_id,
        owner_id=state.owner_id,
        exists=state.exists,
        published=state.published,
        visibility=state.visibility,
        comments_allowed=state.comments_allowed,
        hidden=state.hidden,
        deleted=state.deleted,
    )


def shown_labels(state: State) -> frozenset[str]:
    """The labels the video carries: screening's on the current upload, and moderators' over them."""
    screened = state.screening
    found = set(screened.labels) if screened is not None and screened.upload_id == state.upload_id else set()
    return frozenset((found - state.unlabelled) | state.labelled)


def awaits_processing(state: State, upload_id: str) -> bool:
    """This upload is the video's current one and has no result yet: uploaded, or mid-way (a job
    whose worker died). A processed or failed upload, a replaced one, a deleted video: nothing to do.
    The transcode process manager and the job itself both ask, so a replay or a redelivered job
    never redoes finished work."""
    return (
        state.exists
        and not state.deleted
        and state.upload_id == upload_id
        and state.stage in (Stage.UPLOADED, Stage.PROCESSING)
    )


# -- guards ----------------------------------------------------------------------------------------


def ensure_open(state: State, video_id: str) -> None:
    """The video exists and is not deleted. State for another video is the caller's bug."""
    if not state.exists:
        raise NotFound("video not found")
    if state.video_id != video_id:
        raise ValueError(f"state of video {state.video_id!r} given for video {video_id!r}")
    if state.deleted:
        raise Conflict("the video was deleted")


def ensure_owner(state: State, actor: Actor, video_id: str) -> None:
    """Only the owner acts on their video; to anyone else it is not found, as a video never created
    is, so an owner-only command tells nobody that a private, unpublished or deleted video exists,
    nor that its owner blocked them. Only the owner is told that their video was deleted."""
    if state.exists and actor.user_id != state.owner_id:
        raise NotFound("video not found")
    ensure_open(state, video_id)


def ensure_stage(state: State, *stages: Stage, to: str) -> None:
    """The pipeline runs in order; ``to`` says what was refused, e.g. "start processing"."""
    if state.stage not in stages:
        raise Conflict(f"cannot {to}: the video {_STAGE_AS_TOLD[state.stage]}")


_STAGE_AS_TOLD = {
    Stage.DRAFT: "has no upload yet",
    Stage.UPLOADED: "is uploaded but not processing",
    Stage.PROCESSING: "is still processing",
    Stage.PROCESSED: "is already processed",
    Stage.FAILED: "failed processing",
}
