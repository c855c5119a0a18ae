"""Data exports as their holders see them, and what the exporter keeps to build and expire them.

Only the data exports process manager (``projections/data_exports.py``) writes these tables:

- ``data_exports``: each person's exports, newest first, with where each stands.
- ``export_streams``: the streams each person has events in, so an export reads those streams and
  not the whole log.
- ``export_erased``: who was erased, and where in the log: their index and settled exports are
  deleted then, and nothing of them is listed after (not the cascade's events, nor the abandonment
  of their last exports, whose rows go once abandoned).
- ``export_expiries``: ready archives by the day they expire, so the sweeper reads today's and
  the past days' partitions, not every export; ``export_sweeps`` remembers the first day it has
  not finished.

Every write stamped from an event carries that event's global position, so a replay from any
checkpoint ends with the same rows and never undoes a later state.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from read_models.live import ReadModel
from read_models.port import MAX_LIMIT, ReadStore
from read_models.tables import DESC, INT, TEXT, TIMESTAMP, Clustering, Table, columns_of

#: For read-your-writes: the exports' rows are as fresh as this process manager's checkpoint.
MODEL = ReadModel("data_exports", 1)

DATA_EXPORTS = Table(
    "data_exports",
    columns=columns_of(
        user_id=TEXT,
        export_id=TEXT,
        status=TEXT,
        requested_at=TIMESTAMP,
        ready_at=TIMESTAMP,
        expires_at=TIMESTAMP,
        size_bytes=INT,
        sha256=TEXT,
        object_key=TEXT,
        reason=TEXT,
        settled_at=TIMESTAMP,
    ),
    partition_key=("user_id",),
    clustering=(Clustering("export_id", DESC),),  # time-ordered ids: newest first
)
EXPORT_STREAMS = Table(
    "export_streams",
    columns=columns_of(person_id=TEXT, stream=TEXT),
    partition_key=("person_id",),
    clustering=(Clustering("stream"),),
)
EXPORT_EXPIRIES = Table(
    "export_expiries",
    columns=columns_of(day=TEXT, expires_at=TIMESTAMP, export_id=TEXT, user_id=TEXT),
    partition_key=("day",),
    clustering=(Clustering("expires_at"), Clustering("export_id")),
)
EXPORT_SWEEPS = Table(
    "export_sweeps", columns=columns_of(sweeper=TEXT, next_day=TEXT), partition_key=("sweeper",)
)
EXPORT_ERASED = Table(
    "export_erased", columns=columns_of(person_id=TEXT, position=INT), partition_key=("person_id",)
)
TABLES = (DATA_EXPORTS, EXPORT_STREAMS, EXPORT_EXPIRIES, EXPORT_SWEEPS, EXPORT_ERASED)
SWEEPER = "expiry"
STORED_STEP = timedelta(milliseconds=1)


@dataclasses.dataclass(frozen=True, slots=True)
class Export:
    user_id: str
    export_id: str
    status: str
    requested_at: datetime | None = None
    ready_at: datetime | None = None
    expires_at: datetime | None = None
    size_bytes: int | None = None
    sha256: str | None = None
    object_key: str | None = None
    reason: str | None = None
    settled_at: datetime | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Due:
    """A ready archive whose lifetime ends at ``expires_at``."""

    user_id: str
    export_id: str
    expires_at: datetime


# -- the holders' exports --------------------------------------------------------------------------


def save(store: ReadStore, export: Export, *, position: int) -> None:
    row = dataclasses.asdict(export) | {"status": str(export.status)}
    store.upsert(DATA_EXPORTS, row, timestamp=position)


def find(store: ReadStore, user_id: str, export_id: str) -> Export | None:
    row = store.get(DATA_EXPORTS, {"user_id": user_id, "export_id": export_id})
    return None if row is None else Export(**row)


def page_of(
    store: ReadStore, user_id: str, *, limit: int, cursor: str | None = None
) -> tuple[list[Export], str | None]:
    """Newest first; the cursor fetches the next page."""
    page = store.page(DATA_EXPORTS, {"user_id": user_id}, limit=limit, cursor=cursor)
    return [Export(**row) for row in page.rows], page.cursor


def all_of(store: ReadStore, user_id: str) -> Iterator[Export]:
    cursor: str | None = None
    while True:
        exports, cursor = page_of(store, user_id, limit=MAX_LIMIT, cursor=cursor)
        yield from exports
        if cursor is None:
            return


# -- the streams each person has events in ---------------------------------------------------------


def index(store: ReadStore, person_id: str, stream: str, *, position: int) -> None:
    store.upsert(EXPORT_STREAMS, {"person_id": person_id, "stream": stream}, timestamp=position)


def streams_of(store: ReadStore, person_id: str) -> Iterator[str]:
    """In name order, page by page."""
    cursor: str | None = None
    while True:
        page = store.page(EXPORT_STREAMS, {"person_id": person_id}, limit=MAX_LIMIT, cursor=cursor)
        yield from (row["stream"] for row in page.rows)
        if page.cursor is None:
            return
        cursor = page.cursor


# -- erasure --------------------------------------------------------------------------------------


def mark_erased(store: ReadStore, person_id: str, *, position: int) -> None:
    """The first erasure counts, so a replay of the events between two erasures reads the same."""
    found = store.get(EXPORT_ERASED, {"person_id": person_id})
    if found is None or found["position"] > position:
        store.upsert(EXPORT_ERASED, {"person_id": person_id, "position": position})


def erased_before(store: ReadStore, person_id: str, position: int) -> bool:
    found = store.get(EXPORT_ERASED, {"person_id": person_id})
    return found is not None and found["position"] < position


def unindex(store: ReadStore, person_id: str, *, position: int) -> None:
    """The person's streams leave the index (their exports are abandoned: none will read it)."""
    for stream in list(streams_of(store, person_id)):
        store.delete(EXPORT_STREAMS, {"person_id": person_id, "stream": stream}, timestamp=position)


