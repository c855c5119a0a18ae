"""Video cards: owner, caption, hashtags, visibility, listing state and media info; who likes what;
who blocks whom.

Every event sets the card's fields it is about to absolute values (a draft starts a fresh card), and
every write is stamped with the event's position, so a replayed event rewrites what it wrote and an
older one never overwrites a newer card. Nothing here is a total: no ``applied_position`` is needed.

Entities: a video's events and its likes belong to the video; a block belongs to both people, each
partition writing its person's side. An erasure goes to every partition, each clearing the captions
of the owner's videos it owns among those this projector has seen (``owner_videos``), in their own
table: a caption is the video's, so only its video's partition writes it. A video seen only after
the erasure decodes its caption as erased: the key is gone by then. Each partition also deletes the
erased person's likes of its videos and both sides of their blocks it wrote, found under the
person's id (``likes_by_user``, ``blocks_by_other``, and where it owns the person ``blocks_of``):
who liked or blocked whom is not an anonymous total, so none of it outlives the person; nor is a
like or block recorded that reached the log after the erasure (``details_erased``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.accounts.events import ErasureRequested
from domain.engagement.likes import VideoLiked, VideoUnliked
from domain.social import UserBlocked, UserUnblocked
from domain.videos.events import (
    CaptionTrackAdded,
    CaptionTrackRemoved,
    CoverMade,
    PublishScheduleCancelled,
    PublishScheduled,
    ScheduledPublishingFailed,
    VideoDeleted,
    VideoDraftCreated,
    VideoEdited,
    VideoHidden,
    VideoProcessingFailed,
    VideoProcessingProgressed,
    VideoProcessingStarted,
    VideoProcessingSucceeded,
    VideoPublished,
    VideoRestored,
    VideoUnpublished,
    VideoUploadCompleted,
    VideoUploadRejected,
)
from eventstore.codec import Decoded
from projections import erasure_marks
from projections.partition import EVERY, Entities, one_copy
from projections.projector import Projector
from projections.writer import Writer
from read_models.video_details import (
    BLOCKED,
    BLOCKED_BY,
    DETAILS_ERASED,
    TABLES,
    VERSION,
    VIDEO_DETAILS,
    Processing,
)

NAME = "video_details"
#: A like's row by pair (for "did they like it") and under the person (for their erasure).
LIKES = ("video_likes", "likes_by_user")
ERASED = DETAILS_ERASED.name
#: Where an erasure finds the person's likes and blocks.
LOOKUPS = ("likes_by_user", "blocks_by_other", "blocks_of")
VIDEO_EVENTS = (
    VideoDraftCreated,
    VideoUploadCompleted,
    VideoUploadRejected,
    VideoProcessingStarted,
    VideoProcessingProgressed,
    VideoProcessingSucceeded,
    VideoProcessingFailed,
    VideoPublished,
    VideoEdited,
    VideoUnpublished,
    VideoDeleted,
    VideoHidden,
    VideoRestored,
    CoverMade,
)
#: Events of a video that touch only its schedule and caption tracks, not its card.
SIDE_EVENTS = (
    PublishScheduled,
    PublishScheduleCancelled,
    ScheduledPublishingFailed,
    CaptionTrackAdded,
    CaptionTrackRemoved,
)
HANDLES = (
    *VIDEO_EVENTS,
    *SIDE_EVENTS,
    VideoLiked,
    VideoUnliked,
    UserBlocked,
    UserUnblocked,
    ErasureRequested,
)


def project(decoded: Decoded, writer: Writer) -> None:
    match decoded.event:
        case VideoLiked(user_id=user_id, video_id=video_id):
            if not erasure_marks.erased(writer, ERASED, user_id):  # a like that raced the erasure
                for table in LIKES:
                    writer.upsert(table, {"user_id": user_id, "video_id": video_id})
        case VideoUnliked(user_id=user_id, video_id=video_id):
            for table in LIKES:
                writer.delete(table, {"user_id": user_id, "video_id": video_id})
        case UserBlocked(blocker_id=blocker, blocked_id=blocked):
            _block(writer, blocker, blocked, held=True)
        case UserUnblocked(blocker_id=blocker, blocked_id=blocked):
            _block(writer, blocker, blocked, held=False)
        case ErasureRequested(user_id=user_id):
            erasure_marks.mark(writer, ERASED, user_id)
            _erase_captions(writer, user_id)
            _erase_likes(writer, user_id)
            _erase_blocks(writer, user_id)
        case PublishScheduled(video_id=video_id, owner_id=owner_id, publish_at=at):
            _unschedule(writer, video_id)
            _schedule(writer, {"video_id": video_id, "owner_id": owner_id, "publish_at": _moment(at)})
        case ScheduledPublishingFailed(video_id=video_id, owner_id=owner_id, publish_at=at, reason=reason):
            _unschedule(writer, video_id)
            row = {"video_id": video_id, "owner_id": owner_id, "publish_at": _moment(at), "failed": reason}
            _schedule(writer, row)
        case PublishScheduleCancelled(video_id=video_id):
            _unschedule(writer, video_id)
        case CaptionTrackAdded(video_id=video_id, lang=lang, media_key=key, cues=cues):
            row = {"video_id": video_id, "lang": lang, "media_key": key, "cues": cues}
            writer.upsert("video_caption_tracks", row)
        case CaptionTrackRemoved(video_id=video_id, lang=lang):
            writer.delete("video_caption_tracks", {"video_id": video_id, "lang": lang})
        case (
            VideoPublished(video_id=video_id, caption=caption)
            | VideoEdited(video_id=video_id, caption=caption)
        ):
            erased = "caption" in decoded.erased
            writer.upsert("video_captions", {"video_id": video_id, "caption": caption, "erased": erased})
            _unschedule(writer, video_id)
            _card(decoded, writer)
        case VideoDeleted(video_id=video_id):
            _unschedule(writer, video_id)
            for track in writer.rows("video_caption_tracks", {"video_id": video_id}):
                writer.delete("video_caption_tracks", {"video_id": video_id, "lang": track["lang"]})
            _card(decoded, writer)
        case _:
            _card(decoded, writer)


def _card(decoded: Decoded, writer: Writer) -> None:
    data = decoded.event.to_data()
    video_id, owner_id = str(data["video_id"]), str(data["owner_id"])
    if isinstance(decoded.event, VideoDraftCreated):
        writer.upsert("owner_videos", {"owner_id": owner_id, "video_id": video_id})
        current: dict[str, Any] = {}
    else:
        current = writer.get("video_details", {"video_id": video_id}) or {}
    card = {**{name: current.get(name) for name in VIDEO_DETAILS.types}, "video_id": video_id}
    card.update(owner_id=owner_id, **_changes(decoded))
    writer.upsert("video_details", card)


def _changes(decoded: Decoded) -> dict[str, Any]:
    """The card's fields the event sets, each to an absolute value."""
    match decoded.event:
        case VideoDraftCreated():
            return _status(Processing.AWAITING_UPLOAD)
        case VideoUploadCompleted(duration_ms=duration, width=width, height=height):
            return {
                "duration_ms": duration,
                "width": width,
                "height": height,
                **_status(Processing.PROCESSING, 0),
            }
        case VideoUploadRejected(reason=reason):
            return _status(Processing.REJECTED, error=reason)
        case VideoProcessingStarted():
            return _status(Processing.PROCESSING, 0)
        case VideoProcessingProgressed(percent=percent):
            return _status(Processing.PROCESSING, percent)
        case VideoProcessingFailed(reason=reason):
            return _status(Processing.FAILED, error=reason)
        case VideoProcessingSucceeded() as done:
            return {
                "renditions": done.renditions,
                "master_playlist": done.master_playlist,
                "poster": done.poster,
                "thumbnails": done.thumbnails,
                **_status(Processing.READY, 100),
            }
        case VideoPublished():
            return {"published": True, "published_at": decoded.occurred_at, **_details(decoded.event)}
        case VideoEdited():
            return _details(decoded.event)
        case VideoUnpublished():
            return {"published": False}
        case VideoDeleted():
            return {"deleted": True, "published": False, "hashtags": []}  # the card stays, its words go
        case VideoHidden():
            return {"hidden": True}
        case VideoRestored():
            return {"hidden": False}
        case CoverMade(poster=poster):
            return {"poster": poster}  # a key of its own: caches of the old poster keep the old picture
    return {}


