"""Fresh videos: a listed public video has one row in ``fresh_videos`` for ``HORIZON`` after it was
published, and none while unpublished, hidden, deleted or not public.

Exactly once: ``fresh_video_state`` is the guard. An event at or below its ``applied_position`` is
skipped; the state lands after the row writes (``last``), so a crash between them leaves the event to
be recomputed from the state before it, rewriting the same rows at the same positions. One event
never deletes and rewrites the same key: at equal positions the delete would win.

Entity: the video. Every event here is one video's, so the projector partitions freely.
"""

from __future__ import annotations

from datetime import UTC, datetime

from eventstore.codec import Decoded
from projections.listing import LISTING_EVENTS, evolved
from projections.projector import Projector
from projections.writer import Writer
from read_models.fresh_videos import APPLIED, TABLES, VERSION, bucket_of, shard_of, ttl_for
from read_models.listing import is_public
from read_models.tables import Row

NAME = "fresh_videos"
HANDLES = LISTING_EVENTS


def project(decoded: Decoded, writer: Writer) -> None:
    data = decoded.event.to_data()
    video_id = str(data["video_id"])
    before: Row = writer.get("fresh_video_state", {"video_id": video_id}) or {}
    if before.get(APPLIED, -1) >= writer.position:
        return
    after = evolved(decoded, {**before, "video_id": video_id, "owner_id": str(data["owner_id"])})
    was, now = _row(before), _row(after)
    if was is not None and (now is None or _key(was) != _key(now)):
        writer.delete("fresh_videos", _key(was))
    if now is not None and now != was:
        ttl = ttl_for(now["published_at"], _now())
        if ttl is not None:
            writer.upsert("fresh_videos", now, ttl=ttl)
    writer.upsert("fresh_video_state", {**after, APPLIED: writer.position})


def _row(state: Row) -> Row | None:
    """The video's row in the list, or ``None`` while it may not be listed for everyone."""
    if not is_public(state):
        return None
    published_at: datetime = state["published_at"]
    return {
        "bucket": bucket_of(published_at),
        "shard": shard_of(state["video_id"]),
        "published_at": published_at,
        "video_id": state["video_id"],
        "owner_id": state["owner_id"],
        "hashtags": state.get("hashtags") or None,
    }


def _key(row: Row) -> Row:
    return {name: row[name] for name in ("bucket", "shard", "published_at", "video_id")}


def _now() -> datetime:
    """Rows expire by the wall clock (Cassandra's TTLs do), so their time left is read from it."""
    return datetime.now(UTC)


def entity(decoded: Decoded) -> str:
    return str(decoded.event.to_data()["video_id"])


PROJECTOR = Projector(
    name=NAME,
    version=VERSION,
    tables=TABLES,
    handles=tuple(cls.event_type for cls in HANDLES),
    project=project,
    entity=entity,
    last=("fresh_video_state",),
)
