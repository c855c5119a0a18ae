"""The groups of the notifications inboxes (``projections/models/notifications.py``): counting a
person in a group once, taking their part out again, and where the inbox row sits, all judged on the
state *before* the event being applied (see that module's docstring for why), and the change marker
every change leaves for the notification streams.

A partition of the projector reads and writes only its own rows: the groups it owns, who is counted
in them, whom its groups reached, and its own copy of blocks, erasures and muted kinds, each under
its ``shard`` (``read_models/notifications.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from projections import erasure_marks
from projections.writer import Writer
from read_models.notifications import APPLIED, LATEST, NOTIF_GROUPS, change_bucket
from read_models.tables import Row

# -- the state before the event ----------------------------------------------------------------------


def blocked_between(writer: Writer, person: str, others: Iterable[str]) -> bool:
    """Whether the person and any of the others blocked one another, either way, before this event
    (every pair, both ways, read together)."""
    pairs = [blocks(writer, *pair) for other in others for pair in ((person, other), (other, person))]
    found = writer.rows_of_many("notif_blocks", pairs)
    return any(latest(rows, writer.position, "blocked") for rows in found)


def blocks(writer: Writer, blocker: str, blocked: str) -> dict[str, str]:
    """This partition's copy of the blocks between two people, one way."""
    return {"blocker_id": blocker, "blocked_id": blocked, "shard": writer.shard}


def erased(writer: Writer, user_id: str) -> bool:
    return erasure_marks.erased(writer, "notif_erased", user_id)


def latest(rows: list[Row], position: int, flag: str) -> bool:
    """The flag as the last change before ``position`` left it."""
    before = last_before(rows, position)
    return bool(before[flag]) if before is not None else False


def last_before(rows: list[Row], position: int) -> Row | None:
    return max((row for row in rows if row["position"] < position), key=lambda r: r["position"], default=None)


def muted(writer: Writer, user_id: str, kind: str) -> bool:
    """Whether the person had muted this kind before this event (in this partition's copy)."""
    copy = [
        row for row in writer.rows("notif_settings", {"user_id": user_id}) if row["shard"] == writer.shard
    ]
    settings = last_before(copy, writer.position)
    return settings is not None and kind in (settings["muted"] or [])


# -- groups ------------------------------------------------------------------------------------------


def add(
    writer: Writer,
    recipient: str | None,
    kind: str,
    target: str,
    actor: str | None,
    at: datetime,
    *,
    about: tuple[str | None, ...] = (),
    detail: str | None = None,
) -> None:
    """Counts ``actor`` in the recipient's group (once, however often they act) and moves it up.
    ``actor`` is ``None`` for moderators' decisions, which name nobody. ``about``: the people whose
    things it happened on (the video's owner, the author of the comment answered): a block, either
    way, between any of them and the recipient withholds it as one with the actor does, since the
    block keeps those things from the recipient."""
    if recipient is None or recipient == actor or erased(writer, recipient):
        return
    if actor is not None and erased(writer, actor):
        return  # an act that raced its actor's erasure: nothing of theirs is recorded after it
    involved = sorted({other for other in (actor, *about) if other is not None and other != recipient})
    if blocked_between(writer, recipient, involved) or (actor is not None and muted(writer, recipient, kind)):
        return
    group_id = f"{kind}:{target}"
    counted = actor is not None and _counted(writer, recipient, actor, group_id)
    if actor is not None and not counted:
        _change(writer, recipient, actor, group_id, counted=True)
    before = _group(writer, recipient, group_id)
    if before is None:
        return  # this event has updated the group already
    count, actors = int(before["count"] or 0), list(before["actors"] or [])
    if actor is None:
        count = 1
    else:
        count += 0 if counted else 1
        actors = [actor, *(a for a in actors if a != actor)][:LATEST]
    after = {**before, "kind": kind, "target_id": target, "count": count, "actors": actors}
    after.update(last_at=at, last_position=writer.position, detail=detail)
    _save(writer, before, after)


def take_out(
    writer: Writer, recipient: str | None, group_id: str, actor: str, *, drop_empty: bool = False
) -> None:
    """Takes the actor's part out of the group, if they were counted in it before this event;
    ``drop_empty``: a group nobody is left in goes, row and all (an erasure's)."""
    if recipient is None or erased(writer, recipient) or not _counted(writer, recipient, actor, group_id):
        return
    _change(writer, recipient, actor, group_id, counted=False)
    before = _group(writer, recipient, group_id)
    if before is None:
        return
    after = {
        **before,
        "count": max(0, int(before["count"] or 0) - 1),
        "actors": [a for a in before["actors"] or [] if a != actor],
    }
    _save(writer, before, after, drop_empty=drop_empty)


