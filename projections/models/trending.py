"""Trending: time-decayed engagement per video, overall and per hashtag (see read_models/trending.py
for the score, the buckets and why ranks are quantised).

Weights say how much an act tells that a video is worth showing to strangers: a view 1, a completed
watch 2 (it watched to the end, on top of its view), a like 3, a comment 4 (effort, and it starts
talk), a share 5 (it brings people in). Watch progress short of the end adds nothing beyond its view.
A quick skip counts -1: it takes back the point of the view it ended, since leaving within three
seconds is no engagement; a skip with no view before it weighs a little against the video. The sum is
kept at zero or above.

An unlike or a deleted comment takes back exactly the term its like or comment added (its weight at
*its* time): ``trending_contributions`` remembers that term per like and comment for a while
(``RETRACT_WITHIN``); a retraction later than that changes nothing, its term being negligible by then.
Times are the events' recorded ``occurred_at``, never the clock, so a replay writes the same rows.

Exactly once: ``trending_state`` holds each video's listing state and score with an
``applied_position``; an event at or below it is not applied again. The ranking rows are rendered from
the state and written before it; the contributions after it, and always (they are idempotent), so a
crash between the waves leaves neither a retraction that can no longer find its term nor one applied
twice. Engagement on a video never seen (no video event yet) moves no score, so made-up ids in watch
signals create no rows; a like or comment is still remembered (until its TTL), so that a replay, which
may find the video known by then, writes exactly the rows the first pass wrote.

Partitioning: every handled event names its video and every row written is that video's (its state,
its contributions, its own rows in the shared ranking partitions, keyed by its id), so the video is
the entity and events of one video are applied in order by one runner. An erasure goes to every
partition: each removes the person's likes of the videos it owns from the contributions, found under
their id in ``trending_likers``, and marks the erasure so that a like which raced it is not counted.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from domain.accounts.events import ErasureRequested
from domain.engagement.comments import CommentDeleted, CommentPosted
from domain.engagement.likes import VideoLiked, VideoUnliked
from domain.engagement.shares import VideoShared
from domain.videos.events import (
    VideoDeleted,
    VideoDraftCreated,
    VideoEdited,
    VideoHidden,
    VideoPublished,
    VideoRestored,
    VideoUnpublished,
)
from domain.watching import VideoSkipped, ViewStarted, WatchProgressed
from eventstore.codec import Decoded
from projections import erasure_marks
from projections.partition import EVERY, one_copy
from projections.projector import Projector
from projections.writer import Writer
from read_models.listing import is_public
from read_models.tables import Row
from read_models.trending import (
    APPLIED,
    RETRACT_WITHIN,
    TABLES,
    TRENDING_CONTRIBUTIONS,
    TRENDING_ERASED,
    TRENDING_LIKERS,
    TRENDING_STATE,
    VERSION,
    added,
    bucket_of,
    half_lives,
    listed_rows,
    rank_of,
    removed,
)

NAME = "trending"
STATE = TRENDING_STATE.name
CONTRIBUTIONS = TRENDING_CONTRIBUTIONS.name
LIKERS = TRENDING_LIKERS.name
ERASED = TRENDING_ERASED.name
KEYS = {t.name: t.key_names for t in TABLES}

VIEW, COMPLETION, LIKE, COMMENT, SHARE, SKIP = 1, 2, 3, 4, 5, -1

VIDEO_EVENTS = (
    VideoDraftCreated,
    VideoPublished,
    VideoEdited,
    VideoUnpublished,
    VideoDeleted,
    VideoHidden,
    VideoRestored,
)
ENGAGEMENT = (
    VideoLiked,
    VideoUnliked,
    CommentPosted,
    CommentDeleted,
    VideoShared,
    ViewStarted,
    WatchProgressed,
    VideoSkipped,
)


def project(decoded: Decoded, writer: Writer) -> None:
    event = decoded.event
    if isinstance(event, ErasureRequested):
        _erase(writer, event.user_id)
        return
    video_id = entity(decoded)
    if not video_id:  # a watch signal of an erased viewer: it no longer says which video
        return
    if isinstance(event, VideoLiked) and erasure_marks.erased(writer, ERASED, event.user_id):
        return  # a like that raced its giver's erasure
    before = writer.get(STATE, {"video_id": video_id})
    applied = before is not None and (before.get(APPLIED) or -1) >= writer.position
    if isinstance(decoded.event, VIDEO_EVENTS):
        after = None if applied else _video(before, decoded)
    else:
        after = _engagement(decoded, writer, video_id, None if applied else before)
    if after is not None:
        _save(writer, before, after)


def entity(decoded: Decoded) -> str:
    """Every handled event names its video (see the module docstring), but for an erased viewer's
    watch signal, whose video reads as ``None`` (then "", and nothing is written), and an erasure,
    which every partition applies to the videos it owns."""
    if isinstance(decoded.event, ErasureRequested):
        return EVERY
    video_id: str | None = getattr(decoded.event, "video_id")  # noqa: B009 - every handled event has one
    return video_id or ""


# -- video state -------------------------------------------------------------------------------------


def _video(before: Row | None, decoded: Decoded) -> dict[str, Any]:
    data = decoded.event.to_data()
    after: dict[str, Any] = {name: (before or {}).get(name) for name in TRENDING_STATE.types}
    after.update(video_id=data["video_id"], owner_id=data["owner_id"])
    match decoded.event:
        case VideoPublished(visibility=visibility, hashtags=tags):
            after.update(published=True, visibility=visibility, hashtags=tags)
        case VideoEdited(visibility=visibility, hashtags=tags):
            after.update(visibility=visibility, hashtags=tags)
        case VideoUnpublished():
            after.update(published=False)
        case VideoDeleted():
            after.update(deleted=True, hashtags=[])  # kept as a marker, without its words
        case VideoHidden():
            after.update(hidden=True)
        case VideoRestored():
            after.update(hidden=False)
    return after


# -- engagement --------------------------------------------------------------------------------------


def _engagement(decoded: Decoded, writer: Writer, video_id: str, state: Row | None) -> dict[str, Any] | None:
    """The state after the event; ``None`` when there is none to change (``state`` is ``None`` when the
    video was never seen or the event was applied already) or the event changes nothing."""
    at = decoded.occurred_at
    match decoded.event:
        case VideoUnliked(user_id=user_id):
            writer.delete(LIKERS, {"user_id": user_id, "video_id": video_id})
            return _retract(writer, state, video_id, f"like:{user_id}", at)
        case CommentDeleted(comment_id=comment_id):
            return _retract(writer, state, video_id, f"comment:{comment_id}", at)
        case VideoLiked(user_id=user_id):
            writer.upsert(LIKERS, {"user_id": user_id, "video_id": video_id})
            _remember(writer, video_id, f"like:{user_id}", _term(LIKE, at), at)
        case CommentPosted(comment_id=comment_id):
            _remember(writer, video_id, f"comment:{comment_id}", _term(COMMENT, at), at)
    weight = _weight(decoded)
    if state is None or not weight:
        return None
    if weight < 0:
        return {**state, "score": removed(state.get("score"), _term(weight, at))}
    return _add(state, _term(weight, at), at)


def _weight(decoded: Decoded) -> int:
    match decoded.event:
        case ViewStarted():
            return VIEW
        case WatchProgressed(completed=True):
            return COMPLETION
        case VideoLiked():
            return LIKE
        case CommentPosted():
            return COMMENT
        case VideoShared():
            return SHARE
        case VideoSkipped():
            return SKIP
    return 0


def _term(weight: int, at: datetime) -> float:
    """log2 of the act's term in the score (of its magnitude, for a negative weight)."""
    return math.log2(abs(weight)) + half_lives(at)