def _status(status: Processing, percent: int | None = None, error: str | None = None) -> dict[str, Any]:
    return {"processing": status.value, "progress": percent, "processing_error": error}


def _details(event: VideoPublished | VideoEdited) -> dict[str, Any]:
    return {
        "hashtags": event.hashtags,
        "visibility": event.visibility,
        "comments_allowed": event.comments_allowed,
    }


def _schedule(writer: Writer, row: dict[str, Any]) -> None:
    writer.upsert("video_schedules", row)
    writer.upsert("owner_schedules", row)


def _unschedule(writer: Writer, video_id: str) -> None:
    """The video's schedule row, and its row in the owner's list (found by the time it holds)."""
    current = writer.get("video_schedules", {"video_id": video_id})
    if current is None:
        return
    writer.delete("video_schedules", {"video_id": video_id})
    key = {"owner_id": current["owner_id"], "publish_at": current["publish_at"], "video_id": video_id}
    writer.delete("owner_schedules", key)


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _erase_captions(writer: Writer, owner_id: str) -> None:
    for row in writer.rows("owner_videos", {"owner_id": owner_id}):
        if writer.owns(row["video_id"]):
            writer.upsert("video_captions", {"video_id": row["video_id"], "caption": None, "erased": True})


def _erase_likes(writer: Writer, user_id: str) -> None:
    for row in writer.rows("likes_by_user", {"user_id": user_id}):
        if writer.owns(row["video_id"]):
            for table in LIKES:
                writer.delete(table, {"user_id": user_id, "video_id": row["video_id"]})


