"""Erasure records: when each erasure was asked for, when each step of its cascade was done, and
when it was complete, by erasure id (``read_models/erasures.py``).

Each event writes one column of the row, at the time the event occurred. The row is written whole
(it holds what the row held, plus this event's column), every write stamped with the event's
position: a replay writes the same row again, and an older event never overwrites a newer one.

Entity: the erasure's record id, so the projector partitions freely. ``ErasureRequested`` names the
person too; only the record id is kept.
"""

from __future__ import annotations

from domain.accounts.events import ErasureRequested
from domain.erasures import ErasureCompleted, ErasureStepCompleted, record_id
from eventstore.codec import Decoded
from projections.projector import Projector
from projections.writer import Writer
from read_models.erasures import ERASURES, TABLES, VERSION

NAME = "erasures"
HANDLES = (ErasureRequested, ErasureStepCompleted, ErasureCompleted)


def project(decoded: Decoded, writer: Writer) -> None:
    key = {"erasure_id": entity(decoded)}
    at = decoded.occurred_at
    match decoded.event:
        case ErasureRequested():
            column = "requested_at"
        case ErasureStepCompleted(step=step):
            column = f"{step}_at"
        case ErasureCompleted():
            column = "completed_at"
        case _:
            return
    if column not in ERASURES.names:
        return  # a step this version does not know: a newer version of the projector shows it
    before = writer.get("erasures", key) or {}
    writer.upsert("erasures", {**{name: before.get(name) for name in ERASURES.names}, **key, column: at})


def entity(decoded: Decoded) -> str:
    match decoded.event:
        case ErasureRequested(erasure_id=erasure_id):
            return record_id(erasure_id, decoded.record.event_id)
        case ErasureStepCompleted(erasure_id=erasure_id) | ErasureCompleted(erasure_id=erasure_id):
            return erasure_id
    raise TypeError(f"not an erasure event: {decoded.event!r}")


PROJECTOR = Projector(
    name=NAME,
    version=VERSION,
    tables=TABLES,
    handles=tuple(cls.event_type for cls in HANDLES),
    project=project,
    entity=entity,
)
