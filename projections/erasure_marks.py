"""Marking an erasure, and asking whether an act came after it (``read_models/erasure_marks.py``)."""

from __future__ import annotations

from projections.writer import Writer
from read_models.erasure_marks import bucket_of
from read_models.tables import Row


def mark(writer: Writer, table: str, user_id: str) -> None:
    """This partition's mark of the person's erasure at the event being applied; the first counts."""
    found = _found(writer, table, user_id)
    if found is None or found["position"] > writer.position:
        writer.upsert(table, {**_bucket(writer, user_id), "user_id": user_id, "position": writer.position})


def erased(writer: Writer, table: str, user_id: str) -> bool:
    """Whether the person was erased before the event being applied."""
    found = _found(writer, table, user_id)
    return found is not None and found["position"] < writer.position


def _found(writer: Writer, table: str, user_id: str) -> Row | None:
    """The person's mark, from their bucket read whole once and then kept (see the module above):
    a look-up in memory, not a walk through every mark of the bucket, which grows with erasures."""
    bucket = _bucket(writer, user_id)
    if not writer.holds_whole(table, bucket):
        rows = writer.rows(table, bucket)
        if not writer.holds_whole(table, bucket):  # too many marks to keep: answered from this read
            return next((row for row in rows if row["user_id"] == user_id), None)
    return writer.get(table, {**bucket, "user_id": user_id})


def _bucket(writer: Writer, user_id: str) -> dict[str, object]:
    return {"shard": writer.shard, "bucket": bucket_of(user_id)}