def _erase_blocks(writer: Writer, user_id: str) -> None:
    """Every side of the person's blocks this partition wrote: the others' sides, found under the
    person's id, and where it owns the person, theirs."""
    for row in writer.rows("blocks_by_other", {"other_id": user_id}):
        if writer.owns(row["user_id"]):
            _side(writer, row["user_id"], user_id, row["way"], held=False)
    if writer.owns(user_id):
        for row in writer.rows("blocks_of", {"user_id": user_id}):
            _side(writer, user_id, row["other_id"], row["way"], held=False)


def _block(writer: Writer, blocker: str, blocked: str, *, held: bool) -> None:
    """Each person's side where their partition applies it: the blocker's with the pair's row; none
    once either was erased (a block that raced the erasure)."""
    if any(erasure_marks.erased(writer, ERASED, person) for person in (blocker, blocked)):
        return
    if writer.owns(blocker):
        _side(writer, blocker, blocked, BLOCKED, held=held)
    if writer.owns(blocked):
        _side(writer, blocked, blocker, BLOCKED_BY, held=held)


def _side(writer: Writer, user_id: str, other_id: str, way: str, *, held: bool) -> None:
    """One person's side of a block: their row, its copy under the other person, and for the
    blocker the pair's row."""
    rows = [
        ("blocks_of", {"user_id": user_id, "other_id": other_id, "way": way}),
        ("blocks_by_other", {"other_id": other_id, "user_id": user_id, "way": way}),
    ]
    if way == BLOCKED:
        rows.append(("user_blocks", {"blocker_id": user_id, "blocked_id": other_id}))
    for table, row in rows:
        if held:
            writer.upsert(table, row)
        else:
            writer.delete(table, row)


def entity(decoded: Decoded) -> Entities:
    """The video for its events and likes, both people for blocks, every partition for an erasure."""
    data = decoded.event.to_data()
    match decoded.event:
        case UserBlocked() | UserUnblocked():
            return (str(data["blocker_id"]), str(data["blocked_id"]))
        case ErasureRequested():
            return EVERY
    return str(data["video_id"])


PROJECTOR = Projector(
    name=NAME,
    version=VERSION,
    tables=TABLES,
    handles=tuple(cls.event_type for cls in HANDLES),
    project=project,
    entity=entity,
    last=LOOKUPS,  # a lookup goes after what it finds, so a replayed erasure finds it again
    combine=((ERASED, one_copy),),
)
