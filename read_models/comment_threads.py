"""Comment threads of a video, as the ``comment_threads`` projector keeps them, and their queries.

One table per access pattern (DESIGN §5): top-level comments by ``video_id`` newest first
(``comments_newest``) and most liked first (``comments_by_likes``), replies by ``parent_id`` oldest
first (``comment_replies``). A clustering column cannot change in place, so a like count change
deletes the comment's old ``comments_by_likes`` row and writes the new one. Every listing row carries
the whole rendered comment (no joins at read time); ``comment_rows`` is the projector's own state per
comment (the source each listing row is rendered from), and ``comment_pins`` names a video's pinned
comment, which the first page of either order puts first.

A comment screening held (``CommentHeld``) is in no public listing: ``held_comments`` (top level, by
video and author) and ``held_replies`` (by parent and author) list it for its author alone, whose
first page of the thread shows it, marked held, until a moderator releases it (then it is listed
as any comment posted at that moment) or the author is erased.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any, Literal

from read_models.erasure_marks import erasure_marks
from read_models.live import ReadModel
from read_models.port import ReadStore
from read_models.tables import (
    ASC,
    BOOL,
    DESC,
    INT,
    TEXT,
    TIMESTAMP,
    Clustering,
    Row,
    Table,
    columns_of,
)

#: Bumping it makes the projector fill fresh tables (``comments_newest_v2`` …) from the start of the log.
#: 2: comments_by_author, so an erasure finds its author's text to remove. 3: the position of the
#: delete that took effect, so a replayed repeat delete never uncounts a reply twice. 4: comments a
#: moderator removed (``removed``) leave the threads as deleted ones do, until restored. 5: held
#: comments (``held``), listed to their authors only (``held_comments``, ``held_replies``).
#: 6: ``comments_by_author`` names each comment's video, so each partition erases its own.
#: 7: a comment that reached the log after its author's erasure reads as erased (``comment_erased``).
VERSION = 7
MODEL = ReadModel("comment_threads", VERSION)
APPLIED = "applied_position"

#: What every listing row carries about its comment.
RENDERED = columns_of(
    comment_id=TEXT,
    video_id=TEXT,
    parent_id=TEXT,
    reply_to_id=TEXT,
    author_id=TEXT,
    text=TEXT,
    erased=BOOL,
    edited=BOOL,
    posted_at=TIMESTAMP,
    likes=INT,
    reply_count=INT,
    deleted=BOOL,
    held=BOOL,
)

COMMENT_ROWS = Table(
    "comment_rows",
    columns=(*RENDERED, *columns_of(pinned=BOOL, deleted_position=INT, removed=BOOL, **{APPLIED: INT})),
    partition_key=("comment_id",),
)
COMMENTS_NEWEST = Table(
    "comments_newest",
    columns=RENDERED,
    partition_key=("video_id",),
    clustering=(Clustering("posted_at", DESC), Clustering("comment_id", DESC)),
)
COMMENTS_BY_LIKES = Table(
    "comments_by_likes",
    columns=RENDERED,
    partition_key=("video_id",),
    clustering=(Clustering("likes", DESC), Clustering("comment_id", ASC)),
)
COMMENT_REPLIES = Table(
    "comment_replies",
    columns=RENDERED,
    partition_key=("parent_id",),
    clustering=(Clustering("posted_at", ASC), Clustering("comment_id", ASC)),
)
#: A held comment's only listings: its author's, on its video (top level) or under its parent.
HELD_COMMENTS = Table(
    "held_comments",
    columns=RENDERED,
    partition_key=("video_id", "author_id"),
    clustering=(Clustering("posted_at", DESC), Clustering("comment_id", DESC)),
)
HELD_REPLIES = Table(
    "held_replies",
    columns=RENDERED,
    partition_key=("parent_id", "author_id"),
    clustering=(Clustering("posted_at", ASC), Clustering("comment_id", ASC)),
)
COMMENT_PINS = Table(
    "comment_pins",
    columns=columns_of(video_id=TEXT, comment_id=TEXT, **{APPLIED: INT}),
    partition_key=("video_id",),
)

#: The projector's own lookup: whose comments an erasure must empty, and under which videos (the
#: partition owning a video empties its comments). Not for queries.
COMMENTS_BY_AUTHOR = Table(
    "comments_by_author",
    columns=columns_of(author_id=TEXT, comment_id=TEXT, video_id=TEXT),
    partition_key=("author_id",),
    clustering=(Clustering("comment_id", ASC),),
)

COMMENT_ERASED = erasure_marks("comment_erased")

TABLES = (
    COMMENT_ROWS,
    COMMENTS_NEWEST,
    COMMENTS_BY_LIKES,
    COMMENT_REPLIES,
    HELD_COMMENTS,
    HELD_REPLIES,
    COMMENT_PINS,
    COMMENTS_BY_AUTHOR,
    COMMENT_ERASED,
)
RENDERED_NAMES = tuple(c.name for c in RENDERED)

Order = Literal["newest", "top"]


@dataclasses.dataclass(frozen=True, slots=True)
class CommentView:
    comment_id: str
    video_id: str
    parent_id: str | None
    reply_to_id: str | None
    #: ``None`` once the author was erased: the comment then reads as deleted, by nobody.
    author_id: str | None
    #: ``None`` when the comment is deleted or its author's key was erased (then ``erased`` is true).
    text: str | None
    erased: bool
    edited: bool
    posted_at: datetime
    likes: int
    reply_count: int
    deleted: bool
    pinned: bool = False
    #: Held by screening for a moderator: listed to its author alone, until released.
    held: bool = False


@dataclasses.dataclass(frozen=True, slots=True)
class CommentPage:
    items: list[CommentView]
    next_cursor: str | None


def visible(row: Row) -> bool:
    """A deleted comment stays listed (as deleted) while it has replies; without any it disappears.
    One a moderator removed reads as deleted to everyone until restored."""
    return not (row.get("deleted") or row.get("removed")) or bool(row.get("reply_count"))


def view(row: Row, *, pinned: bool = False) -> CommentView:
    deleted = bool(row.get("deleted") or row.get("removed"))
    return CommentView(
        comment_id=row["comment_id"],
        video_id=row["video_id"],
        parent_id=row.get("parent_id"),
        reply_to_id=row.get("reply_to_id"),
        author_id=row.get("author_id"),
        text=None if deleted else row.get("text"),
        erased=bool(row.get("erased")),
        edited=bool(row.get("edited")),
        posted_at=row["posted_at"],
        likes=row.get("likes") or 0,
        reply_count=row.get("reply_count") or 0,
        deleted=deleted,
        pinned=pinned,
        held=bool(row.get("held")),
    )


def pinned_comment(store: ReadStore, video_id: str) -> Row | None:
    """The video's pinned top-level comment, if one is pinned and still listed."""
    pin = store.get(MODEL.table(store, COMMENT_PINS), {"video_id": video_id})
    if pin is None or not pin.get("comment_id"):
        return None
    row = store.get(MODEL.table(store, COMMENT_ROWS), {"comment_id": pin["comment_id"]})
    if row is None or row.get("video_id") != video_id or row.get("parent_id") or not visible(row):
        return None
    return row


