"""The Following feed projector on a real Cassandra node: the same rows as on SQLite, through fan-out,
a threshold crossing both ways, a block and an erasure, and again after a lost checkpoint.

Cassandra applies each write on its own, stamped with the event's position and a TTL; SQLite mirrors
those semantics. Only a real node shows that the two agree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from api.shared_reads import SharedReads
from benchmarks import feed_query
from domain.accounts.events import ErasureRequested
from domain.social import UserBlocked, UserFollowed, UserUnfollowed
from domain.videos.events import VideoHidden, VideoPublished, VideoRestored
from migrations.runner import apply_pending
from projections.models.following_feed import make_projector
from read_models import following_feed as model
from read_models.kept import FRESH, Kept
from read_models.port import ReadStore
from tests.contract.read_store_backends import OPENERS, cassandra_address
from tests.unit.projections.world import World

ANN = "0190aaaa-bbbb-7ccc-8ddd-00000000000a"
BOB = "0190aaaa-bbbb-7ccc-8ddd-00000000000b"
CAT = "0190aaaa-bbbb-7ccc-8ddd-00000000000c"
DAN = "0190aaaa-bbbb-7ccc-8ddd-00000000000d"
V1, V2, V3, V4 = (f"0190aaaa-bbbb-7ccc-8ddd-00000000000{n}" for n in range(1, 5))
PROJECTOR = make_projector(threshold=2)


def published(video_id: str, owner: str, visibility: str = "public") -> VideoPublished:
    return VideoPublished(video_id, owner, "caption", ["t"], visibility, True)


def history(world: World) -> None:
    world.given(UserFollowed(BOB, ANN), UserFollowed(CAT, ANN), UserFollowed(DAN, CAT))
    world.given(published(V1, ANN), published(V2, CAT, "followers"))
    world.given(UserFollowed(DAN, ANN), UserFollowed(BOB, CAT), published(V3, ANN))  # Ann turns large
    world.given(
        VideoHidden(V1, ANN, DAN, "spam"), UserBlocked(CAT, BOB), UserUnfollowed(CAT, ANN, "requested")
    )
    world.given(UserUnfollowed(DAN, ANN, "requested"), VideoRestored(V1, ANN, DAN, "ok"))  # small again
    world.given(published(V4, CAT), ErasureRequested(DAN, DAN))


def snapshot(world: World) -> dict[str, list[str]]:
    return {
        t.name: sorted(repr(sorted(r.items())) for r in world.store.scan(world.table(PROJECTOR, t.name)))
        for t in PROJECTOR.tables
    }


def test_the_feed_rows_agree_on_both_stores_and_survive_a_replay(tmp_path: Path) -> None:
    cassandra_address()  # skips without a node (fails when one is required)
    seen: dict[str, dict[str, Any]] = {}
    for name in ("sqlite", "cassandra"):
        with OPENERS[name](tmp_path) as store:
            apply_pending(store)
            world = World(tmp_path, read_store=store)  # both read the one event log in tmp_path
            if not seen:
                history(world)
            # Given the history projected once
            world.project(PROJECTOR)
            first = snapshot(world)
            # When the checkpoint is lost and every event comes again
            world.forget_checkpoint(PROJECTOR)
            world.project(PROJECTOR)
            # Then nothing changed, and the feeds read as they should
            assert snapshot(world) == first
            assert [i.video_id for i in model.following_feed(store, BOB, 10).items] == [V3, V1]
            assert [i.video_id for i in model.following_feed(store, BOB, 1).items] == [V3]
            assert model.following_feed(store, DAN, 10).items == []
            seen[name] = first
            world.events.close()
            world.keys.close()
    assert seen["sqlite"] == seen["cassandra"]


def every_page(store: ReadStore, user_id: str, limit: int, kept: Kept) -> list[model.FeedPage]:
    """The user's feed page after page, following the cursors, as the API reads it."""
    pages: list[model.FeedPage] = []
    cursor: str | None = None
    while len(pages) < 100:
        pages.append(model.following_feed(store, user_id, limit, cursor, kept=kept))
        cursor = pages[-1].next_cursor
        if cursor is None:
            break
    return pages


def test_pages_read_with_a_large_creators_rows_kept_are_those_read_fresh(tmp_path: Path) -> None:
    cassandra_address()  # skips without a node (fails when one is required)
    # Given the feed benchmark's platform projected into a node: every reader follows its large
    # creators, whose rows are merged in at read time
    setup = feed_query.prepare(tmp_path, feed_query.QUICK)
    assert setup.platform.large
    with OPENERS["cassandra"](tmp_path) as store:
        feed_query.project(setup.log, store, setup.sizes)
        readers = setup.platform.readers[:8]
        fresh = {(r, limit): every_page(store, r, limit, FRESH) for r in readers for limit in (7, 20)}

        # When they are read again with the creators' rows kept, in a moment that does not pass
        kept = SharedReads(1.0, clock=lambda: 0.0)
        pages = {(r, limit): every_page(store, r, limit, kept) for r in readers for limit in (7, 20)}

        # Then every page, items and cursor alike, is the one read fresh, and they were kept
        assert pages == fresh
        assert all(len(v[0].items) == limit for (_, limit), v in pages.items())