def _add(state: Row, term: float, at: datetime) -> dict[str, Any]:
    """The term added, and the video's rows moved to the bucket of this engagement if it is newer."""
    bucket = bucket_of(at)
    if state.get("bucket") is not None and state["bucket"] > bucket:
        bucket = state["bucket"]
    return {**state, "score": added(state.get("score"), term), "bucket": bucket}


def _remember(writer: Writer, video_id: str, source: str, term: float, at: datetime) -> None:
    """Written whatever the video's state, so a replay writes exactly what the first pass did."""
    writer.upsert(CONTRIBUTIONS, {"video_id": video_id, "source": source, "amount": term, "at": at})


def _retract(
    writer: Writer, state: Row | None, video_id: str, source: str, at: datetime
) -> dict[str, Any] | None:
    """Takes the remembered term back from ``state`` (if any), and forgets it."""
    key = {"video_id": video_id, "source": source}
    term = writer.get(CONTRIBUTIONS, key)
    if term is None:
        return None
    writer.delete(CONTRIBUTIONS, key)
    if state is None or at - term["at"] > RETRACT_WITHIN:
        return None
    return {**state, "score": removed(state.get("score"), term["amount"])}


def _erase(writer: Writer, user_id: str) -> None:
    """The person's likes of the videos this partition owns leave the contributions; the terms they
    added stay in the scores, as anonymous mass."""
    erasure_marks.mark(writer, ERASED, user_id)
    for row in writer.rows(LIKERS, {"user_id": user_id}):
        if writer.owns(row["video_id"]):
            writer.delete(CONTRIBUTIONS, {"video_id": row["video_id"], "source": f"like:{user_id}"})
            writer.delete(LIKERS, {"user_id": user_id, "video_id": row["video_id"]})


# -- writing -----------------------------------------------------------------------------------------


def _save(writer: Writer, before: Row | None, after: dict[str, Any]) -> None:
    """The ranking rows first (stale ones deleted, changed ones written), the state last. Most
    engagement leaves the rows as they were (the rank is the score quantised), so they are rendered
    only when what they are made of moved."""
    if before is not None and _placement(before) == _placement(after):
        writer.upsert(STATE, {**after, APPLIED: writer.position})
        return
    old = _rows(before) if before is not None else {}
    new = _rows(after)
    for identity, (table, row) in old.items():
        if identity not in new:
            writer.delete(table, {name: row[name] for name in KEYS[table]})
    for identity, (table, row) in new.items():
        if old.get(identity) != (table, row):
            writer.upsert(table, row)
    writer.upsert(STATE, {**after, APPLIED: writer.position})


def _placement(state: Row) -> tuple[Any, ...] | None:
    """All that ``listed_rows`` renders the ranking rows from; ``None`` while it renders none."""
    score, bucket = state.get("score"), state.get("bucket")
    if not is_public(state) or score is None or bucket is None:
        return None
    return rank_of(score), bucket, state["video_id"], state["owner_id"], tuple(state.get("hashtags") or ())


def _rows(state: Row) -> dict[tuple[Any, ...], tuple[str, Row]]:
    """The video's ranking rows by table and primary key."""
    return {(table, *(row[k] for k in KEYS[table])): (table, row) for table, row in listed_rows(state)}


PROJECTOR = Projector(
    name=NAME,
    version=VERSION,
    tables=TABLES,
    handles=tuple(cls.event_type for cls in (*VIDEO_EVENTS, *ENGAGEMENT, ErasureRequested)),
    project=project,
    entity=entity,
    last=(STATE, CONTRIBUTIONS, LIKERS),  # a lookup goes after what it finds
    combine=((ERASED, one_copy),),
)
