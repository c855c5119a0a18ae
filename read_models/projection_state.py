"""Where each projector stands: its checkpoint, its state, and the error that stopped it.

One row per projector and partition (``video_counters#0/1``). Queries read it for
read-your-writes; ``strom projections status`` reads it for engineers.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from read_models.port import ReadStore
from read_models.tables import INT, TEXT, TIMESTAMP, Table, columns_of

PROJECTION_STATE = Table(
    "projection_state",
    columns=columns_of(
        name=TEXT,
        version=INT,
        position=INT,
        status=TEXT,
        error=TEXT,
        error_position=INT,
        updated_at=TIMESTAMP,
    ),
    partition_key=("name",),
)

RUNNING, FAILED, STOPPED = "running", "failed", "stopped"


@dataclasses.dataclass(frozen=True, slots=True)
class ProjectionState:
    name: str
    version: int
    position: int = 0
    status: str = STOPPED
    error: str | None = None
    error_position: int | None = None
    updated_at: datetime | None = None


def load(store: ReadStore, name: str, version: int) -> ProjectionState:
    """A projector whose recorded version differs starts from the beginning (it was rebuilt or bumped)."""
    row = store.get(PROJECTION_STATE, {"name": name})
    if row is None or row["version"] != version:
        return ProjectionState(name=name, version=version)
    return ProjectionState(**row)


def save(store: ReadStore, state: ProjectionState) -> None:
    row = dataclasses.asdict(dataclasses.replace(state, updated_at=datetime.now(UTC)))
    store.upsert(PROJECTION_STATE, row)


def checkpoint_of(store: ReadStore, name: str) -> int:
    row = store.get(PROJECTION_STATE, {"name": name})
    return int(row["position"]) if row else 0
