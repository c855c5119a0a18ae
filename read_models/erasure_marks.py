"""A projector's record of whom it saw erased, and where in the log (its own state, not for queries).

A command that passed its session check just before the person's erasure was recorded still lands
in the log after it: a like, a block, a report; and one sealed with the person's key may land in
the moment between the erasure being recorded and the key being deleted. Each partition of a
projector that must not record such an act keeps its own mark of the erasure (under its ``shard``,
as every partition applies the erasure), with the erasure's position, so that an act after the mark
is ignored while a replay of the acts before it writes what the first pass wrote. The mark holds the
person's id and nothing else: it is what lets a projector say "erased" rather than forget and record
them again.

Asking costs a read only the first time a runner asks about a bucket: the marks are spread over
``BUCKETS`` partitions of the shard by a hash of the id, each read whole and kept (a partition each
runner alone writes), so most answers, "not erased" above all, come from memory. Asked for every
like, follow and view, a read each would put a round trip per new person on the stream.
"""

from __future__ import annotations

import zlib

from read_models.tables import INT, TEXT, Clustering, Table, columns_of

#: How many partitions a shard's marks are spread over: few enough to read each once, small enough
#: to keep (about a thousand marks a bucket at a quarter of a million erasures).
BUCKETS = 256


def erasure_marks(name: str) -> Table:
    """The marks table a projector names ``name`` (one per projector, so a rebuild fills its own)."""
    return Table(
        name,
        columns=columns_of(shard=TEXT, bucket=INT, user_id=TEXT, position=INT),
        partition_key=("shard", "bucket"),
        clustering=(Clustering("user_id"),),
    )


def bucket_of(user_id: str) -> int:
    """A stable hash, the same in every process (Python's own ``hash`` of a string is not)."""
    return zlib.crc32(user_id.encode()) % BUCKETS