def held_by(
    store: ReadStore, viewer_id: str | None, table: Table, key: dict[str, Any], limit: int
) -> list[CommentView]:
    """The viewer's own held comments in one thread: for its author, and nobody else, to see."""
    if viewer_id is None:
        return []
    page = store.page(MODEL.table(store, table), {**key, "author_id": viewer_id}, limit=limit)
    return [view(row) for row in page.rows]


def top_level(
    store: ReadStore,
    video_id: str,
    *,
    order: Order = "newest",
    limit: int = 20,
    cursor: str | None = None,
    viewer_id: str | None = None,
) -> CommentPage:
    """Top-level comments, newest or most liked first; the pinned one leads the first page, and the
    viewer's own held comments (newest first, ``limit`` at most) follow it there.

    The pinned comment is left out where it falls in the order, so a page may hold one item fewer.
    """
    table = COMMENTS_NEWEST if order == "newest" else COMMENTS_BY_LIKES
    pinned = pinned_comment(store, video_id)
    pinned_id = pinned["comment_id"] if pinned else None
    page = store.page(MODEL.table(store, table), {"video_id": video_id}, limit=limit, cursor=cursor)
    items = [view(row) for row in page.rows if row["comment_id"] != pinned_id]
    if cursor is None:
        items[:0] = held_by(store, viewer_id, HELD_COMMENTS, {"video_id": video_id}, limit)
        if pinned is not None:
            items.insert(0, view(pinned, pinned=True))
    return CommentPage(items=items, next_cursor=page.cursor)


def video_of(store: ReadStore, comment_id: str) -> str | None:
    """The video a comment was posted under; ``None`` for a comment never seen, or one held (not
    posted: nobody reads under it)."""
    row = store.get(MODEL.table(store, COMMENT_ROWS), {"comment_id": comment_id})
    return None if row is None or row.get("held") else row.get("video_id")


def replies(
    store: ReadStore,
    parent_id: str,
    *,
    limit: int = 20,
    cursor: str | None = None,
    viewer_id: str | None = None,
) -> CommentPage:
    """Replies under a top-level comment, oldest first; the viewer's own held replies (oldest
    first, ``limit`` at most) close the last page."""
    table = MODEL.table(store, COMMENT_REPLIES)
    page = store.page(table, {"parent_id": parent_id}, limit=limit, cursor=cursor)
    items = [view(row) for row in page.rows]
    if page.cursor is None:
        items += held_by(store, viewer_id, HELD_REPLIES, {"parent_id": parent_id}, limit)
    return CommentPage(items=items, next_cursor=page.cursor)


def rendered(row: Row) -> dict[str, Any]:
    """The listing columns of a ``comment_rows`` row; a removed comment is listed as a deleted one."""
    listed = {name: row.get(name) for name in RENDERED_NAMES}
    return {**listed, "deleted": True, "text": None} if row.get("removed") else listed
