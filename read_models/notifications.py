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
- ``notif_touched``: whom an actor's activity reached, so their erasure finds every group;
  ``notif_reached``: the same the other way round, whose activity reached a person, so their
  erasure finds every row that names them.
- ``notif_video_owner``, ``notif_comment_author`` (by video: a reply answers a comment on its own
  video): the projector's lookups, written once; a comment's author with the position it was posted
  at, since a log may hold a reply before the comment it answers, and on a replay the comment is known.
- ``notif_blocks``: blocks and unblocks, one row per change by position, as contributions;
  ``notif_blocks_of``: whom each person has a block with, either way, so their erasure finds them.
- ``notif_erased``: when a person was erased: nothing is recorded for them after it.
- ``notif_read``: the person's read mark.
- ``notif_settings``: the kinds a person muted, one row per change by position, newest first.
- ``notif_handles``: who held a handle from which position (a handle released by an erasure may be
  claimed again), so ``@handle`` in a comment resolves as it did when the comment was posted;
  ``notif_handle_of``: each person's, so their erasure removes it.
- ``notif_video_public``: whether a video was public, one row per change by position: mentions are
  told only on videos anyone may watch.
- ``notif_changes``: whose inbox (items or read mark) changed at which position, in partitions of
  ``2**CHANGE_BUCKET_BITS`` positions, kept ``CHANGE_TTL_S``: what the API's notification streams
  watch (``changes``), one read per process for everyone connected to it, never one per person.

Partitions of the projector (``projections.partition``): a group is its video's (likes, comments,
replies and mentions on it) or its recipient's (followers, decisions), and one partition writes all
of it. The rows a partition reads back by person rather than by group (``notif_groups``,
``notif_contributions``, ``notif_touched``, ``notif_reached``) carry its ``shard`` in their key, so
each reads only its own; the facts every partition needs of people (blocks, erasures, muted kinds,
handles) are applied by every partition into its own copy, under its ``shard``. A person's inbox and
unread count read ``notif_inbox``, whose rows each group's partition writes: nothing to combine.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from read_models import projection_state
from read_models.erasure_marks import erasure_marks
from read_models.live import ReadModel
from read_models.port import ReadStore
from read_models.tables import BOOL, DESC, INT, TEXT, TEXT_LIST, TIMESTAMP, Clustering, Row, Table, columns_of

#: 2: mentions, and the change markers streams watch; 3: rows by partition (``shard``); 4: a comment's
#: author with the position it was posted at, so a reply reads the same however often it comes; 5: an
#: erasure takes the person's blocks (``notif_blocks_of``); 6: nothing on a video or comment reaches
#: someone with a block with its owner or author.
VERSION = 6
MODEL = ReadModel("notifications", VERSION)
APPLIED = "applied_position"
#: How many of a group's latest actors an item names.
LATEST = 3
#: The unread count stops counting here; a client shows "99+".
UNREAD_CAP = 100
#: A change marker partition spans this many bits of log positions: 65,536 positions, which is as
#: many events on the SQLite log and a few hundred on KurrentDB's (its positions count bytes).
CHANGE_BUCKET_BITS = 16
#: Change markers are read within a second or so of being written; an hour is ample.
CHANGE_TTL_S = 3600


