"""Video cards as the ``video_details`` projector keeps them, and their key lookups.

One table per access pattern:

- ``video_details``: the card by video (owner, listing flags, visibility, hashtags, media info).
- ``video_captions``: the caption by video, ``None`` with ``erased`` set once the owner's key is
  gone. Apart from the card so that an erasure, which knows only the owner, rewrites captions and
  nothing else: whatever it overwrites out of order is personal data it must clear anyway.
- ``video_likes``: one row per (user, video) while the user likes it, so ``liked_by_me`` is one key
  lookup. Keyed by both ids: a viral video's likes never pile up in one partition.
- ``user_blocks``: one row per (blocker, blocked) while the block holds; a blocked viewer reads
  the blocker's videos as absent, as the engagement rules do.
- ``blocks_of``: the same blocks by person, both ways (whom they blocked, who blocked them), so a
  page of many owners asks one partition instead of two keys an owner. A person blocked by very
  many is read by pairs instead (``blocked_among``).
- ``owner_videos``: an owner's video ids, for the projector to find the captions an erasure clears.
  Not for queries.
- ``video_caption_tracks``: a video's caption tracks (subtitles), by language, with their files.
- ``video_schedules``: a video's publication scheduled for later, or the reason the last one failed.
- ``owner_schedules``: the same by owner, soonest first, for the owner's own list.

Whether a viewer follows the owner comes from the ``profiles`` read model (``profiles.follows``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

from read_models import profiles
from read_models.erasure_marks import erasure_marks
from read_models.live import ReadModel
from read_models.port import ReadStore
from read_models.tables import BOOL, INT, TEXT, TEXT_LIST, TIMESTAMP, Clustering, Row, Table, columns_of

#: Bumping it makes the projector fill fresh tables (``video_details_v2``…) from the start of the log.
#: 2: the thumbnail strip; 3: processing status; 4: blocks by person; 5: erased likes, blocks;
#: 6: nothing recorded of an erased person after their erasure (``details_erased``)
VERSION = 6
MODEL = ReadModel("video_details", VERSION)

VIDEO_DETAILS = Table(
    "video_details",
    columns=columns_of(
        video_id=TEXT,
        owner_id=TEXT,
        published=BOOL,
        published_at=TIMESTAMP,
        visibility=TEXT,
        hashtags=TEXT_LIST,
        comments_allowed=BOOL,
        hidden=BOOL,
        deleted=BOOL,
        duration_ms=INT,
        width=INT,
        height=INT,
        renditions=TEXT_LIST,
        poster=TEXT,
        master_playlist=TEXT,
        thumbnails=TEXT,
        processing=TEXT,
        progress=INT,
        processing_error=TEXT,
    ),
    partition_key=("video_id",),
)
VIDEO_CAPTIONS = Table(
    "video_captions",
    columns=columns_of(video_id=TEXT, caption=TEXT, erased=BOOL),
    partition_key=("video_id",),
)
VIDEO_LIKES = Table(
    "video_likes",
    columns=columns_of(user_id=TEXT, video_id=TEXT),
    partition_key=("user_id", "video_id"),
)
USER_BLOCKS = Table(
    "user_blocks",
    columns=columns_of(blocker_id=TEXT, blocked_id=TEXT),
    partition_key=("blocker_id", "blocked_id"),
)
BLOCKS_OF = Table(
    "blocks_of",
    columns=columns_of(user_id=TEXT, other_id=TEXT, way=TEXT),
    partition_key=("user_id",),
    clustering=(Clustering("other_id"), Clustering("way")),
)
#: Each row of ``video_likes`` and of ``blocks_of`` again, under the other person of it, written by
#: the same partition: so an erasure finds, in every partition, the rows about the erased person
#: that the partition wrote (their likes under the videos' partitions, the others' sides of their
#: blocks), and deletes them without waiting on any other partition.
LIKES_BY_USER = Table(
    "likes_by_user",
    columns=columns_of(user_id=TEXT, video_id=TEXT),
    partition_key=("user_id",),
    clustering=(Clustering("video_id"),),
)
BLOCKS_BY_OTHER = Table(
    "blocks_by_other",
    columns=columns_of(other_id=TEXT, user_id=TEXT, way=TEXT),
    partition_key=("other_id",),
    clustering=(Clustering("user_id"), Clustering("way")),
)
#: ``blocks_of.way``: the person blocked the other, or the other blocked the person.
BLOCKED, BLOCKED_BY = "blocked", "blocked_by"
#: Rows of ``blocks_of`` ``blocked_among`` reads at most before asking by pairs instead.
BLOCKS_READ = 1000
OWNER_VIDEOS = Table(
    "owner_videos",
    columns=columns_of(owner_id=TEXT, video_id=TEXT),
    partition_key=("owner_id",),
    clustering=(Clustering("video_id"),),
)

VIDEO_CAPTION_TRACKS = Table(
    "video_caption_tracks",
    columns=columns_of(video_id=TEXT, lang=TEXT, media_key=TEXT, cues=INT),
    partition_key=("video_id",),
    clustering=(Clustering("lang"),),
)
VIDEO_SCHEDULES = Table(
    "video_schedules",
    columns=columns_of(video_id=TEXT, owner_id=TEXT, publish_at=TIMESTAMP, failed=TEXT),
    partition_key=("video_id",),
)
OWNER_SCHEDULES = Table(
    "owner_schedules",
    columns=columns_of(owner_id=TEXT, publish_at=TIMESTAMP, video_id=TEXT, failed=TEXT),
    partition_key=("owner_id",),
    clustering=(Clustering("publish_at"), Clustering("video_id")),
)

DETAILS_ERASED = erasure_marks("details_erased")

TABLES = (
    VIDEO_DETAILS,
    VIDEO_CAPTIONS,
    VIDEO_LIKES,
    USER_BLOCKS,
    BLOCKS_OF,
    LIKES_BY_USER,
    BLOCKS_BY_OTHER,
    OWNER_VIDEOS,
    VIDEO_CAPTION_TRACKS,
    VIDEO_SCHEDULES,
    OWNER_SCHEDULES,
    DETAILS_ERASED,
)


class Processing(StrEnum):
    """Where the upload and the media pipeline stand, for the owner's upload screen."""

    AWAITING_UPLOAD = "awaiting_upload"
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"  # the pipeline gave up; the owner may upload again
    REJECTED = "rejected"  # the upload was not a playable video; the owner may upload again


