"""A projector's record of whom it saw erased, and where in the log (its own state, not for queries).

A command that passed its session check just before the person's erasure was recorded still lands
in the log after it: a like, a block, a report. Each partition of a projector that must not record
such an act keeps its own mark of the erasure (under its ``shard``, as every partition applies the
erasure), with the erasure's position, so that an act after the mark is ignored while a replay of
the acts before it writes what the first pass wrote. The mark holds the person's id and nothing
else: it is what lets a projector say "erased" rather than forget and record them again.
"""

from __future__ import annotations

from read_models.tables import INT, TEXT, Clustering, Table, columns_of


def erasure_marks(name: str) -> Table:
    """The marks table a projector names ``name`` (one per projector, so a rebuild fills its own)."""
    return Table(
        name,
        columns=columns_of(user_id=TEXT, shard=TEXT, position=INT),
        partition_key=("user_id",),
        clustering=(Clustering("shard"),),
    )
