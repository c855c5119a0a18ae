"""Notifications inboxes (``read_models/notifications.py``): likes and comments on a person's videos,
replies to their comments, mentions of them, new followers, and moderators' decisions about them,
grouped by (recipient, kind, target).

Exactly once under replay, as every projector here:

- A group's count and latest actors are rewritten whole from what the group held, and the group row
  carries an ``applied_position`` and lands after the inbox rows (``Projector.last``): an event whose
  group row landed is skipped for that group; one cut short is recomputed from the state before it.
  The rows saying who is counted where, and who reached whom, land after the groups and are written
  again by a replay whether or not the group was applied, so an erasure's deletion of them can never
  land while the group updates it made did not.
- Every decision reads only the state *before* the event: whether an actor is counted in a group,
  and whether two people block each other, are rows kept per change, by the position of the event
  that made it (``notif_contributions``, ``notif_blocks``), and only the rows below the event's
  position count. Rows a later event of a half-sent batch left behind change no decision, and an
  event's own rows are rewritten the same. An actor acting again in a group they are counted in (a
  second comment) moves the item up but adds no row, and the count stays.

Nothing about a person reaches someone who blocked them or whom they blocked: a block takes their
part out of both inboxes, and later activity between the two is not recorded. Nor does activity on
the things of someone the recipient has a block with: a like, comment, reply or mention is not
recorded for someone who, before it, had a block either way with the video's owner (blocked people
do not see each other's videos) or with the author of the comment answered. An erased actor is
taken out of every group they were in (the counts lose them too, and a group left empty goes); an
erased recipient's inbox is deleted and nothing more is recorded for them; every row naming them,
and their handle, goes. Self-actions never notify. A kind a person muted is not recorded from then
on (moderators' decisions cannot be muted).

Mentions: "@handle" in a comment, or in the caption a video is published with, tells the handle's
holder (``domain.mentions``: at most ten people per text), grouped per video, on public videos only
(anyone may watch them; a followers-only video is not shown to whoever is named). Handles resolve
through ``notif_handles``, kept from registrations by position, so a rebuild resolves each mention
as it was resolved live. Someone told of the comment already (the video's owner, the author of the
comment answered) is not told again as mentioned; edits tell nobody.

Erasure and rebuilds: once a person's key is shredded, a rebuild reads neither their handle nor
their words, so it finds no mention by or of them. Live, their erasure removes exactly that (their
part in every group, every row naming them, their handle), so both hold the same rows; an item
they had mentioned someone in may keep, live, the place in the inbox their mention moved it to.

Every change to a person's items or read mark leaves a marker (``notif_changes``) at its position:
what the API's notification streams watch.

Partitions: a group is one entity's, and that entity's partition applies every event about it: the
video's for likes, comments, replies and mentions on it (so the partition that learnt the video's
owner, its comments' authors and whether it is public writes them), the recipient's for followers
and moderators' decisions. What decides whether anyone is told (blocks, erasures, muted kinds,
handles) concerns people, not groups: every partition applies those events into its own copy. A
block or an erasure then changes, in each partition, the groups it owns; a read mark is the
person's. The unread count is read from the inbox rows, whichever partition wrote them.
"""

from __future__ import annotations

from datetime import datetime