class ListingState(StrEnum):
    DRAFT = "draft"  # never published
    LISTED = "listed"
    UNPUBLISHED = "unpublished"
    HIDDEN = "hidden"  # by moderation
    DELETED = "deleted"


@dataclasses.dataclass(frozen=True, slots=True)
class VideoCard:
    video_id: str
    owner_id: str
    caption: str | None
    caption_erased: bool
    hashtags: list[str]
    visibility: str
    comments_allowed: bool
    published: bool
    published_at: datetime | None
    hidden: bool
    deleted: bool
    duration_ms: int | None
    width: int | None
    height: int | None
    renditions: list[str]
    poster: str | None
    master_playlist: str | None
    thumbnails: str | None
    processing: Processing
    progress_percent: int | None
    processing_error: str | None

    @property
    def state(self) -> ListingState:
        if self.deleted:
            return ListingState.DELETED
        if self.hidden:
            return ListingState.HIDDEN
        if self.published:
            return ListingState.LISTED
        return ListingState.UNPUBLISHED if self.published_at else ListingState.DRAFT


@dataclasses.dataclass(frozen=True, slots=True)
class CaptionTrack:
    lang: str
    media_key: str
    cues: int


@dataclasses.dataclass(frozen=True, slots=True)
class Schedule:
    """A publication set for ``publish_at``; ``failed`` says why it could not be done, once it was due."""

    video_id: str
    publish_at: datetime
    failed: str | None


def video_card(store: ReadStore, video_id: str) -> VideoCard | None:
    """The card with its caption; ``None`` for a video never seen as a draft."""
    row = store.get(MODEL.table(store, VIDEO_DETAILS), {"video_id": video_id})
    if row is None:
        return None
    caption = store.get(MODEL.table(store, VIDEO_CAPTIONS), {"video_id": video_id}) or {}
    return _card(row, caption)


