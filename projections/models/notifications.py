"""Notifications inboxes (``read_models/notifications.py``): likes and comments on a person's videos,
replies to their comments, new followers, and moderators' decisions about them, grouped by
(recipient, kind, target).

Exactly once under replay, as every projector here:

- A group's count and latest actors are rewritten whole from what the group held, and the group row
  carries an ``applied_position`` and lands last (``Projector.last``): an event whose group row
  landed is skipped for that group; one cut short is recomputed from the state before it.
- Every decision reads only the state *before* the event: whether an actor is counted in a group,
  and whether two people block each other, are rows kept per change, by the position of the event
  that made it (``notif_contributions``, ``notif_blocks``), and only the rows below the event's
  position count. Rows a later event of a half-sent batch left behind change no decision, and an
  event's own rows are rewritten the same. An actor acting again in a group they are counted in (a
  second comment) moves the item up but adds no row, and the count stays.

Nothing about a person reaches someone who blocked them or whom they blocked: a block takes their
part out of both inboxes, and later activity between the two is not recorded. An erased actor is
taken out of every group they were in (the counts lose them too); an erased recipient's inbox is
deleted and nothing more is recorded for them. Self-actions never notify. A kind a person muted
is not recorded from then on (moderators' decisions cannot be muted).

Entity: one constant, as ``profiles``: a like's recipient is found through a lookup of the video's
owner, a block or an erasure moves many inboxes, so one runner applies every event in log order.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.accounts.events import ErasureRequested
from domain.engagement.comments import CommentPosted
from domain.engagement.likes import VideoLiked, VideoUnliked
from domain.moderation.standing import (
    AccountSuspended,
    AccountUnsuspended,
    AppealDecided,
    ContentModerated,
    RestrictionImposed,
    RestrictionLifted,
    StrikeRecorded,
    StrikeRemoved,
)
from domain.notifications import NotificationSettingsChanged, NotificationsRead
from domain.social import UserBlocked, UserFollowed, UserUnblocked, UserUnfollowed
from domain.videos.events import VideoDraftCreated
from eventstore.codec import Decoded
from projections.projector import Projector
from projections.writer import Writer
from read_models.notifications import APPLIED, LATEST, NOTIF_GROUPS, TABLES, VERSION, Kind
from read_models.tables import Row

NAME = "notifications"
DECISIONS = (
    ContentModerated,
    RestrictionImposed,
    RestrictionLifted,
    StrikeRecorded,
    StrikeRemoved,
    AccountSuspended,
    AccountUnsuspended,
    AppealDecided,
)
HANDLES = (
    VideoDraftCreated,
    VideoLiked,
    VideoUnliked,
    CommentPosted,
    UserFollowed,
    UserUnfollowed,
    UserBlocked,
    UserUnblocked,
    ErasureRequested,
    NotificationsRead,
    NotificationSettingsChanged,
    *DECISIONS,
)


def project(decoded: Decoded, writer: Writer) -> None:
    at = datetime.fromisoformat(decoded.record.metadata.occurred_at)
    event = decoded.event
    match event:
        case VideoDraftCreated(video_id=video_id, owner_id=owner):
            writer.upsert("notif_video_owner", {"video_id": video_id, "owner_id": owner})
        case VideoLiked(user_id=actor, video_id=video_id):
            _add(writer, _owner(writer, video_id), Kind.LIKE, video_id, actor, at)
        case VideoUnliked(user_id=actor, video_id=video_id):
            _take_out(writer, _owner(writer, video_id), f"{Kind.LIKE}:{video_id}", actor)
        case CommentPosted():
            _comment(writer, event, at)
        case UserFollowed(follower_id=follower, followee_id=followee):
            _add(writer, followee, Kind.FOLLOW, followee, follower, at)
        case UserUnfollowed(follower_id=follower, followee_id=followee):
            _take_out(writer, followee, f"{Kind.FOLLOW}:{followee}", follower)
        case UserBlocked(blocker_id=blocker, blocked_id=blocked):
            _block(writer, blocker, blocked, on=True)
            _take_all_out(writer, blocker, blocked)
            _take_all_out(writer, blocked, blocker)
        case UserUnblocked(blocker_id=blocker, blocked_id=blocked):
            _block(writer, blocker, blocked, on=False)
        case ErasureRequested(user_id=user_id):
            _erase(writer, user_id)
        case NotificationsRead(user_id=user_id):
            _read(writer, user_id)
        case NotificationSettingsChanged(user_id=user_id, muted=muted):
            writer.upsert("notif_settings", {"user_id": user_id, "position": writer.position, "muted": muted})
        case _ if isinstance(event, DECISIONS):
            _add(writer, event.user_id, Kind.MODERATION, event.action_id, None, at, detail=event.event_type)


def entity(decoded: Decoded) -> str:
    """One constant: a single runner applies every event (see the module docstring)."""
    return NAME


# -- who hears of it ---------------------------------------------------------------------------------


def _owner(writer: Writer, video_id: str) -> str | None:
    row = writer.get("notif_video_owner", {"video_id": video_id})
    return None if row is None else str(row["owner_id"])


def _comment(writer: Writer, event: CommentPosted, at: datetime) -> None:
    """A reply tells the author of the comment it answers; the video's owner hears of every comment
    on their video, except a reply to their own comment (told once, as a reply)."""
    if writer.get("notif_comment_author", {"comment_id": event.comment_id}) is None:  # its first author
        writer.upsert("notif_comment_author", {"comment_id": event.comment_id, "author_id": event.author_id})
    owner = _owner(writer, event.video_id)
    answered = event.reply_to_id or event.parent_id
    if answered is not None:
        found = writer.get("notif_comment_author", {"comment_id": answered})
        replied = None if found is None else str(found["author_id"])
        _add(writer, replied, Kind.REPLY, answered, event.author_id, at, detail=event.video_id)
        if replied == owner:
            return
    _add(writer, owner, Kind.COMMENT, event.video_id, event.author_id, at)


def _blocked_between(writer: Writer, a: str, b: str) -> bool:
    """Whether either blocked the other before this event."""
    return any(
        _latest(writer.rows("notif_blocks", {"blocker_id": x, "blocked_id": y}), writer.position, "blocked")
        for x, y in ((a, b), (b, a))
    )


def _block(writer: Writer, blocker: str, blocked: str, *, on: bool) -> None:
    row = {"blocker_id": blocker, "blocked_id": blocked, "position": writer.position, "blocked": on}
    writer.upsert("notif_blocks", row)


def _erased(writer: Writer, user_id: str) -> bool:
    row = writer.get("notif_erased", {"user_id": user_id})
    return row is not None and row["position"] < writer.position


def _latest(rows: list[Row], position: int, flag: str) -> bool:
    """The flag as the last change before ``position`` left it."""
    before = _last_before(rows, position)
    return bool(before[flag]) if before is not None else False


def _last_before(rows: list[Row], position: int) -> Row | None:
    return max((row for row in rows if row["position"] < position), key=lambda r: r["position"], default=None)


def _muted(writer: Writer, user_id: str, kind: str) -> bool:
    """Whether the person had muted this kind before this event."""
    settings = _last_before(writer.rows("notif_settings", {"user_id": user_id}), writer.position)
    return settings is not None and kind in (settings["muted"] or [])


# -- groups ------------------------------------------------------------------------------------------


def _add(
    writer: Writer,
    recipient: str | None,
    kind: str,
    target: str,
    actor: str | None,
    at: datetime,
    *,
    detail: str | None = None,
) -> None:
    """Counts ``actor`` in the recipient's group (once, however often they act) and moves it up.
    ``actor`` is ``None`` for moderators' decisions, which name nobody."""
    if recipient is None or recipient == actor or _erased(writer, recipient):
        return
    if actor is not None and (_blocked_between(writer, recipient, actor) or _muted(writer, recipient, kind)):
        return
    group_id = f"{kind}:{target}"
    before = _group(writer, recipient, group_id)
    if before is None:
        return  # this event has updated the group already
    count, actors = int(before["count"] or 0), list(before["actors"] or [])
    if actor is None:
        count = 1
    else:
        if not _counted(writer, recipient, actor, group_id):
            _change(writer, recipient, actor, group_id, counted=True)
            count += 1
        actors = [actor, *(a for a in actors if a != actor)][:LATEST]
    after = {**before, "kind": kind, "target_id": target, "count": count, "actors": actors}
    after.update(last_at=at, last_position=writer.position, detail=detail)
    _save(writer, before, after)


