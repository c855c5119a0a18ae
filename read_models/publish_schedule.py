"""What the publish schedule's process manager keeps (``projections/publish_schedule.py``).

- ``publish_due``: each scheduled publication by the day it is due, soonest first, so the scanner
  reads today's partition and any past day's it has not finished, never every schedule. A row is
  written when a schedule is recorded and removed once the publication was asked for; a schedule
  moved or called off meanwhile leaves its row, which the scanner finds due, asks about (the write
  side answers that it is no longer the schedule: nothing is recorded) and removes.
- ``publish_scans``: the first day the scanner has not finished.

Rows are keyed by ids and times from the events, so writing one again changes nothing.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from read_models.port import MAX_LIMIT, ReadStore
from read_models.tables import TEXT, TIMESTAMP, Clustering, Table, columns_of

PUBLISH_DUE = Table(
    "publish_due",
    columns=columns_of(day=TEXT, publish_at=TIMESTAMP, video_id=TEXT),
    partition_key=("day",),
    clustering=(Clustering("publish_at"), Clustering("video_id")),
)
PUBLISH_SCANS = Table(
    "publish_scans", columns=columns_of(scanner=TEXT, next_day=TEXT), partition_key=("scanner",)
)
TABLES = (PUBLISH_DUE, PUBLISH_SCANS)
SCANNER = "due"
STORED_STEP = timedelta(milliseconds=1)


@dataclasses.dataclass(frozen=True, slots=True)
class Due:
    video_id: str
    publish_at: datetime


def day_of(moment: datetime) -> str:
    """``yyyymmdd``, in UTC."""
    return moment.astimezone(UTC).strftime("%Y%m%d")


def scheduled(store: ReadStore, due: Due, *, position: int) -> None:
    store.upsert(PUBLISH_DUE, _row(due), timestamp=position)


def asked(store: ReadStore, due: Due) -> None:
    """The publication was asked for: the row's work is done."""
    store.delete(PUBLISH_DUE, _row(due))


def due_on(store: ReadStore, day: str, *, now: datetime) -> list[Due]:
    """The publications of ``day`` due at ``now`` or before, soonest first."""
    found: list[Due] = []
    cursor: str | None = None
    end = (now + STORED_STEP,)  # exclusive, at the precision timestamps are stored with
    while True:
        page = store.page(PUBLISH_DUE, {"day": day}, end=end, limit=MAX_LIMIT, cursor=cursor)
        found.extend(Due(r["video_id"], r["publish_at"]) for r in page.rows)
        if page.cursor is None:
            return found
        cursor = page.cursor


def next_scan_day(store: ReadStore) -> str | None:
    """The first day the scanner has not finished; ``None`` before it first finished one."""
    row = store.get(PUBLISH_SCANS, {"scanner": SCANNER})
    return None if row is None else str(row["next_day"])


def scanned_before(store: ReadStore, day: str) -> None:
    """Every day before ``day`` is finished."""
    store.upsert(PUBLISH_SCANS, {"scanner": SCANNER, "next_day": day})


def _row(due: Due) -> dict[str, object]:
    return {"day": day_of(due.publish_at), "publish_at": due.publish_at, "video_id": due.video_id}