def liked(store: ReadStore, user_id: str, video_id: str) -> bool:
    return store.get(MODEL.table(store, VIDEO_LIKES), {"user_id": user_id, "video_id": video_id}) is not None


def has_blocked(store: ReadStore, blocker_id: str, blocked_id: str) -> bool:
    key = {"blocker_id": blocker_id, "blocked_id": blocked_id}
    return store.get(MODEL.table(store, USER_BLOCKS), key) is not None


def blocked_between(store: ReadStore, a: str, b: str) -> bool:
    """Whether either of two users blocked the other: then neither sees the other's videos."""
    return has_blocked(store, a, b) or has_blocked(store, b, a)


def blocked_among(store: ReadStore, viewer: str, others: Iterable[str]) -> set[str]:
    """Those of ``others`` whom the viewer blocked or who blocked the viewer: one partition read,
    the viewer's blocks both ways; by pairs, in one round, for a viewer with too many to read."""
    wanted = list(dict.fromkeys(others))
    if not wanted:
        return set()
    page = store.page(MODEL.table(store, BLOCKS_OF), {"user_id": viewer}, limit=BLOCKS_READ)
    if page.cursor is None:
        return {row["other_id"] for row in page.rows} & set(wanted)
    keys = [{"blocker_id": viewer, "blocked_id": o} for o in wanted]
    keys += [{"blocker_id": o, "blocked_id": viewer} for o in wanted]
    rows = store.get_many(MODEL.table(store, USER_BLOCKS), keys)
    return {
        k["blocked_id"] if k["blocker_id"] == viewer else k["blocker_id"]
        for k, r in zip(keys, rows, strict=True)
        if r
    }


def caption_tracks(store: ReadStore, video_id: str) -> list[CaptionTrack]:
    """In language-tag order; a video has a few at most (``MAX_CAPTION_TRACKS``)."""
    page = store.page(MODEL.table(store, VIDEO_CAPTION_TRACKS), {"video_id": video_id}, limit=100)
    return [CaptionTrack(r["lang"], r["media_key"], r["cues"]) for r in page.rows]


def schedule_of(store: ReadStore, video_id: str) -> Schedule | None:
    row = store.get(MODEL.table(store, VIDEO_SCHEDULES), {"video_id": video_id})
    return None if row is None else Schedule(video_id, row["publish_at"], row["failed"])


def schedules_of(
    store: ReadStore, owner_id: str, limit: int, cursor: str | None = None
) -> profiles.Page[Schedule]:
    """The owner's scheduled publications, soonest first, and those that failed."""
    table = MODEL.table(store, OWNER_SCHEDULES)
    page = store.page(table, {"owner_id": owner_id}, limit=limit, cursor=cursor)
    return profiles.Page(
        [Schedule(r["video_id"], r["publish_at"], r["failed"]) for r in page.rows], page.cursor
    )


def _card(row: Row, caption: Row) -> VideoCard:
    return VideoCard(
        video_id=row["video_id"],
        owner_id=row["owner_id"],
        caption=caption.get("caption"),
        caption_erased=bool(caption.get("erased")),
        hashtags=list(row["hashtags"] or []),
        visibility=row["visibility"] or profiles.PUBLIC,
        comments_allowed=row["comments_allowed"] is not False,
        published=bool(row["published"]),
        published_at=row["published_at"],
        hidden=bool(row["hidden"]),
        deleted=bool(row["deleted"]),
        duration_ms=row["duration_ms"],
        width=row["width"],
        height=row["height"],
        renditions=list(row["renditions"] or []),
        poster=row["poster"],
        master_playlist=row["master_playlist"],
        thumbnails=row["thumbnails"],
        processing=_processing(row),
        progress_percent=row["progress"],
        processing_error=row["processing_error"],
    )


def _processing(row: Row) -> Processing:
    if row["processing"]:
        return Processing(row["processing"])
    return Processing.READY if row["master_playlist"] else Processing.AWAITING_UPLOAD
