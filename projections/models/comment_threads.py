"""Comment threads: top level newest / most liked first per video, replies oldest first per parent.

``comment_rows`` holds each comment's current state with an ``applied_position``: an event at or
below it has already been applied to that comment and is skipped, so like and reply counts never
count twice on replay. The listing rows are rendered from that state and written before it, each
stamped with the event's position, so an event cut short by a crash is simply applied again.

A like changes a clustering column of ``comments_by_likes``: the old row is deleted and the new one
written. A deleted comment stays listed (as deleted, without text) while it has live replies.
A comment a moderator removed is listed as a deleted one until restored; a removed reply still
counts in its parent's reply count, since it exists and may come back.
An erased author's comments read as deleted ones do, with ``erased`` set and neither text nor author:
a top-level one stays listed while it has replies (theirs stay under it, as they were), a reply
leaves its thread and its parent's count. Comments projected before the erasure change when
``ErasureRequested`` arrives (``comments_by_author`` finds them, and forgets them); one whose text no
longer decodes (a replay after the erasure) is stored that way when posted, so both end alike.

``CommentLiked``/``CommentUnliked`` name no video, so their entity is the comment id, and an erasure's
is the user: run this projector unpartitioned (``0/1``), or a like or an erasure may reach its owner
before the comment does.
A like of a comment this projector has not seen is ignored.

A comment screening held (``CommentHeld``) gets its state row, marked ``held``, and a listing row in
its author's own ``held_comments`` or ``held_replies`` only: it counts in no parent's replies and is
in no public listing. A moderator's release is a ``CommentPosted`` of the same comment: its held
row goes, and it is listed as a comment posted at that moment. An erasure takes held ones too.
"""

from __future__ import annotations

from typing import Any

from domain.accounts.events import ErasureRequested
from domain.engagement.comment_likes import CommentLiked, CommentUnliked
from domain.engagement.comments import (
    CommentDeleted,
    CommentEdited,
    CommentHeld,
    CommentPosted,
    CommentRemoved,
    CommentRestored,
)
from domain.videos.events import CommentPinned, CommentUnpinned
from eventstore.codec import Decoded
from projections import erasure_marks
from projections.partition import EVERY, Entities, one_copy
from projections.projector import Projector
from projections.writer import Writer
from read_models.comment_threads import APPLIED, COMMENT_ERASED, TABLES, VERSION, rendered, visible
from read_models.tables import Row

MARKS = COMMENT_ERASED.name
HANDLES = (
    CommentPosted,
    CommentHeld,
    CommentEdited,
    CommentDeleted,
    CommentRemoved,
    CommentRestored,
    CommentLiked,
    CommentUnliked,
    CommentPinned,
    CommentUnpinned,
    ErasureRequested,
)


def project(decoded: Decoded, writer: Writer) -> None:
    match decoded.event:
        case CommentPosted() | CommentHeld():
            _posted(decoded, decoded.event, writer)
        case CommentEdited(comment_id=comment_id, text=text):
            _change(writer, comment_id, text=text, erased="text" in decoded.erased, edited=True)
        case CommentDeleted(comment_id=comment_id, parent_id=parent_id):
            deleted_before = _deleted_by_this_event(writer, comment_id)
            deleted = _change(writer, comment_id, deleted=True, text=None, deleted_position=writer.position)
            if (deleted or deleted_before) and parent_id:
                _count_reply(writer, parent_id, -1)
        case CommentRemoved(comment_id=comment_id) | CommentRestored(comment_id=comment_id):
            _change(writer, comment_id, removed=isinstance(decoded.event, CommentRemoved))
        case CommentLiked(comment_id=comment_id):
            _count_like(writer, comment_id, +1)
        case CommentUnliked(comment_id=comment_id):
            _count_like(writer, comment_id, -1)
        case CommentPinned(video_id=video_id, comment_id=comment_id):
            _pin(writer, video_id, comment_id, pinned=True)
        case CommentUnpinned(video_id=video_id, comment_id=comment_id):
            _pin(writer, video_id, comment_id, pinned=False)
        case ErasureRequested(user_id=user_id):
            erasure_marks.mark(writer, MARKS, user_id)
            _erase_author(writer, user_id)