class Kind:
    LIKE = "like"  # on your video
    COMMENT = "comment"  # on your video
    REPLY = "reply"  # to your comment
    FOLLOW = "follow"  # of you
    MODERATION = "moderation"  # a decision about your account or content
    MENTION = "mention"  # "@you" in a comment or caption on a public video, grouped per video


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
        shard=TEXT,
        **{APPLIED: INT},
    ),
    partition_key=("recipient_id", "shard"),
    clustering=(Clustering("group_id"),),
)
NOTIF_CONTRIBUTIONS = Table(
    "notif_contributions",
    columns=columns_of(
        recipient_id=TEXT, actor_id=TEXT, shard=TEXT, group_id=TEXT, position=INT, counted=BOOL
    ),
    partition_key=("recipient_id", "actor_id", "shard"),
    clustering=(Clustering("group_id"), Clustering("position")),
)
NOTIF_TOUCHED = Table(
    "notif_touched",
    columns=columns_of(actor_id=TEXT, shard=TEXT, recipient_id=TEXT),
    partition_key=("actor_id", "shard"),
    clustering=(Clustering("recipient_id"),),
)
NOTIF_REACHED = Table(
    "notif_reached",
    columns=columns_of(recipient_id=TEXT, shard=TEXT, actor_id=TEXT),
    partition_key=("recipient_id", "shard"),
    clustering=(Clustering("actor_id"),),
)
NOTIF_VIDEO_OWNER = Table(
    "notif_video_owner",
    columns=columns_of(video_id=TEXT, owner_id=TEXT),
    partition_key=("video_id",),
)
NOTIF_COMMENT_AUTHOR = Table(
    "notif_comment_author",
    columns=columns_of(video_id=TEXT, comment_id=TEXT, author_id=TEXT, position=INT),
    partition_key=("video_id", "comment_id"),
)
NOTIF_BLOCKS = Table(
    "notif_blocks",
    columns=columns_of(blocker_id=TEXT, blocked_id=TEXT, shard=TEXT, position=INT, blocked=BOOL),
    partition_key=("blocker_id", "blocked_id", "shard"),
    clustering=(Clustering("position"),),
)
NOTIF_BLOCKS_OF = Table(
    "notif_blocks_of",
    columns=columns_of(user_id=TEXT, shard=TEXT, other_id=TEXT),
    partition_key=("user_id", "shard"),
    clustering=(Clustering("other_id"),),
)
NOTIF_ERASED = erasure_marks("notif_erased")
NOTIF_READ = Table(
    "notif_read",
    columns=columns_of(user_id=TEXT, read_position=INT),
    partition_key=("user_id",),
)
NOTIF_SETTINGS = Table(
    "notif_settings",
    columns=columns_of(user_id=TEXT, position=INT, shard=TEXT, muted=TEXT_LIST),
    partition_key=("user_id",),
    clustering=(Clustering("position", DESC), Clustering("shard")),
)
NOTIF_HANDLES = Table(
    "notif_handles",
    columns=columns_of(handle=TEXT, shard=TEXT, position=INT, user_id=TEXT),  # handle as handle_key spells it
    partition_key=("handle", "shard"),
    clustering=(Clustering("position"),),
)
NOTIF_HANDLE_OF = Table(
    "notif_handle_of",
    columns=columns_of(user_id=TEXT, shard=TEXT, handle=TEXT, position=INT),
    partition_key=("user_id",),
    clustering=(Clustering("shard"),),
)
NOTIF_VIDEO_PUBLIC = Table(
    "notif_video_public",
    columns=columns_of(video_id=TEXT, position=INT, public=BOOL),
    partition_key=("video_id",),
    clustering=(Clustering("position"),),
)
NOTIF_CHANGES = Table(
    "notif_changes",
    columns=columns_of(bucket=INT, position=INT, recipient_id=TEXT, shard=TEXT),
    partition_key=("bucket",),
    clustering=(Clustering("position"), Clustering("recipient_id"), Clustering("shard")),
    default_ttl=CHANGE_TTL_S,
)
TABLES = (
    NOTIF_INBOX,
    NOTIF_GROUPS,
    NOTIF_CONTRIBUTIONS,
    NOTIF_TOUCHED,
    NOTIF_REACHED,
    NOTIF_VIDEO_OWNER,
    NOTIF_COMMENT_AUTHOR,
    NOTIF_BLOCKS,
    NOTIF_BLOCKS_OF,
    NOTIF_ERASED,
    NOTIF_READ,
    NOTIF_SETTINGS,
    NOTIF_HANDLES,
    NOTIF_HANDLE_OF,
    NOTIF_VIDEO_PUBLIC,
    NOTIF_CHANGES,
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


@dataclasses.dataclass(frozen=True, slots=True)
class Changes:
    """Whose inbox changed after a position, up to ``upto`` (the projector's checkpoint when read).
    ``recipients`` is ``None`` when more changed than is worth listing: take everyone as changed."""

    upto: int
    recipients: frozenset[str] | None


#: Past this many change markers, or partitions of them, in one read, ``changes`` stops listing.
MOST_CHANGES = 10_000
MOST_CHANGE_BUCKETS = 64


def change_bucket(position: int) -> int:
    return position >> CHANGE_BUCKET_BITS


def checkpoint(store: ReadStore) -> int:
    """How far the live build has applied the log: every change marker up to it is readable."""
    return projection_state.checkpoint_of(store, MODEL.projector, MODEL.build(store).label)


def changes(store: ReadStore, after: int) -> Changes:
    """Whose inbox changed in ``(after, checkpoint]``: a read of the checkpoint, then of the markers
    between (usually one partition, one page). Markers below the checkpoint are all written (on
    SQLite they commit with it; on Cassandra they land before it), so none is missed."""
    upto = checkpoint(store)
    if upto <= after:
        return Changes(upto, frozenset())
    first, last = change_bucket(after + 1), change_bucket(upto)
    if last - first >= MOST_CHANGE_BUCKETS:
        return Changes(upto, None)
    table, read = MODEL.table(store, NOTIF_CHANGES), 0
    found: set[str] = set()
    for bucket in range(first, last + 1):
        cursor: str | None = None
        while True:
            page = store.page(
                table, {"bucket": bucket}, start=(after + 1,), end=(upto + 1,), limit=1000, cursor=cursor
            )
            found.update(row["recipient_id"] for row in page.rows)
            read += len(page.rows)
            if read > MOST_CHANGES:
                return Changes(upto, None)
            cursor = page.cursor
            if cursor is None:
                break
    return Changes(upto, frozenset(found))


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