def _take_out(writer: Writer, recipient: str | None, group_id: str, actor: str) -> None:
    """Takes the actor's part out of the group, if they were counted in it before this event."""
    if recipient is None or _erased(writer, recipient) or not _counted(writer, recipient, actor, group_id):
        return
    before = _group(writer, recipient, group_id)
    if before is None:
        return
    _change(writer, recipient, actor, group_id, counted=False)
    after = {
        **before,
        "count": max(0, int(before["count"] or 0) - 1),
        "actors": [a for a in before["actors"] or [] if a != actor],
    }
    _save(writer, before, after)


def _take_all_out(writer: Writer, recipient: str, actor: str) -> None:
    rows = writer.rows("notif_contributions", {"recipient_id": recipient, "actor_id": actor})
    for group_id in dict.fromkeys(row["group_id"] for row in rows):
        _take_out(writer, recipient, group_id, actor)


def _counted(writer: Writer, recipient: str, actor: str, group_id: str) -> bool:
    rows = writer.rows("notif_contributions", {"recipient_id": recipient, "actor_id": actor})
    return _latest([row for row in rows if row["group_id"] == group_id], writer.position, "counted")


def _change(writer: Writer, recipient: str, actor: str, group_id: str, *, counted: bool) -> None:
    row = {"recipient_id": recipient, "actor_id": actor, "group_id": group_id}
    writer.upsert("notif_contributions", {**row, "position": writer.position, "counted": counted})
    writer.upsert("notif_touched", {"actor_id": actor, "recipient_id": recipient})


