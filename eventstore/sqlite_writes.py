"""What the SQLite log writes inside the writer's transaction: one append (the head of its stream,
the expected version, the hash chain, the rows, a retry recognised by its ids), or a whole batch.

A batch is written with as few statements as it allows: each stream's head read once, every row in
one INSERT. Each statement lets go of the GIL and takes it back, and on the API process the commit
thread then waits for the event loop, on another core, to let go in turn; one append at a time
behind a savepoint each, a batch of n cost about 4n such hand-overs, this about n + 2. Measured under
``benchmarks.api_commands`` (batches of about a dozen), it cut the API's CPU per like by about a
tenth. An append that cannot go through as it is (a stale version, an event id already stored: a
retry) sends the batch back untouched, to be written one append at a time, each with its outcome.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

import orjson

from eventstore.chain import GENESIS, link
from eventstore.envelope import AppendResult, Expected, NewEvent, category_of, check_expected
from eventstore.errors import DuplicateEventId, EventStoreError, WrongExpectedVersion
from eventstore.group_commit import Pending

#: A stream's last event: its version and the metadata holding its hash (``streams`` keeps only
#: stream metadata; its version and hash columns are what older files still carry, unread).
LAST_EVENT = "SELECT version, metadata FROM events WHERE stream = ? ORDER BY version DESC LIMIT 1"
_INSERT_INTO = (
    "INSERT INTO events (stream, version, event_id, type, schema_version, data, metadata, category) VALUES "
)
_ROW = "(?, ?, ?, ?, ?, ?, ?, ?)"
_INSERT = _INSERT_INTO + _ROW
#: Rows one INSERT takes (8 variables each, well under SQLite's 32,766); a larger batch goes apart.
MOST_ROWS = 1000
Row = tuple[Any, ...]


def apply(conn: sqlite3.Connection, pending: Pending) -> None:
    """Records the append's result, or the error that refuses it; a store failure propagates."""
    try:
        pending.result = _append_locked(conn, pending.stream, pending.events, pending.expected)
    except sqlite3.IntegrityError as exc:
        ids = [e.event_id for e in pending.events]
        pending.error = DuplicateEventId(pending.stream, f"one of {ids}")
        pending.error.__cause__ = exc
    except EventStoreError as exc:
        pending.error = exc


def apply_apart(conn: sqlite3.Connection, pending: Pending) -> None:
    """One append of a batch, behind a savepoint, so its failure undoes only its own rows."""
    conn.execute("SAVEPOINT one_append")
    apply(conn, pending)
    if pending.error is not None:
        conn.execute("ROLLBACK TO one_append")
    conn.execute("RELEASE one_append")


def apply_together(conn: sqlite3.Connection, batch: Sequence[Pending]) -> bool:
    """Writes every append of the batch, in order, with one INSERT; ``False`` when it wrote
    nothing and the batch must go one append at a time. Appends to one stream chain one after
    another, as they would apart."""
    heads: dict[str, tuple[int | None, str]] = {}
    rows: list[Row] = []
    ends: list[tuple[int, int]] = []  # each append's last version, and how many rows up to it
    for pending in batch:
        if pending.stream not in heads:
            heads[pending.stream] = _head(conn, pending.stream)
        current, previous = heads[pending.stream]
        try:
            check_expected(pending.stream, pending.expected, current)
        except WrongExpectedVersion:
            return False
        first = 0 if current is None else current + 1
        linked = link(pending.stream, first, previous, pending.events)
        rows += _rows(pending.stream, first, linked)
        heads[pending.stream] = (first + len(linked) - 1, linked[-1].metadata.hash)
        ends.append((first + len(linked) - 1, len(rows)))
    if len(rows) > MOST_ROWS:
        return False
    try:
        last = _insert_together(conn, rows)
    except sqlite3.IntegrityError:  # one statement: it stored none of its rows
        return False
    for pending, (version, upto) in zip(batch, ends, strict=True):
        pending.result = AppendResult(version=version, position=last - (len(rows) - upto))
    return True


def _append_locked(
    conn: sqlite3.Connection, stream: str, events: Sequence[NewEvent], expected: Expected
) -> AppendResult:
    """The stream's version and last hash come from its last event, through the (stream,
    version) index: an append writes the events table alone, as few pages as the log allows."""
    current, previous = _head(conn, stream)
    try:
        check_expected(stream, expected, current)
    except WrongExpectedVersion:
        earlier = _earlier_append(conn, stream, events)
        if earlier is not None:
            return earlier
        raise
    first = 0 if current is None else current + 1
    linked = link(stream, first, previous, events)
    try:
        position = _insert(conn, _rows(stream, first, linked))
    except sqlite3.IntegrityError:
        earlier = _earlier_append(conn, stream, events)
        if earlier is not None:
            return earlier
        raise
    return AppendResult(version=first + len(linked) - 1, position=position)


def _earlier_append(conn: sqlite3.Connection, stream: str, events: Sequence[NewEvent]) -> AppendResult | None:
    """The result of an earlier append of the same events, so a retry stores nothing. Asked
    only when the append cannot go through as it is (a version or an event id taken)."""
    hit = conn.execute(
        "SELECT stream, version FROM events WHERE event_id = ?", (events[0].event_id,)
    ).fetchone()
    if hit is None:
        return None
    if hit[0] != stream:
        raise DuplicateEventId(stream, events[0].event_id)
    rows = conn.execute(
        "SELECT event_id, position FROM events WHERE stream = ? AND version >= ? ORDER BY version LIMIT ?",
        (stream, hit[1], len(events)),
    ).fetchall()
    if [r[0] for r in rows] != [e.event_id for e in events]:
        raise DuplicateEventId(stream, events[0].event_id)
    return AppendResult(version=hit[1] + len(events) - 1, position=rows[-1][1])


def _insert(conn: sqlite3.Connection, rows: Sequence[Row]) -> int:
    """Inserts the rows; returns the position of the last one."""
    if len(rows) == 1:
        position = conn.execute(_INSERT, rows[0]).lastrowid
        assert position is not None
        return position
    conn.executemany(_INSERT, rows)
    last: int = conn.execute("SELECT last_insert_rowid()").fetchone()[0]
    return last


def _insert_together(conn: sqlite3.Connection, rows: Sequence[Row]) -> int:
    """One statement for every row, so positions come one after another; the last one's."""
    values = [value for row in rows for value in row]
    position = conn.execute(_INSERT_INTO + ", ".join([_ROW] * len(rows)), values).lastrowid
    assert position is not None
    return position


def _head(conn: sqlite3.Connection, stream: str) -> tuple[int | None, str]:
    """The stream's last version (``None``: no events) and the hash its next event links to."""
    last_event = conn.execute(LAST_EVENT, (stream,)).fetchone()
    if last_event is None:
        return None, GENESIS
    return last_event[0], orjson.loads(last_event[1])["hash"]


def _rows(stream: str, first: int, linked: Sequence[NewEvent]) -> list[Row]:
    category = category_of(stream)
    return [
        (
            stream,
            first + i,
            e.event_id,
            e.type,
            e.schema_version,
            orjson.dumps(e.data),
            orjson.dumps(e.metadata),
            category,
        )
        for i, e in enumerate(linked)
    ]
