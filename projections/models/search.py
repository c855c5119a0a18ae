"""The search index (see read_models/search.py for its keys and what a write costs).

A person's terms come from their handle and display name; a video's from its hashtags and caption,
while it is listed and public (never private, followers-only, unpublished, hidden or deleted). Each
person and video has a state row holding what its term rows are made of; an event changes the state,
and the rows are rewritten from it: rows no longer called for are deleted, new ones written. The
state carries an ``applied_position`` and lands last, so an event at or below it is skipped, and one
cut short by a crash is recomputed from the state before it.

Erasure: ``ErasureRequested`` clears the person's handle and name and every video's words, which
deletes their rows, found through ``search_owned``. Replayed after the key is shredded, the sealed
fields read as erased (no handle, no name, no caption, no hashtags), so no row is written again.

Entity: the person. Every handled event names its owner (a video's events name ``owner_id``), so one
runner applies a person's and their videos' events in order. Term rows live in partitions shared by
everyone with the same prefix, but each row is keyed by its own id, so runners never write the same
row; a handle released by an erasure and claimed again is written at the later position, which wins.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from domain.accounts.events import ErasureRequested, ProfileChanged, UserRegistered
from domain.videos.events import VideoDeleted, VideoEdited, VideoPublished
from eventstore.codec import Decoded
from projections.listing import LISTING_EVENTS, evolved
from projections.projector import Projector
from projections.writer import Writer
from read_models.listing import is_public
from read_models.search import (
    APPLIED,
    CREATOR,
    HASHTAG,
    MAX_TERM,
    MAX_WORDS,
    SEARCH_HANDLES,
    SEARCH_OWNED,
    SEARCH_STATE,
    SEARCH_TERMS,
    TABLES,
    VERSION,
    VIDEO,
    fold,
    term_row,
    words,
)
from read_models.tables import Row

NAME = "search"
STATE, OWNED = SEARCH_STATE.name, SEARCH_OWNED.name
KEYS = {t.name: t.key_names for t in TABLES}
PEOPLE = (UserRegistered, ProfileChanged, ErasureRequested)


def project(decoded: Decoded, writer: Writer) -> None:
    match decoded.event:
        case ErasureRequested(user_id=user_id):
            _erase(writer, user_id)
        case UserRegistered() | ProfileChanged():
            _person(decoded, writer)
        case _:
            _video(decoded, writer)


def entity(decoded: Decoded) -> str:
    data = decoded.event.to_data()
    return str(data["user_id"] if isinstance(decoded.event, PEOPLE) else data["owner_id"])


def _person(decoded: Decoded, writer: Writer) -> None:
    user_id = str(decoded.event.to_data()["user_id"])
    before = writer.get(STATE, {"id": user_id})
    if _applied(before, writer):
        return
    after: Row = {**(before or {}), "id": user_id, "owner_id": user_id, "person": True}
    match decoded.event:
        case UserRegistered(handle=handle, display_name=name):
            after.update(at=_millis(decoded.occurred_at), handle=handle and handle.lower(), names=words(name))
        case ProfileChanged(display_name=name):
            after.update(names=words(name))
    _save(writer, before, after)


def _video(decoded: Decoded, writer: Writer) -> None:
    data = decoded.event.to_data()
    video_id, owner_id = str(data["video_id"]), str(data["owner_id"])
    before = writer.get(STATE, {"id": video_id})
    if _applied(before, writer):
        return
    after = evolved(decoded, {**(before or {}), "id": video_id, "owner_id": owner_id, "person": False})
    match decoded.event:
        case VideoPublished(caption=caption) | VideoEdited(caption=caption):
            after["words"] = [w for w in words(caption) if len(w) > 1][:MAX_WORDS]
        case VideoDeleted():
            after["words"] = []
    _save(writer, before, after)


def _erase(writer: Writer, user_id: str) -> None:
    """Every row of the person and of their videos goes; the states stay, emptied of their words."""
    for owned in writer.rows(OWNED, {"owner_id": user_id}):
        before = writer.get(STATE, {"id": owned["id"]})
        if before is None or _applied(before, writer):
            continue
        _save(writer, before, {**before, "handle": None, "names": [], "hashtags": [], "words": []})


def _applied(state: Row | None, writer: Writer) -> bool:
    return state is not None and (state.get(APPLIED) or -1) >= writer.position


# -- writing -----------------------------------------------------------------------------------------


def _save(writer: Writer, before: Row | None, after: Row) -> None:
    """The rows first (stale ones deleted, new ones written), the state last."""
    old = _rows(before) if before is not None else {}
    new = _rows(after)
    for identity, (table, row) in old.items():
        if identity not in new:
            writer.delete(table, {name: row[name] for name in KEYS[table]})
    for identity, (table, row) in new.items():
        if identity not in old:
            writer.upsert(table, row)
    writer.upsert(OWNED, {"owner_id": after["owner_id"], "id": after["id"]})
    state = {name: after.get(name) for name in SEARCH_STATE.types}
    writer.upsert(STATE, {**state, APPLIED: writer.position})


def _rows(state: Row) -> dict[tuple[Any, ...], tuple[str, Row]]:
    """The rows a state calls for, by table and primary key."""
    rows = list(_person_rows(state) if state.get("person") else _video_rows(state))
    return {(table, *(row[k] for k in KEYS[table])): (table, row) for table, row in rows}


def _person_rows(state: Row) -> list[tuple[str, Row]]:
    handle, user_id, at = state.get("handle"), state["id"], state.get("at")
    if at is None:
        return []
    terms = ([fold(handle)[:MAX_TERM]] if handle else []) + list(state.get("names") or [])
    rows = [(SEARCH_TERMS.name, term_row(CREATOR, t, at, user_id, user_id)) for t in dict.fromkeys(terms)]
    if handle:
        rows.append((SEARCH_HANDLES.name, {"handle": handle, "user_id": user_id}))
    return rows


def _video_rows(state: Row) -> list[tuple[str, Row]]:
    if not is_public(state):
        return []
    video_id, owner_id, at = state["id"], state["owner_id"], state["published_at"]
    tags = [(HASHTAG, t) for t in state.get("hashtags") or ()]
    caption = [(VIDEO, w) for w in state.get("words") or ()]
    return [(SEARCH_TERMS.name, term_row(kind, t, at, video_id, owner_id)) for kind, t in tags + caption]


def _millis(moment: datetime) -> datetime:
    """As the stores keep it, so a key computed now matches the stored row's."""
    moment = moment.astimezone(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


PROJECTOR = Projector(
    name=NAME,
    version=VERSION,
    tables=TABLES,
    handles=tuple(cls.event_type for cls in (*PEOPLE, *LISTING_EVENTS)),
    project=project,
    entity=entity,
    last=(STATE,),
)
