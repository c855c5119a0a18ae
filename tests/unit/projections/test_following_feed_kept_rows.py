"""A large creator's rows, the same for each of their followers, may be kept for a moment by the walk
that reads the feed partition by partition (Cassandra's): the pages stay exactly those read fresh,
and followers who ask in the same moment read the creator's partitions once between them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from api.shared_reads import SharedReads
from benchmarks import feed_query
from read_models import following_feed as model
from read_models.kept import FRESH, Kept
from read_models.listing import parse_bucket_cursor
from read_models.port import FirstRows
from read_models.sqlite import SQLiteReadStore
from read_models.tables import Row

NOW = datetime.now(UTC)


class CountingStore(SQLiteReadStore):
    """Counts the partitions of ``feed_creator_videos`` read."""

    creator_partitions = 0

    def first_rows(self, reads: Sequence[FirstRows]) -> list[list[list[Row]]]:
        for read in reads:
            if read.table.name.startswith(model.CREATOR_VIDEOS.name):
                self.creator_partitions += len(read.partitions)
        return super().first_rows(reads)


def walked(store: SQLiteReadStore, user_id: str, limit: int, kept: Kept) -> list[model.FeedPage]:
    """Every page of the user's feed, following the cursors, read bucket by bucket."""
    buckets = model.buckets_back_from(NOW)
    pages: list[model.FeedPage] = []
    cursor: str | None = None
    while len(pages) < 100:
        bucket, after = (
            parse_bucket_cursor(store.cursors, model.CURSOR_KIND, cursor) if cursor else (buckets[0], None)
        )
        span = (min(bucket, buckets[0]), buckets[-1])
        pages.append(model.bucket_by_bucket(store, user_id, limit, span, after, kept))
        cursor = pages[-1].next_cursor
        if cursor is None:
            break
    return pages


def test_pages_read_with_kept_creator_rows_are_those_read_fresh_and_read_them_once(tmp_path: Path) -> None:
    # Given the feed benchmark's platform, whose readers all follow its large creators
    setup = feed_query.prepare(tmp_path, feed_query.QUICK)
    store = CountingStore(tmp_path / "read.db")
    try:
        feed_query.project(setup.log, store, setup.sizes)
        readers = setup.platform.readers
        fresh = {(r, limit): walked(store, r, limit, FRESH) for r in readers for limit in (1, 7, 20)}
        read_fresh = store.creator_partitions
        store.creator_partitions = 0
        kept = SharedReads(1.0, clock=lambda: 0.0)  # a moment that does not pass

        # When every reader reads every page in the same moment, creators' rows kept
        pages = {(r, limit): walked(store, r, limit, kept) for r in readers for limit in (1, 7, 20)}

        # Then each page, items and cursor, is the one read fresh
        assert pages == fresh
        assert all(len(p[0].items) == limit for (_, limit), p in pages.items())
        # And the creators' partitions were read once for each ask, not once for each reader who
        # asked it: a tenth as many reads at most, with thirty readers
        assert len(readers) >= 30
        assert 0 < store.creator_partitions * 10 < read_fresh
    finally:
        store.close()


def test_a_kept_answer_is_only_for_the_same_start_and_length(tmp_path: Path) -> None:
    # Given the platform, and one reader's pages read with kept rows of every length and start
    setup = feed_query.prepare(tmp_path, feed_query.QUICK)
    store = SQLiteReadStore(tmp_path / "read.db")
    try:
        feed_query.project(setup.log, store, setup.sizes)
        kept = SharedReads(1.0, clock=lambda: 0.0)
        reader, other = setup.platform.readers[:2]
        for limit in (20, 3, 1):
            walked(store, reader, limit, kept)

        # When another reader of the same creators reads with those rows kept
        for limit in (1, 3, 20, 5):
            # Then every page is still the one read fresh
            assert walked(store, other, limit, kept) == walked(store, other, limit, FRESH)
    finally:
        store.close()