def take_all_out(writer: Writer, recipient: str, actor: str, *, drop_empty: bool = False) -> None:
    """From every group of this partition the actor is counted in."""
    rows = writer.rows("notif_contributions", _pair(writer, recipient, actor))
    for group_id in dict.fromkeys(row["group_id"] for row in rows):
        take_out(writer, recipient, group_id, actor, drop_empty=drop_empty)


def forget(writer: Writer, user_id: str) -> None:
    """An erasure: the person's part leaves every group they were in (a group left empty goes),
    then every row that says whom they reached, or who reached them, goes too. So nothing of them
    is left, whatever of their sealed words and handle a rebuild could no longer read (mentions):
    live and rebuilt inboxes keep the same rows."""
    for touched in writer.rows("notif_touched", {"actor_id": user_id, "shard": writer.shard}):
        take_all_out(writer, touched["recipient_id"], user_id, drop_empty=True)
        _unlink(writer, touched["recipient_id"], user_id)
    for reached in writer.rows("notif_reached", {"recipient_id": user_id, "shard": writer.shard}):
        _unlink(writer, user_id, reached["actor_id"])


def _unlink(writer: Writer, recipient: str, actor: str) -> None:
    pair = _pair(writer, recipient, actor)
    for row in writer.rows("notif_contributions", pair):
        writer.delete(
            "notif_contributions", {**pair, "group_id": row["group_id"], "position": row["position"]}
        )
    writer.delete("notif_touched", pair)
    writer.delete("notif_reached", pair)


def _pair(writer: Writer, recipient: str, actor: str) -> dict[str, str]:
    """The key of what this partition keeps of an actor's part in a recipient's groups."""
    return {"recipient_id": recipient, "actor_id": actor, "shard": writer.shard}


def _counted(writer: Writer, recipient: str, actor: str, group_id: str) -> bool:
    rows = writer.rows("notif_contributions", _pair(writer, recipient, actor))
    return latest([row for row in rows if row["group_id"] == group_id], writer.position, "counted")


def _change(writer: Writer, recipient: str, actor: str, group_id: str, *, counted: bool) -> None:
    """Written whether or not the group row says this event is applied, so a replay writes it again:
    these rows land after the groups' (``Projector.last``), so that an erasure's deletions of them
    never land while the group updates before them did not."""
    pair = _pair(writer, recipient, actor)
    writer.upsert(
        "notif_contributions", {**pair, "group_id": group_id, "position": writer.position, "counted": counted}
    )
    writer.upsert("notif_touched", pair)
    writer.upsert("notif_reached", pair)


def _group(writer: Writer, recipient: str, group_id: str) -> Row | None:
    """The group as it stands before this event, or ``None`` if this event is applied to it."""
    key = {"recipient_id": recipient, "shard": writer.shard, "group_id": group_id}
    found = writer.get("notif_groups", key)
    if found is not None and (found[APPLIED] or 0) >= writer.position:
        return None
    return {**dict.fromkeys(NOTIF_GROUPS.names), **(found or {}), **key}


def _save(writer: Writer, before: Row, after: dict[str, Any], *, drop_empty: bool = False) -> None:
    """The inbox row moves to the group's latest position (or goes, once nobody is left), then the
    group row, last (or it goes too, when empty and ``drop_empty``)."""
    key = {"recipient_id": after["recipient_id"], "group_id": after["group_id"]}
    old = before["last_position"]
    if old is not None and (after["count"] == 0 or old != after["last_position"]):
        writer.delete("notif_inbox", {**key, "last_position": old})
    if after["count"] > 0:
        writer.upsert("notif_inbox", {name: after[name] for name in INBOX_COLUMNS})
    changed(writer, after["recipient_id"])
    if drop_empty and after["count"] == 0:
        writer.delete("notif_groups", {**key, "shard": writer.shard})
    else:
        writer.upsert("notif_groups", {**after, APPLIED: writer.position})


def changed(writer: Writer, recipient: str) -> None:
    """The marker a notification stream finds: this person's inbox changed at this position (one per
    partition that changed it)."""
    row = {"bucket": change_bucket(writer.position), "position": writer.position, "recipient_id": recipient}
    writer.upsert("notif_changes", {**row, "shard": writer.shard})


INBOX_COLUMNS = (
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
