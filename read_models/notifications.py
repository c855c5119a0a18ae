"""Each person's notifications inbox, as the ``notifications`` projector keeps it, and its queries.

An inbox item is a group: one per (recipient, kind, target), such as "likes on video v", with how
many people are in it and the latest few of them, so a client can say "mira and 12 others liked
your video". Items are ordered by their latest activity's log position, newest first; the person's
read mark is a log position too, so "unread" never depends on clocks.

- ``notif_inbox``: the query table, by recipient, newest activity first.
- ``notif_groups``: each group's state (count, latest actors, where its inbox row sits), by
  recipient, with an ``applied_position`` guard: the projector's own, not for queries.
- ``notif_contributions``: whether an actor is counted in a recipient's group, one row per change,
  by the position of the event that made it (so the state before any event can be read back), and
  so a block, an unlike or an erasure takes exactly their part out again.
- ``notif_touched``: whom an actor's activity reached, so their erasure finds every group.
- ``notif_video_owner``, ``notif_comment_author``: the projector's lookups, written once.
- ``notif_blocks``: blocks and unblocks, one row per change by position, as contributions.
- ``notif_erased``: when a person was erased: nothing is recorded for them after it.
- ``notif_read``: the person's read mark.
- ``notif_settings``: the kinds a person muted, one row per change by position, newest first.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from read_models.live import ReadModel
from read_models.port import ReadStore
from read_models.tables import BOOL, DESC, INT, TEXT, TEXT_LIST, TIMESTAMP, Clustering, Row, Table, columns_of

VERSION = 1
MODEL = ReadModel("notifications", VERSION)
APPLIED = "applied_position"
#: How many of a group's latest actors an item names.
LATEST = 3
#: The unread count stops counting here; a client shows "99+".
UNREAD_CAP = 100


class Kind:
    LIKE = "like"  # on your video
    COMMENT = "comment"  # on your video
    REPLY = "reply"  # to your comment
    FOLLOW = "follow"  # of you
    MODERATION = "moderation"  # a decision about your account or content


NOTIF_INBOX = Table(
    "notif_inbox",
    columns=columns_of(
        recipient_id=TEXT,
        last_position=INT,
        group_id=TEXT,
        kind=TEXT,
        target_id=TEXT,
        count=INT,
        actors=TEXT_LIST,  # newest first, at most LATEST
        last_at=TIMESTAMP,
        detail=TEXT,  # moderation: the decision's event type
    ),
    partition_key=("recipient_id",),
    clustering=(Clustering("last_position", DESC), Clustering("group_id")),
)
NOTIF_GROUPS = Table(
    "notif_groups",
    columns=columns_of(
        recipient_id=TEXT,
        group_id=TEXT,
        kind=TEXT,
        target_id=TEXT,
        count=INT,
        actors=TEXT_LIST,
        last_at=TIMESTAMP,
        last_position=INT,
        detail=TEXT,
        **{APPLIED: INT},
    ),
    partition_key=("recipient_id",),
    clustering=(Clustering("group_id"),),
)
NOTIF_CONTRIBUTIONS = Table(
    "notif_contributions",
    columns=columns_of(recipient_id=TEXT, actor_id=TEXT, group_id=TEXT, position=INT, counted=BOOL),
    partition_key=("recipient_id", "actor_id"),
    clustering=(Clustering("group_id"), Clustering("position")),
)
NOTIF_TOUCHED = Table(
    "notif_touched",
    columns=columns_of(actor_id=TEXT, recipient_id=TEXT),
    partition_key=("actor_id",),
    clustering=(Clustering("recipient_id"),),
)
NOTIF_VIDEO_OWNER = Table(
    "notif_video_owner",
    columns=columns_of(video_id=TEXT, owner_id=TEXT),
    partition_key=("video_id",),
)
NOTIF_COMMENT_AUTHOR = Table(
    "notif_comment_author",
    columns=columns_of(comment_id=TEXT, author_id=TEXT),
    partition_key=("comment_id",),
)
NOTIF_BLOCKS = Table(
    "notif_blocks",
    columns=columns_of(blocker_id=TEXT, blocked_id=TEXT, position=INT, blocked=BOOL),
    partition_key=("blocker_id", "blocked_id"),
    clustering=(Clustering("position"),),
)
NOTIF_ERASED = Table(
    "notif_erased",
    columns=columns_of(user_id=TEXT, position=INT),
    partition_key=("user_id",),
)
NOTIF_READ = Table(
    "notif_read",
    columns=columns_of(user_id=TEXT, read_position=INT),
    partition_key=("user_id",),
)
NOTIF_SETTINGS = Table(
    "notif_settings",
    columns=columns_of(user_id=TEXT, position=INT, muted=TEXT_LIST),
    partition_key=("user_id",),
    clustering=(Clustering("position", DESC),),
)
TABLES = (
    NOTIF_INBOX,
    NOTIF_GROUPS,
    NOTIF_CONTRIBUTIONS,
    NOTIF_TOUCHED,
    NOTIF_VIDEO_OWNER,
    NOTIF_COMMENT_AUTHOR,
    NOTIF_BLOCKS,
    NOTIF_ERASED,
    NOTIF_READ,
    NOTIF_SETTINGS,
)


@dataclasses.dataclass(frozen=True, slots=True)
class Notification:
    kind: str
    target_id: str
    count: int
    actors: list[str]
    last_at: datetime
    detail: str | None
    unread: bool


@dataclasses.dataclass(frozen=True, slots=True)
class Inbox:
    items: list[Notification]
    next_cursor: str | None


def read_position(store: ReadStore, user_id: str) -> int:
    row = store.get(MODEL.table(store, NOTIF_READ), {"user_id": user_id})
    return int(row["read_position"] or 0) if row is not None else 0


def inbox(store: ReadStore, user_id: str, limit: int, cursor: str | None = None) -> Inbox:
    """The person's notifications, latest activity first; unread ones are after their read mark."""
    mark = read_position(store, user_id)
    page = store.page(MODEL.table(store, NOTIF_INBOX), {"recipient_id": user_id}, limit=limit, cursor=cursor)
    return Inbox([_item(row, mark) for row in page.rows], page.cursor)


def unread_count(store: ReadStore, user_id: str) -> int:
    """How many items had activity since the read mark, up to ``UNREAD_CAP``: newest first, so only
    the unread rows (and one more) are read."""
    mark = read_position(store, user_id)
    page = store.page(
        MODEL.table(store, NOTIF_INBOX),
        {"recipient_id": user_id},
        start=(mark + 1,),
        limit=UNREAD_CAP,
    )
    return sum(1 for row in page.rows if row["last_position"] > mark)


def muted_kinds(store: ReadStore, user_id: str) -> list[str]:
    """The kinds the person muted, as their latest settings say (none until they chose)."""
    page = store.page(MODEL.table(store, NOTIF_SETTINGS), {"user_id": user_id}, limit=1)
    return list(page.rows[0]["muted"] or []) if page.rows else []


def _item(row: Row, mark: int) -> Notification:
    return Notification(
        kind=row["kind"],
        target_id=row["target_id"],
        count=int(row["count"] or 0),
        actors=list(row["actors"] or []),
        last_at=row["last_at"],
        detail=row["detail"],
        unread=row["last_position"] > mark,
    )
