"""Data exports: each person's exports, the streams each person has events in, and the archives by
the day they expire."""

from __future__ import annotations

from migrations.runner import CreateTable, Migration
from read_models.tables import DESC, INT, TEXT, TIMESTAMP, Clustering, Table, columns_of

# As of this migration (the declarations in read_models/data_exports.py may grow later).
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
    clustering=(Clustering("export_id", DESC),),
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

MIGRATION = Migration(
    7,
    "data_exports: exports, each person's streams, archives by expiry day",
    tuple(CreateTable(t) for t in (DATA_EXPORTS, EXPORT_STREAMS, EXPORT_EXPIRIES, EXPORT_SWEEPS)),
)