def _group(writer: Writer, recipient: str, group_id: str) -> Row | None:
    """The group as it stands before this event, or ``None`` if this event is applied to it."""
    key = {"recipient_id": recipient, "group_id": group_id}
    found = writer.get("notif_groups", key)
    if found is not None and (found[APPLIED] or 0) >= writer.position:
        return None
    return {**dict.fromkeys(NOTIF_GROUPS.names), **(found or {}), **key}


def _save(writer: Writer, before: Row, after: dict[str, Any]) -> None:
    """The inbox row moves to the group's latest position (or goes, once nobody is left), then the
    group row, last."""
    key = {"recipient_id": after["recipient_id"], "group_id": after["group_id"]}
    old = before["last_position"]
    if old is not None and (after["count"] == 0 or old != after["last_position"]):
        writer.delete("notif_inbox", {**key, "last_position": old})
    if after["count"] > 0:
        writer.upsert("notif_inbox", {name: after[name] for name in _INBOX_COLUMNS})
    writer.upsert("notif_groups", {**after, APPLIED: writer.position})


_INBOX_COLUMNS = (
    "recipient_id",
    "last_position",
    "group_id",
    "kind",
    "target_id",
    "count",
    "actors",
    "last_at",
    "detail",
)


# -- read marks and erasure --------------------------------------------------------------------------


def _read(writer: Writer, user_id: str) -> None:
    """The mark only moves forward: a replay that finds a later mark leaves it."""
    if _erased(writer, user_id):
        return
    row = writer.get("notif_read", {"user_id": user_id})
    if row is None or row["read_position"] < writer.position:
        writer.upsert("notif_read", {"user_id": user_id, "read_position": writer.position})


def _erase(writer: Writer, user_id: str) -> None:
    """As an actor, they leave every group they were in; as a recipient, their inbox and read mark
    go, and nothing more is recorded for them."""
    for touched in writer.rows("notif_touched", {"actor_id": user_id}):
        _take_all_out(writer, touched["recipient_id"], user_id)
    for group in writer.rows("notif_groups", {"recipient_id": user_id}):
        key = {"recipient_id": user_id, "group_id": group["group_id"]}
        if group["last_position"] is not None:
            writer.delete("notif_inbox", {**key, "last_position": group["last_position"]})
        writer.delete("notif_groups", key)
    writer.delete("notif_read", {"user_id": user_id})
    erased = writer.get("notif_erased", {"user_id": user_id})
    if erased is None or erased["position"] > writer.position:  # the first erasure counts
        writer.upsert("notif_erased", {"user_id": user_id, "position": writer.position})


PROJECTOR = Projector(
    name=NAME,
    version=VERSION,
    tables=TABLES,
    handles=tuple(cls.event_type for cls in HANDLES),
    project=project,
    entity=entity,
    last=("notif_groups",),
    sample_slices=1,
)