def entity(decoded: Decoded) -> Entities:
    """The video; comment likes name none, and an erasure touches many: every partition for those."""
    if isinstance(decoded.event, CommentLiked | CommentUnliked | ErasureRequested):
        return EVERY
    return str(decoded.event.to_data()["video_id"])


# -- state rows ------------------------------------------------------------------------------------


def _state(writer: Writer, comment_id: str) -> Row | None:
    """The comment's state row, if this partition owns it (its video); ``None`` if not or unknown."""
    row = writer.get("comment_rows", {"comment_id": comment_id})
    return row if row is not None and writer.owns(row["video_id"]) else None


def _fresh(writer: Writer, comment_id: str) -> Row | None:
    """The comment's state if this event is not yet applied to it; ``None`` if applied or unknown."""
    row = _state(writer, comment_id)
    if row is None or (row.get(APPLIED) or -1) >= writer.position:
        return None
    return row


def _applied(writer: Writer, comment_id: str) -> bool:
    """Whether this event already reached the comment's state. A reply's event also moves its
    parent's count, a row of its own whose guard may not have landed with the reply's (Cassandra
    writes a wave's rows concurrently): so the parent is counted by its guard, not the reply's."""
    row = _state(writer, comment_id)
    return row is not None and (row.get(APPLIED) or -1) >= writer.position


def _deleted_by_this_event(writer: Writer, comment_id: str) -> bool:
    """Whether this very event deleted the comment before a crash cut its batch short: then the
    parent's count may still need it. A repeated delete, which deleted nothing, never does."""
    row = _state(writer, comment_id)
    return _applied(writer, comment_id) and row is not None and row.get("deleted_position") == writer.position


def _save(writer: Writer, old: Row | None, new: dict[str, Any]) -> None:
    """Listing rows first, the state (with its applied position) last."""
    _place(writer, old, new)
    writer.upsert("comment_rows", {**new, APPLIED: writer.position})


def _place(writer: Writer, old: Row | None, new: Row) -> None:
    row = rendered(new)
    if new.get("held"):
        _place_held(writer, old, new, row)
        return
    if new.get("parent_id"):
        if new.get("deleted") or new.get("removed"):
            writer.delete("comment_replies", _key(new, "parent_id", "posted_at", "comment_id"))
        else:
            writer.upsert("comment_replies", row)
        return
    shown = visible(new)
    if shown:
        writer.upsert("comments_newest", row)
    else:
        writer.delete("comments_newest", _key(new, "video_id", "posted_at", "comment_id"))
    if old is not None and visible(old) and (old.get("likes") != new.get("likes") or not shown):
        writer.delete("comments_by_likes", _key(old, "video_id", "likes", "comment_id"))
    if shown:
        writer.upsert("comments_by_likes", row)


def _place_held(writer: Writer, old: Row | None, new: Row, row: dict[str, Any]) -> None:
    """A held comment is listed to its author alone, until released or erased (which empties the
    author: the listing's key is the old row's; once erased, it has none)."""
    if not new.get("deleted"):
        writer.upsert(_held_listing(new)[0], row)
    elif old is not None and old.get("author_id"):
        writer.delete(*_held_listing(old))


def _held_listing(row: Row) -> tuple[str, dict[str, Any]]:
    if row.get("parent_id"):
        return "held_replies", _key(row, "parent_id", "author_id", "posted_at", "comment_id")
    return "held_comments", _key(row, "video_id", "author_id", "posted_at", "comment_id")


def _key(row: Row, *names: str) -> dict[str, Any]:
    return {name: row.get(name) for name in names}


# -- events ----------------------------------------------------------------------------------------


def _posted(decoded: Decoded, event: CommentPosted | CommentHeld, writer: Writer) -> None:
    # A comment that reached the log after its author's erasure (in the moment before their key
    # went, so its text still reads) is stored as one read after the key went is: erased.
    erased = "text" in decoded.erased or erasure_marks.erased(writer, MARKS, event.author_id)
    held = isinstance(event, CommentHeld)
    if _applied(writer, event.comment_id):
        # the reply landed before a crash; its parent's count may not have (a held one counts not)
        if event.parent_id and not erased and not held:
            _count_reply(writer, event.parent_id, +1)
        return
    _release(writer, event.comment_id)
    new = {
        "comment_id": event.comment_id,
        "video_id": event.video_id,
        "parent_id": event.parent_id,
        "reply_to_id": event.reply_to_id,
        "author_id": event.author_id,
        "text": event.text,
        "erased": erased,
        "edited": False,
        "posted_at": decoded.occurred_at,
        "likes": 0,
        "reply_count": 0,
        "deleted": False,
        "pinned": False,
        "held": held,
    }
    if erased:  # the author is erased: the comment reads as the erasure left their others
        new.update(ERASED, deleted_position=writer.position)
    else:
        if event.parent_id and not held:
            _count_reply(writer, event.parent_id, +1)
        by_author = {"author_id": event.author_id, "comment_id": event.comment_id, "video_id": event.video_id}
        writer.upsert("comments_by_author", by_author)
    _save(writer, None, new)


