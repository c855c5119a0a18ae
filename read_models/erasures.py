"""Erasure records as the ``erasures`` projector keeps them: one row per erasure, by its id.

The row says when the erasure was asked for, when each step of the cascade was done, and when it
was complete. It names nobody: the erasure id is the only key, and it is the person's receipt.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from read_models.live import ReadModel
from read_models.port import ReadStore
from read_models.tables import TEXT, TIMESTAMP, Row, Table, columns_of

VERSION = 1
MODEL = ReadModel("erasures", VERSION)
#: The steps of the cascade, in order (``domain.erasures.STEPS``: this layer imports no domain).
STEPS = ("personal_data", "videos", "claims", "media", "views")

ERASURES = Table(
    "erasures",
    columns=columns_of(
        erasure_id=TEXT,
        requested_at=TIMESTAMP,
        completed_at=TIMESTAMP,
        **{f"{step}_at": TIMESTAMP for step in STEPS},
    ),
    partition_key=("erasure_id",),
)
TABLES = (ERASURES,)


@dataclasses.dataclass(frozen=True, slots=True)
class ErasureRecord:
    erasure_id: str
    requested_at: datetime | None  # None if only the steps are known (the request not yet applied)
    done: dict[str, datetime]  # step -> when it was done, for the steps done
    completed_at: datetime | None


def record(store: ReadStore, erasure_id: str) -> ErasureRecord | None:
    row = store.get(MODEL.table(store, ERASURES), {"erasure_id": erasure_id})
    return None if row is None else _record(row)


def _record(row: Row) -> ErasureRecord:
    done = {step: row[f"{step}_at"] for step in STEPS if row.get(f"{step}_at") is not None}
    return ErasureRecord(
        erasure_id=row["erasure_id"],
        requested_at=row.get("requested_at"),
        done=done,
        completed_at=row.get("completed_at"),
    )