def drop(store: ReadStore, export: Export, *, position: int) -> None:
    store.delete(DATA_EXPORTS, {"user_id": export.user_id, "export_id": export.export_id}, timestamp=position)


# -- expiry ----------------------------------------------------------------------------------------


def day_of(moment: datetime) -> str:
    """``yyyymmdd``, in UTC."""
    return moment.astimezone(UTC).strftime("%Y%m%d")


def expiring(store: ReadStore, due: Due, *, position: int) -> None:
    store.upsert(EXPORT_EXPIRIES, _expiry_row(due), timestamp=position)


def not_expiring(store: ReadStore, due: Due, *, position: int) -> None:
    key = _expiry_row(due)
    del key["user_id"]
    store.delete(EXPORT_EXPIRIES, key, timestamp=position)


def due_on(store: ReadStore, day: str, *, now: datetime) -> list[Due]:
    """The archives of ``day`` whose expiry is ``now`` or earlier, soonest first."""
    found: list[Due] = []
    cursor: str | None = None
    end = (now + STORED_STEP,)  # exclusive, at the precision timestamps are stored with
    while True:
        page = store.page(EXPORT_EXPIRIES, {"day": day}, end=end, limit=MAX_LIMIT, cursor=cursor)
        found.extend(Due(r["user_id"], r["export_id"], r["expires_at"]) for r in page.rows)
        if page.cursor is None:
            return found
        cursor = page.cursor


def next_sweep_day(store: ReadStore) -> str | None:
    """The first day the sweeper has not finished; ``None`` before it first finished one."""
    row = store.get(EXPORT_SWEEPS, {"sweeper": SWEEPER})
    return None if row is None else str(row["next_day"])


def swept_before(store: ReadStore, day: str) -> None:
    """Every day before ``day`` is finished."""
    store.upsert(EXPORT_SWEEPS, {"sweeper": SWEEPER, "next_day": day})


def _expiry_row(due: Due) -> dict[str, object]:
    return {
        "day": day_of(due.expires_at),
        "expires_at": due.expires_at,
        "export_id": due.export_id,
        "user_id": due.user_id,
    }