def _release(writer: Writer, comment_id: str) -> None:
    """A comment posted after it was held (a moderator released it) leaves its author's held list,
    unless an erasure took it off already (it names no author then)."""
    old = _state(writer, comment_id)
    if old is not None and old.get("held") and old.get("author_id"):
        writer.delete(*_held_listing(old))


#: What an erasure leaves of a comment: a deleted one, by nobody.
ERASED = {"author_id": None, "text": None, "erased": True, "deleted": True}


def _erase_author(writer: Writer, author_id: str) -> None:
    """Every comment the author wrote reads as deleted, by nobody (see the module docstring).

    One event may take several replies from one parent, and the parent may be the author's too:
    each row is written once, with its count lowered by all of them (a row's guard lets one write
    of this event through). A partition empties the comments under the videos it owns."""
    comments = [
        row["comment_id"]
        for row in writer.rows("comments_by_author", {"author_id": author_id})
        if writer.owns(row["video_id"])
    ]
    taken: dict[str, int] = {}  # parent -> its replies this erasure deletes
    for comment_id in comments:
        row = _state(writer, comment_id)
        newly = row is not None and _fresh(writer, comment_id) is not None and not row.get("deleted")
        if row is None or not row.get("parent_id") or row.get("held"):  # a held reply counts nowhere
            continue
        if newly or _deleted_by_this_event(writer, comment_id):
            taken[row["parent_id"]] = taken.get(row["parent_id"], 0) + 1
    for comment_id in comments:
        old = _fresh(writer, comment_id)
        if old is not None:
            new = {**old, **ERASED}
            if not old.get("deleted"):
                new["deleted_position"] = writer.position
            if comment_id in taken:
                new["reply_count"] = max(0, (old.get("reply_count") or 0) - taken.pop(comment_id))
            _save(writer, old, new)
        writer.delete("comments_by_author", {"author_id": author_id, "comment_id": comment_id})
    for parent_id, count in taken.items():
        _count_reply(writer, parent_id, -count)


def _change(writer: Writer, comment_id: str, **changes: Any) -> bool:
    """Applies ``changes`` to the comment once; says whether it did (False: applied or unknown)."""
    old = _fresh(writer, comment_id)
    if old is None or old.get("deleted"):
        return False
    _save(writer, old, {**old, **changes})
    return True


def _count_reply(writer: Writer, parent_id: str, delta: int) -> None:
    old = _fresh(writer, parent_id)
    if old is not None:
        _save(writer, old, {**old, "reply_count": max(0, (old.get("reply_count") or 0) + delta)})


def _count_like(writer: Writer, comment_id: str, delta: int) -> None:
    old = _fresh(writer, comment_id)
    if old is not None:
        _save(writer, old, {**old, "likes": max(0, (old.get("likes") or 0) + delta)})


def _pin(writer: Writer, video_id: str, comment_id: str, *, pinned: bool) -> None:
    pin = writer.get("comment_pins", {"video_id": video_id}) or {}
    if (pin.get(APPLIED) or -1) < writer.position and (pinned or pin.get("comment_id") == comment_id):
        writer.upsert(
            "comment_pins",
            {"video_id": video_id, "comment_id": comment_id if pinned else None, APPLIED: writer.position},
        )
    old = _fresh(writer, comment_id)
    if old is not None:
        _save(writer, old, {**old, "pinned": pinned})


PROJECTOR = Projector(
    name="comment_threads",
    version=VERSION,
    tables=TABLES,
    handles=tuple(cls.event_type for cls in HANDLES),
    project=project,
    entity=entity,
    last=("comment_rows",),
    combine=((MARKS, one_copy),),
)
