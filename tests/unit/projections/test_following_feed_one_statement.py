"""The Following feed read in one statement on SQLite serves the very pages the bucket-by-bucket
walk through the port serves: on the feed benchmark's platform, and where the two could part
(a video both fanned out and merged, a tie between sources, cursors, buckets at the horizon)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.routers.following_feed import FollowingFeedPage, page_json
from benchmarks import feed_query
from migrations.runner import apply_pending
from read_models import following_feed as model
from read_models.listing import bucket_cursor, parse_bucket_cursor
from read_models.sqlite import SQLiteReadStore

NOW = datetime.now(UTC)
ANN = "0190aaaa-bbbb-7ccc-8ddd-00000000000a"
BIG = "0190aaaa-bbbb-7ccc-8ddd-00000000000b"
SMALL = "0190aaaa-bbbb-7ccc-8ddd-00000000000c"
OTHER = "0190aaaa-bbbb-7ccc-8ddd-00000000000d"


def walk(store: SQLiteReadStore, user_id: str, limit: int, one_statement: bool) -> list[model.FeedPage]:
    """Every page of the user's feed, following the cursors, read one way or the other."""
    pages, cursor = [], None
    while True:
        page = (
            model.following_feed(store, user_id, limit, cursor, NOW)
            if one_statement
            else _walked(store, user_id, limit, cursor)
        )
        pages.append(page)
        if page.next_cursor is None or len(pages) > 100:
            return pages
        cursor = page.next_cursor


def _walked(store: SQLiteReadStore, user_id: str, limit: int, cursor: str | None) -> model.FeedPage:
    """The bucket-by-bucket walk with exactly the arguments ``following_feed`` hands either read."""
    buckets = model.buckets_back_from(NOW)
    bucket, after = (
        parse_bucket_cursor(store.cursors, model.CURSOR_KIND, cursor) if cursor else (buckets[0], None)
    )
    return model.bucket_by_bucket(store, user_id, limit, (min(bucket, buckets[0]), buckets[-1]), after)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteReadStore]:
    s = SQLiteReadStore(tmp_path / "read.db")
    apply_pending(s)
    yield s
    s.close()


def test_every_page_of_every_reader_on_the_benchmark_platform_is_the_same(tmp_path: Path) -> None:
    # Given the feed benchmark's platform, projected
    setup = feed_query.prepare(tmp_path, feed_query.QUICK)
    store = SQLiteReadStore(tmp_path / "read.db")
    try:
        feed_query.project(setup.log, store, setup.sizes)
        for limit in (1, 7, 20):
            for reader in setup.platform.readers:
                # When every page is read both ways
                ours, walked = walk(store, reader, limit, True), walk(store, reader, limit, False)

                # Then the pages, items and cursors alike, are the same
                assert ours == walked
                assert sum(len(p.items) for p in ours) > limit
    finally:
        store.close()


def test_a_video_both_fanned_out_and_merged_appears_once_and_ties_keep_the_walks_order(
    store: SQLiteReadStore,
) -> None:
    # Given a reader whose own partition and a merged creator's both hold the same videos (as after
    # the creator grew large), a merged creator with a video at the same instant as one of the
    # reader's, and videos over several weeks up to the horizon
    for table in model.TABLES:
        store.create_table(model.MODEL.table(store, table))
    feed, videos, merged = (
        model.MODEL.table(store, t)
        for t in (model.FOLLOWING_FEED, model.CREATOR_VIDEOS, model.MERGED_CREATORS)
    )
    for creator in (BIG, OTHER):
        store.upsert(merged, {"user_id": ANN, "creator_id": creator})
    for i in range(40):
        at = (NOW - timedelta(days=i * 1.4, minutes=i)).replace(microsecond=0)
        row = {
            "bucket": model.bucket_of(at),
            "published_at": at,
            "video_id": f"0190aaaa-bbbb-7ccc-8ddd-{i:012d}",
            "visibility": "public",
            "hashtags": [f"t{i}"] if i % 3 else [],
        }
        if i % 4 == 0:
            store.upsert(feed, {**row, "owner_id": BIG, "user_id": ANN, "hashtags": ["fanned"]})
        if i % 2 == 0:
            store.upsert(videos, {**row, "owner_id": BIG})
        else:
            store.upsert(feed, {**row, "owner_id": SMALL, "user_id": ANN})
        if i % 5 == 0:
            tie = {**row, "video_id": f"0190aaaa-bbbb-7ccc-8ddd-{i + 900:012d}", "owner_id": OTHER}
            store.upsert(videos, tie)

    for limit in (1, 2, 3, 5, 20, 100):
        # When every page is read both ways
        ours, walked = walk(store, ANN, limit, True), walk(store, ANN, limit, False)

        # Then they agree, and no video shows twice
        assert ours == walked
        ids = [item.video_id for page in ours for item in page.items]
        assert len(ids) == len(set(ids))


def test_a_cursor_past_now_or_beyond_the_horizon_reads_alike(store: SQLiteReadStore) -> None:
    # Given a reader with tables but nothing in them
    for table in model.TABLES:
        store.create_table(model.MODEL.table(store, table))
    last = {"published_at": NOW, "video_id": "z"}
    ahead = bucket_cursor(store.cursors, model.CURSOR_KIND, model.bucket_of(NOW) + 3, last)
    behind = bucket_cursor(store.cursors, model.CURSOR_KIND, model.bucket_of(NOW - model.HORIZON) - 2, last)

    for cursor in (ahead, behind):
        # When / Then
        assert model.following_feed(store, ANN, 5, cursor, NOW) == _walked(store, ANN, 5, cursor)


@pytest.mark.parametrize("next_cursor", ["c", None])
def test_the_route_writes_the_bytes_fastapi_wrote_for_the_model(next_cursor: str | None) -> None:
    # Given a page's items, and an app that returns them as the model for FastAPI to check and
    # write, as the route did
    at = datetime(2026, 3, 1, 12, 30, 15, 123000, tzinfo=UTC)
    items: list[dict[str, Any]] = [
        {"video_id": "v", "owner_id": "o", "published_at": at, "visibility": "public",
         "hashtags": ["ä", 'q"uote', "\u2028", "\x00\t\n/<>&'\\", "🎬"], "labels": ["x"]},
        {"video_id": "w", "owner_id": "p", "published_at": at.replace(microsecond=0),
         "visibility": "followers", "hashtags": [], "labels": []},
        {"video_id": "x", "owner_id": "q", "published_at": at.replace(microsecond=7),
         "visibility": "public", "hashtags": ["a"], "labels": ["graphic", "spoiler"]},
    ]  # fmt: skip
    page = FollowingFeedPage.model_validate({"items": items, "next_cursor": next_cursor})
    app = FastAPI()

    @app.get("/page")
    def as_model() -> FollowingFeedPage:
        return page

    # When FastAPI writes it, and the route's writer does
    expected = TestClient(app).get("/page").content

    # Then the bytes are the same
    assert page_json(items, next_cursor) == expected
