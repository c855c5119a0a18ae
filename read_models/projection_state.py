"""Where each projector stands: its checkpoint per build and partition, its state, and any error.

One partition per projector, one row per build and partition (``v1`` / ``0/1``). Queries read the
live build's rows for read-your-writes; ``strom projections status`` reads them for engineers.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from read_models.port import ReadStore
from read_models.tables import INT, TEXT, TIMESTAMP, Clustering, Table, columns_of

PROJECTION_STATE = Table(
    "projection_checkpoints",
    columns=columns_of(
        projector=TEXT,
        build=TEXT,
        part=TEXT,
        version=INT,
        position=INT,
        status=TEXT,
        error=TEXT,
        error_position=INT,
        updated_at=TIMESTAMP,
    ),
    partition_key=("projector",),
    clustering=(Clustering("build"), Clustering("part")),
)

RUNNING, FAILED, STOPPED = "running", "failed", "stopped"
#: A build a rebuild has replaced: its runner let go, and its tables are dropped.
RETIRED = "retired"
WHOLE = "0/1"


@dataclasses.dataclass(frozen=True, slots=True)
class ProjectionState:
    projector: str
    build: str
    part: str = WHOLE
    version: int = 0
    position: int = 0
    status: str = STOPPED
    error: str | None = None
    error_position: int | None = None
    updated_at: datetime | None = None

    @property
    def name(self) -> str:
        """``profiles``, or ``profiles#0/4`` for one partition of it."""
        return self.projector if self.part == WHOLE else f"{self.projector}#{self.part}"


def _key(projector: str, build: str, part: str) -> dict[str, str]:
    return {"projector": projector, "build": build, "part": part}


def load(store: ReadStore, projector: str, build: str, *, version: int, part: str = WHOLE) -> ProjectionState:
    """A build never run before starts from the beginning of the log."""
    row = store.get(PROJECTION_STATE, _key(projector, build, part))
    if row is None:
        return ProjectionState(projector=projector, build=build, part=part, version=version)
    return ProjectionState(**row)


def row_of(state: ProjectionState) -> dict[str, object]:
    """The state as its row, stamped with the time it is written (for lag in seconds)."""
    return dataclasses.asdict(dataclasses.replace(state, updated_at=datetime.now(UTC)))


def save(store: ReadStore, state: ProjectionState) -> None:
    store.upsert(PROJECTION_STATE, row_of(state))


def states_of(store: ReadStore, projector: str, build: str | None = None) -> list[ProjectionState]:
    """Every recorded build and partition of a projector (or of one build), in key order."""
    rows, cursor = [], None
    while True:
        page = store.page(PROJECTION_STATE, {"projector": projector}, limit=1000, cursor=cursor)
        rows.extend(page.rows)
        if page.cursor is None:
            break
        cursor = page.cursor
    return [ProjectionState(**r) for r in rows if build is None or r["build"] == build]


def forget(store: ReadStore, projector: str, build: str) -> None:
    """Drops a build's checkpoints, with its tables: a rebuild that failed half-way starts afresh."""
    for state in states_of(store, projector, build):
        store.delete(PROJECTION_STATE, _key(projector, build, state.part))


def checkpoint_of(store: ReadStore, projector: str, build: str) -> int:
    """How far the build has got everywhere: the lowest checkpoint of its partitions, and 0 until
    every partition ``i/n`` has recorded one."""
    states = states_of(store, projector, build)
    if not states:
        return 0
    count = int(states[0].part.partition("/")[2])
    if len({s.part for s in states}) < count:
        return 0
    return min(s.position for s in states)
