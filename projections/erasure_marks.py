"""Marking an erasure, and asking whether an act came after it (``read_models/erasure_marks.py``)."""

from __future__ import annotations

from projections.writer import Writer


def mark(writer: Writer, table: str, user_id: str) -> None:
    """This partition's mark of the person's erasure at the event being applied; the first counts."""
    key = {"user_id": user_id, "shard": writer.shard}
    found = writer.get(table, key)
    if found is None or found["position"] > writer.position:
        writer.upsert(table, {**key, "position": writer.position})


def erased(writer: Writer, table: str, user_id: str) -> bool:
    """Whether the person was erased before the event being applied."""
    found = writer.get(table, {"user_id": user_id, "shard": writer.shard})
    return found is not None and found["position"] < writer.position