from domain.access import Visibility
from domain.accounts.events import ErasureRequested, UserRegistered
from domain.accounts.rules import handle_key
from domain.engagement.comments import CommentPosted
from domain.engagement.likes import VideoLiked, VideoUnliked
from domain.mentions import mentioned_handles
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
from domain.videos.events import (
    VideoDeleted,
    VideoDraftCreated,
    VideoEdited,
    VideoPublished,
    VideoUnpublished,
)
from eventstore.codec import Decoded
from projections import erasure_marks
from projections.models import notification_groups as groups
from projections.partition import EVERY, Entities, one_copy
from projections.projector import Projector
from projections.writer import Writer
from read_models.notifications import TABLES, VERSION, Kind

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
    UserRegistered,
    VideoDraftCreated,
    VideoPublished,
    VideoEdited,
    VideoUnpublished,
    VideoDeleted,
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
        case UserRegistered(user_id=user_id, handle=handle) if handle:
            _hold(writer, user_id, handle_key(handle))
        case VideoDraftCreated(video_id=video_id, owner_id=owner):
            writer.upsert("notif_video_owner", {"video_id": video_id, "owner_id": owner})
        case VideoPublished(video_id=video_id, owner_id=owner, caption=caption, visibility=visibility):
            _publicity(writer, video_id, public=visibility == Visibility.PUBLIC)
            if visibility == Visibility.PUBLIC:
                _mentions(writer, caption, video_id, owner, at, on=(owner,))
        case VideoEdited(video_id=video_id, visibility=visibility):
            _publicity(writer, video_id, public=visibility == Visibility.PUBLIC)
        case VideoUnpublished(video_id=video_id) | VideoDeleted(video_id=video_id):
            _publicity(writer, video_id, public=False)
        case VideoLiked(user_id=actor, video_id=video_id):
            groups.add(writer, _owner(writer, video_id), Kind.LIKE, video_id, actor, at)
        case VideoUnliked(user_id=actor, video_id=video_id):
            groups.take_out(writer, _owner(writer, video_id), f"{Kind.LIKE}:{video_id}", actor)
        case CommentPosted():
            _comment(writer, event, at)
        case UserFollowed(follower_id=follower, followee_id=followee):
            groups.add(writer, followee, Kind.FOLLOW, followee, follower, at)
        case UserUnfollowed(follower_id=follower, followee_id=followee):
            groups.take_out(writer, followee, f"{Kind.FOLLOW}:{followee}", follower)
        case UserBlocked(blocker_id=blocker, blocked_id=blocked):
            _block(writer, blocker, blocked, on=True)
            groups.take_all_out(writer, blocker, blocked)
            groups.take_all_out(writer, blocked, blocker)
        case UserUnblocked(blocker_id=blocker, blocked_id=blocked):
            _block(writer, blocker, blocked, on=False)
        case ErasureRequested(user_id=user_id):
            _erase(writer, user_id)
        case NotificationsRead(user_id=user_id):
            _read(writer, user_id)
        case NotificationSettingsChanged(user_id=user_id, muted=muted):
            settings = {"user_id": user_id, "position": writer.position, "shard": writer.shard}
            writer.upsert("notif_settings", {**settings, "muted": muted})
        case _ if isinstance(event, DECISIONS):
            groups.add(
                writer, event.user_id, Kind.MODERATION, event.action_id, None, at, detail=event.event_type
            )


#: Facts about people that decide who is told: every partition keeps its own copy.
EVERYWHERE = (UserRegistered, UserBlocked, UserUnblocked, ErasureRequested, NotificationSettingsChanged)
#: Those copies, each the same in every partition; and the change markers, the same in every
#: partition that changed a person's inbox at that position (a block, an erasure).
COPIES = (
    "notif_blocks",
    "notif_blocks_of",
    "notif_erased",
    "notif_settings",
    "notif_handles",
    "notif_handle_of",
    "notif_changes",
)


def entity(decoded: Decoded) -> Entities:
    """The video, for what happens on it; the person told, for a follow, a decision or a read mark;
    every partition, for what decides who is told (see the module docstring)."""
    event = decoded.event
    match event:
        case _ if isinstance(event, EVERYWHERE):
            return EVERY
        case UserFollowed() | UserUnfollowed():
            return event.followee_id
        case NotificationsRead():
            return event.user_id
        case _ if isinstance(event, DECISIONS):
            return event.user_id
    return str(event.to_data()["video_id"])


# -- who hears of it ---------------------------------------------------------------------------------


def _owner(writer: Writer, video_id: str) -> str | None:
    row = writer.get("notif_video_owner", {"video_id": video_id})
    return None if row is None else str(row["owner_id"])


def _comment(writer: Writer, event: CommentPosted, at: datetime) -> None:
    """A reply tells the author of the comment it answers; the video's owner hears of every comment
    on their video, except a reply to their own comment (told once, as a reply); then the people it
    mentions hear of it, but for those two. It is on the things of both, so nobody with a block with
    either hears of it (``groups.add``)."""
    key = {"video_id": event.video_id, "comment_id": event.comment_id}
    if writer.get("notif_comment_author", key) is None:  # its first author
        writer.upsert(
            "notif_comment_author", {**key, "author_id": event.author_id, "position": writer.position}
        )
    owner, replied = _owner(writer, event.video_id), None
    answered = event.reply_to_id or event.parent_id
    if answered is not None:
        found = writer.get("notif_comment_author", {"video_id": event.video_id, "comment_id": answered})
        if found is not None and found["position"] < writer.position:  # posted before, not later on
            replied = str(found["author_id"])
        groups.add(
            writer, replied, Kind.REPLY, answered, event.author_id, at, about=(owner,), detail=event.video_id
        )
    if replied is None or replied != owner:
        groups.add(writer, owner, Kind.COMMENT, event.video_id, event.author_id, at, about=(replied,))
    if _public(writer, event.video_id):
        _mentions(writer, event.text, event.video_id, event.author_id, at, on=(owner, replied))


def _mentions(
    writer: Writer, text: str | None, video_id: str, actor: str, at: datetime, *, on: tuple[str | None, ...]
) -> None:
    """Tells each person ``text`` names (the handle's holder before this event), but the people
    whose video or comment the text is on: they are told of it already, and nobody with a block
    with them is told of it at all."""
    for handle in mentioned_handles(text):
        named = _holder(writer, handle)
        if named not in on:
            groups.add(writer, named, Kind.MENTION, video_id, actor, at, about=on)


