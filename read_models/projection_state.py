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


def shards_of(store: ReadStore, projector: str, build: str) -> tuple[str, ...]:
    """The shards (``i/n``) the build's partitions write sharded rows under (``projections.partition``):
    every ``i`` of each ``n`` a partition recorded, before that partition recorded its own; ``0/1``
    before any ran. Where a reader of a sharded aggregate looks for its parts."""
    counts = {int(s.part.partition("/")[2]) for s in states_of(store, projector, build)} or {1}
    return tuple(f"{i}/{n}" for n in sorted(counts) for i in range(n))


def checkpoint_of(store: ReadStore, projector: str, build: str) -> int:
    """How far the build has got everywhere: the lowest checkpoint of its partitions, and 0 until
    every partition ``i/n`` has recorded one.

    A build changes its partitioning only where every partition of the old one stands at one
    position (``handover``): the new partitions start there. So where several partitionings have
    recorded checkpoints, the furthest complete one says how far the build has got; the old one
    stays where it stopped."""
    layouts: dict[int, list[ProjectionState]] = {}
    for state in states_of(store, projector, build):
        layouts.setdefault(_count(state.part), []).append(state)
    complete = [parts for count, parts in layouts.items() if len({s.part for s in parts}) >= count]
    return max((min(s.position for s in parts) for parts in complete), default=0)


def handover(store: ReadStore, projector: str, build: str, part: str) -> int | None:
    """Where a partition ``part`` that has applied nothing of the build starts: at the one position
    where every partition of another partitioning of the build stands (their rows, shards included,
    hold everything up to it; a rebuild leaves its ``0/1`` so), 0 when there is none. ``None`` when
    they stand at different positions: starting anywhere would apply some events twice or never."""
    others = {s.position for s in states_of(store, projector, build) if _count(s.part) != _count(part)}
    if len(others) > 1:
        return None
    return next(iter(others), 0)


def _count(part: str) -> int:
    return int(part.partition("/")[2])
