"""A large creator's newest rows, the same for each of their followers, may be kept for a moment by
the walk that reads the feed partition by partition (Cassandra's): the pages stay exactly those read
fresh, and first pages asked in the same moment read each creator's week once between them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

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
    """Notes each partition of ``feed_creator_videos`` read, as (creator, bucket)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.asked: list[tuple[str, int]] = []

    def first_rows(self, reads: Sequence[FirstRows]) -> list[list[list[Row]]]:
        for read in reads:
            if read.table.name.startswith(model.CREATOR_VIDEOS.name):
                self.asked += [(p["owner_id"], p["bucket"]) for p in read.partitions]
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


def first_page(store: SQLiteReadStore, user_id: str, kept: Kept) -> model.FeedPage:
    buckets = model.buckets_back_from(NOW)
    return model.bucket_by_bucket(store, user_id, 20, (buckets[0], buckets[-1]), None, kept)


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[CountingStore, list[str]]]:
    """The feed benchmark's platform, projected: its readers all follow its large creators."""
    folder = tmp_path_factory.mktemp("kept-rows")
    setup = feed_query.prepare(folder, feed_query.QUICK)
    store = CountingStore(folder / "read.db")
    feed_query.project(setup.log, store, setup.sizes)
    yield store, list(setup.platform.readers)
    store.close()


def test_pages_read_with_kept_creator_rows_are_those_read_fresh(
    platform: tuple[CountingStore, list[str]],
) -> None:
    # Given every page of every reader read fresh
    store, readers = platform
    fresh = {(r, limit): walked(store, r, limit, FRESH) for r in readers for limit in (1, 7, 20, 100)}
    kept = SharedReads(1.0, clock=lambda: 0.0)  # a moment that does not pass

    # When every reader reads every page in the same moment, creators' rows kept
    pages = {(r, limit): walked(store, r, limit, kept) for r in readers for limit in (1, 7, 20, 100)}

    # Then each page, items and cursor, is the one read fresh
    assert pages == fresh
    assert all(len(p[0].items) == limit for (_, limit), p in pages.items() if limit < 100)


def test_first_pages_asked_in_the_same_moment_read_each_creators_week_once(
    platform: tuple[CountingStore, list[str]],
) -> None:
    # Given the readers' first pages read fresh
    store, readers = platform
    store.asked = []
    fresh = [first_page(store, r, FRESH) for r in readers]
    read_fresh, store.asked = store.asked, []

    # When they are read again in the same moment, creators' rows kept
    kept = SharedReads(1.0, clock=lambda: 0.0)
    pages = [first_page(store, r, kept) for r in readers]

    # Then they are the same pages, and each creator's week was read once between the readers,
    # not once for each reader whose page needed it
    assert pages == fresh
    assert sorted(store.asked) == sorted(set(read_fresh))
    assert len(read_fresh) > 3 * len(store.asked)


def test_rows_kept_for_one_readers_pages_serve_anothers_of_any_length(
    platform: tuple[CountingStore, list[str]],
) -> None:
    # Given one reader's pages read with creators' rows kept, at several lengths
    store, (reader, other, *_) = platform
    kept = SharedReads(1.0, clock=lambda: 0.0)
    for limit in (20, 3, 1):
        walked(store, reader, limit, kept)

    # When another reader of the same creators reads with those rows kept
    for limit in (1, 3, 20, 5):
        # Then every page is still the one read fresh
        assert walked(store, other, limit, kept) == walked(store, other, limit, FRESH)