def _hold(writer: Writer, user_id: str, handle: str) -> None:
    row = {"handle": handle, "position": writer.position, "shard": writer.shard}
    writer.upsert("notif_handles", {**row, "user_id": user_id})
    writer.upsert("notif_handle_of", {**row, "user_id": user_id})


def _let_go(writer: Writer, user_id: str) -> None:
    """An erased person's handle leaves the lookups: it is personal, and a rebuild cannot read it."""
    held = writer.get("notif_handle_of", {"user_id": user_id, "shard": writer.shard})
    if held is not None:
        key = {"handle": held["handle"], "shard": writer.shard, "position": held["position"]}
        writer.delete("notif_handles", key)
        writer.delete("notif_handle_of", {"user_id": user_id, "shard": writer.shard})


def _holder(writer: Writer, handle: str) -> str | None:
    copy = writer.rows("notif_handles", {"handle": handle, "shard": writer.shard})
    held = groups.last_before(copy, writer.position)
    return None if held is None else str(held["user_id"])


def _public(writer: Writer, video_id: str) -> bool:
    """Whether the video was published for everyone before this event."""
    return groups.latest(writer.rows("notif_video_public", {"video_id": video_id}), writer.position, "public")


def _publicity(writer: Writer, video_id: str, *, public: bool) -> None:
    writer.upsert("notif_video_public", {"video_id": video_id, "position": writer.position, "public": public})


def _block(writer: Writer, blocker: str, blocked: str, *, on: bool) -> None:
    """A change of the pair's block, and each person's note of the other (for an erasure to find);
    none for a person erased before it (a request that raced the erasure)."""
    if groups.erased(writer, blocker) or groups.erased(writer, blocked):
        return
    row = {**groups.blocks(writer, blocker, blocked), "position": writer.position, "blocked": on}
    writer.upsert("notif_blocks", row)
    for user, other in ((blocker, blocked), (blocked, blocker)):
        writer.upsert("notif_blocks_of", {"user_id": user, "shard": writer.shard, "other_id": other})


# -- read marks and erasure --------------------------------------------------------------------------


def _read(writer: Writer, user_id: str) -> None:
    """The mark only moves forward: a replay that finds a later mark leaves it."""
    if groups.erased(writer, user_id):
        return
    row = writer.get("notif_read", {"user_id": user_id})
    if row is None or row["read_position"] < writer.position:
        writer.upsert("notif_read", {"user_id": user_id, "read_position": writer.position})
        groups.changed(writer, user_id)


def _erase(writer: Writer, user_id: str) -> None:
    """As an actor, they leave every group they were in; as a recipient, their inbox and read mark
    go, and nothing more is recorded for them; every row naming them goes, and their handle. Each
    partition does so in the groups it owns and in its copies."""
    groups.forget(writer, user_id)
    _let_go(writer, user_id)
    _forget_blocks(writer, user_id)
    for group in writer.rows("notif_groups", {"recipient_id": user_id, "shard": writer.shard}):
        key = {"recipient_id": user_id, "group_id": group["group_id"]}
        if group["last_position"] is not None:
            writer.delete("notif_inbox", {**key, "last_position": group["last_position"]})
        writer.delete("notif_groups", {**key, "shard": writer.shard})
    if writer.owns(user_id):
        writer.delete("notif_read", {"user_id": user_id})
    groups.changed(writer, user_id)
    erasure_marks.mark(writer, "notif_erased", user_id)


def _forget_blocks(writer: Writer, user_id: str) -> None:
    """Every change of a block between the person and anyone, both ways, in this partition's copy:
    nothing of theirs is recorded any more (``groups.add``), so no decision needs them."""
    for row in writer.rows("notif_blocks_of", {"user_id": user_id, "shard": writer.shard}):
        other = row["other_id"]
        for pair in (groups.blocks(writer, user_id, other), groups.blocks(writer, other, user_id)):
            for change in writer.rows("notif_blocks", pair):
                writer.delete("notif_blocks", {**pair, "position": change["position"]})
        writer.delete("notif_blocks_of", {"user_id": other, "shard": writer.shard, "other_id": user_id})
        writer.delete("notif_blocks_of", {"user_id": user_id, "shard": writer.shard, "other_id": other})


PROJECTOR = Projector(
    name=NAME,
    version=VERSION,
    tables=TABLES,
    handles=tuple(cls.event_type for cls in HANDLES),
    project=project,
    entity=entity,
    last=("notif_groups", "notif_contributions", "notif_touched", "notif_reached"),
    combine=tuple((table, one_copy) for table in COPIES),
)
