"""Given comment events, then thread rows and pages; replays give the rows of one clean pass."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.accounts.events import ErasureRequested
from domain.engagement.comment_likes import CommentLiked, CommentUnliked
from domain.engagement.comments import CommentDeleted, CommentEdited, CommentPosted
from domain.events import DomainEvent
from domain.videos.events import CommentPinned, CommentUnpinned
from projections.models.comment_threads import PROJECTOR
from projections.rebuild import live_or_first
from projections.runner import Runner
from read_models import comment_threads
from read_models.comment_threads import CommentPage
from read_models.port import ReadStore, TableWrite
from read_models.projection_state import PROJECTION_STATE
from tests.unit.projections.world import World

V = "0190aaaa-bbbb-7ccc-8ddd-000000000001"
W = "0190aaaa-bbbb-7ccc-8ddd-000000000002"
OWNER = "0190aaaa-bbbb-7ccc-8ddd-0000000000ff"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path)
    yield w
    w.close()


def ids(page: CommentPage) -> list[str]:
    return [item.comment_id for item in page.items]


def top(world: World, video_id: str = V, **options: Any) -> CommentPage:
    return comment_threads.top_level(world.store, video_id, **options)


def posted(comment_id: str, author: str = "u1", text: str = "hi", parent: str | None = None) -> CommentPosted:
    return CommentPosted(comment_id, V, author, text, parent_id=parent, reply_to_id=parent)


def deleted(comment_id: str, parent: str | None = None) -> CommentDeleted:
    return CommentDeleted(comment_id, V, "u1", "author", parent_id=parent)


def test_top_level_comments_come_newest_first_and_page_with_cursors(world: World) -> None:
    world.given(posted("c1"), posted("c2"), posted("c3"), CommentPosted("x", W, "u1", "other video"))
    world.project(PROJECTOR)
    first = top(world, limit=2)
    assert ids(first) == ["c3", "c2"]
    assert first.next_cursor is not None
    second = top(world, limit=2, cursor=first.next_cursor)
    assert (ids(second), second.next_cursor) == (["c1"], None)
    assert ids(top(world, W)) == ["x"]
    item = first.items[0]
    assert (item.author_id, item.text, item.likes, item.reply_count, item.deleted) == (
        "u1",
        "hi",
        0,
        0,
        False,
    )


def test_top_order_follows_like_changes(world: World) -> None:
    world.given(
        posted("c1"),
        posted("c2"),
        posted("c3"),
        CommentLiked("u1", "c2"),
        CommentLiked("u2", "c2"),
        CommentLiked("u1", "c3"),
    )
    world.project(PROJECTOR)
    assert ids(top(world, order="top")) == ["c2", "c3", "c1"]
    world.given(CommentUnliked("u1", "c2"), CommentUnliked("u2", "c2"), CommentLiked("u3", "c1"))
    world.project(PROJECTOR)
    page = top(world, order="top")
    assert ids(page) == ["c1", "c3", "c2"]
    assert [item.likes for item in page.items] == [1, 1, 0]
    # the old clustering rows are gone, not left behind
    assert len(page.items) == 3


def test_the_pinned_comment_leads_the_first_page_only(world: World) -> None:
    world.given(posted("c1"), posted("c2"), posted("c3"), CommentPinned(V, OWNER, "c1"))
    world.project(PROJECTOR)
    first = top(world, limit=2)
    assert ids(first) == ["c1", "c3", "c2"]
    assert [item.pinned for item in first.items] == [True, False, False]
    assert ids(top(world, limit=2, cursor=first.next_cursor)) == []
    assert ids(top(world, order="top")) == ["c1", "c2", "c3"]
    world.given(CommentUnpinned(V, OWNER, "c1"), CommentPinned(V, OWNER, "c2"))
    world.project(PROJECTOR)
    assert ids(top(world)) == ["c2", "c3", "c1"]
    world.given(CommentUnpinned(V, OWNER, "c2"))
    world.project(PROJECTOR)
    assert ids(top(world)) == ["c3", "c2", "c1"]


def test_replies_come_oldest_first_and_count_on_their_parent(world: World) -> None:
    world.given(
        posted("c1"),
        posted("r1", parent="c1"),
        posted("r2", parent="c1"),
        CommentPosted("r3", V, "u2", "re r1", parent_id="c1", reply_to_id="r1"),
    )
    world.project(PROJECTOR)
    page = comment_threads.replies(world.store, "c1", limit=2)
    assert ids(page) == ["r1", "r2"]
    rest = comment_threads.replies(world.store, "c1", limit=2, cursor=page.next_cursor)
    assert ids(rest) == ["r3"]
    assert rest.items[0].reply_to_id == "r1"
    assert ids(top(world)) == ["c1"]
    assert top(world).items[0].reply_count == 3


def test_a_deleted_comment_with_replies_shows_as_deleted_and_without_disappears(world: World) -> None:
    world.given(
        posted("c1"),
        posted("r1", parent="c1"),
        posted("c2"),
        CommentLiked("u2", "c2"),
        deleted("c1"),
        deleted("c2"),
    )
    world.project(PROJECTOR)
    page = top(world)
    assert ids(page) == ["c1"]
    assert (page.items[0].deleted, page.items[0].text, page.items[0].reply_count) == (True, None, 1)
    assert ids(top(world, order="top")) == ["c1"]
    # once its last reply goes, the deleted comment goes too
    world.given(deleted("r1", parent="c1"))
    world.project(PROJECTOR)
    assert ids(top(world)) == []
    assert ids(top(world, order="top")) == []
    assert ids(comment_threads.replies(world.store, "c1")) == []


def test_an_edit_replaces_the_text_everywhere(world: World) -> None:
    world.given(posted("c1", text="first"), posted("r1", parent="c1", text="reply"))
    world.given(
        CommentEdited("c1", V, "u1", "second"), CommentEdited("r1", V, "u1", "reply!", parent_id="c1")
    )
    world.project(PROJECTOR)
    for page in (top(world), top(world, order="top")):
        assert [(item.text, item.edited) for item in page.items] == [("second", True)]
    assert [item.text for item in comment_threads.replies(world.store, "c1").items] == ["reply!"]


def test_an_erased_authors_comments_read_as_deleted_by_nobody_when_replayed(world: World) -> None:
    # Given an erased author's comment with a reply, one without, and a reply, all decoded without
    # their key (a replay after the erasure)
    world.given(posted("c1", author="gone", text="secret"), posted("c2", author="u2", text="kept"))
    world.given(posted("c3", author="gone", text="lonely"), posted("r2", author="u2", parent="c1"))
    world.given(posted("r1", author="gone", text="also secret", parent="c2"))
    world.keys.erase("gone")
    # When projected
    world.project(PROJECTOR)
    # Then theirs read as deleted ones, by nobody; the others' stay as they were
    by_id = {item.comment_id: item for item in top(world).items}
    assert set(by_id) == {"c1", "c2"}
    c1, c2 = by_id["c1"], by_id["c2"]
    assert (c1.author_id, c1.text, c1.erased, c1.deleted, c1.reply_count) == (None, None, True, True, 1)
    assert (c2.author_id, c2.text, c2.reply_count) == ("u2", "kept", 0)
    assert ids(comment_threads.replies(world.store, "c1")) == ["r2"]
    assert ids(comment_threads.replies(world.store, "c2")) == []
    rows = [world.row(PROJECTOR, "comment_rows", comment_id=c) or {} for c in ("c1", "c3", "r1")]
    assert [row["author_id"] for row in rows] == [None, None, None]


def test_an_erasure_leaves_the_authors_comments_deleted_by_nobody_and_the_threads_whole(world: World) -> None:
    # Given the author's comments and replies are projected while their key still exists: one with a
    # reply by someone else, one with their own replies under it, and two replies under another's
    world.given(posted("c1", author="gone", text="secret"), posted("c2", author="u2", text="kept"))
    world.given(posted("c3", author="gone", text="mine"), posted("r3", author="gone", parent="c3"))
    world.given(posted("r1", author="gone", text="also secret", parent="c2"), posted("r2", parent="c1"))
    world.given(posted("r4", author="gone", text="again", parent="c2"))
    world.project(PROJECTOR)
    # When the author is erased
    world.given(ErasureRequested("gone", "gone"))
    world.keys.erase("gone")
    world.project(PROJECTOR)
    # Then their comments read as deleted, by nobody: the one with another's reply stays, with it
    by_id = {item.comment_id: item for item in top(world).items}
    assert set(by_id) == {"c1", "c2"}
    c1, c2 = by_id["c1"], by_id["c2"]
    assert (c1.author_id, c1.text, c1.erased, c1.deleted, c1.reply_count) == (None, None, True, True, 1)
    assert (c2.author_id, c2.text, c2.reply_count) == ("u2", "kept", 0)
    assert [(r.comment_id, r.author_id) for r in comment_threads.replies(world.store, "c1").items] == [
        ("r2", "u1")
    ]
    assert comment_threads.replies(world.store, "c2").items == []
    assert {i.comment_id: i.author_id for i in top(world, order="top").items} == {"c1": None, "c2": "u2"}
    # and no row of the projector names them any more
    for comment_id in ("c1", "c3", "r1", "r3", "r4"):
        assert (world.row(PROJECTOR, "comment_rows", comment_id=comment_id) or {})["author_id"] is None
    by_author = world.table(PROJECTOR, "comments_by_author")
    assert world.store.page(by_author, {"author_id": "gone"}).rows == []


def test_an_erasure_replayed_from_before_it_ends_as_one_pass(world: World) -> None:
    # Given an erasure of an author with replies under another's comment, projected
    world.given(posted("c2", author="u2", text="kept"), posted("r1", author="gone", parent="c2"))
    world.given(posted("r4", author="gone", parent="c2"), posted("r5", author="u3", parent="c2"))
    world.project(PROJECTOR)
    world.given(ErasureRequested("gone", "gone"))
    world.keys.erase("gone")
    world.project(PROJECTOR)
    # When the projector goes back to before the erasure (as after a lost checkpoint) and runs again
    world.forget_checkpoint(PROJECTOR)
    world.project(PROJECTOR)
    # Then the parent counts the one live reply, once
    assert (world.row(PROJECTOR, "comment_rows", comment_id="c2") or {})["reply_count"] == 1


class LosesTheParentsRow:
    """A store on which a flush lands everything but the parent's state row and the checkpoint: a
    Cassandra wave cut short by a crash."""

    def __init__(self, store: ReadStore) -> None:
        self._store = store

    def write_all(self, waves: Sequence[Sequence[TableWrite]]) -> None:
        kept = [
            [
                (table, write)
                for table, write in wave
                if table.name != PROJECTION_STATE.name
                and not (table.name.startswith("comment_rows") and write.values["comment_id"] == "c1")
            ]
            for wave in waves
        ]
        self._store.write_all(kept)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


@pytest.mark.parametrize("second", ["reply", "delete"])
def test_a_replys_row_that_landed_without_its_parents_still_moves_the_parents_count(
    world: World, second: str
) -> None:
    # Given a parent (and for "delete" its reply) projected
    world.given(posted("c1"), *([posted("r1", parent="c1")] if second == "delete" else []))
    world.project(PROJECTOR)
    # When the next reply event lands on the reply's row but neither on the parent's nor the checkpoint
    head = world.given(posted("r1", parent="c1") if second == "reply" else deleted("r1", parent="c1"))
    lossy = LosesTheParentsRow(world.store)
    build = live_or_first(world.store, PROJECTOR)
    Runner(PROJECTOR, events=world.events, codec=world.codec, store=lossy, build=build).run(until=head)
    # and the runner starts again from its checkpoint
    world.project(PROJECTOR)
    # Then the replay still moves the parent's count
    expected = 1 if second == "reply" else 0
    assert (world.row(PROJECTOR, "comment_rows", comment_id="c1") or {})["reply_count"] == expected


def test_a_lost_checkpoint_replays_without_counting_twice(world: World) -> None:
    world.given(posted("c1"), posted("r1", parent="c1"), CommentLiked("u2", "c1"))
    world.project(PROJECTOR)
    world.forget_checkpoint(PROJECTOR)
    world.project(PROJECTOR)
    item = top(world).items[0]
    assert (item.likes, item.reply_count) == (1, 1)
    assert ids(top(world, order="top")) == ["c1"]


# -- replay property -------------------------------------------------------------------------------

comment_ids = ["c1", "c2", "c3"]
reply_ids = ["r1", "r2"]
users = st.sampled_from(["u1", "u2", "u3"])
top_ids = st.sampled_from(comment_ids)
any_ids = st.sampled_from(comment_ids + reply_ids)
activity = st.one_of(
    st.builds(CommentLiked, users, any_ids),
    st.builds(CommentUnliked, users, any_ids),
    st.builds(lambda c: CommentEdited(c, V, "u1", f"edit {c}"), top_ids),
    st.builds(lambda c: CommentDeleted(c, V, "u1", "author"), top_ids),
    st.builds(lambda r: CommentDeleted(r, V, "u1", "author", parent_id="c1"), st.sampled_from(reply_ids)),
    st.builds(lambda c: CommentPinned(V, OWNER, c), top_ids),
    st.builds(lambda c: CommentUnpinned(V, OWNER, c), top_ids),
)


def snapshot(world: World) -> dict[str, Any]:
    def everything(page: CommentPage) -> list[tuple[Any, ...]]:
        return [
            (i.comment_id, i.text, i.likes, i.reply_count, i.deleted, i.pinned, i.edited) for i in page.items
        ]

    # each world stamps its own occurred_at, so times (and the newest order they give) are left out
    rows = {c: world.row(PROJECTOR, "comment_rows", comment_id=c) for c in comment_ids + reply_ids}
    for row in rows.values():
        if row is not None:
            row.pop("posted_at")
    return {
        "newest": sorted(everything(top(world, limit=100))),
        "top": everything(top(world, order="top", limit=100)),
        "replies": everything(comment_threads.replies(world.store, "c1", limit=100)),
        "rows": rows,
    }


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=st.lists(activity, max_size=25), replay_from=st.integers(0, 30))
def test_replaying_any_suffix_gives_the_rows_of_one_clean_pass(
    tmp_path_factory: pytest.TempPathFactory, events: list[DomainEvent], replay_from: int
) -> None:
    # Given the same history (comments first, then any activity) projected once cleanly, and once
    # with a suffix replayed
    history: list[DomainEvent] = [posted(c) for c in comment_ids]
    history += [posted(r, parent="c1") for r in reply_ids]
    history += events
    clean = World(tmp_path_factory.mktemp("clean"))
    replayed = World(tmp_path_factory.mktemp("replayed"))
    positions = [0]
    for e in history:
        clean.given(e)
        positions.append(replayed.given(e))
    clean.project(PROJECTOR)
    replayed.project(PROJECTOR)
    # When the replayed one goes back to an earlier checkpoint (as after a crash) and runs again
    replayed.rewind(PROJECTOR, positions[min(replay_from, len(history))])
    replayed.project(PROJECTOR)
    # Then every row and page is the same
    assert snapshot(clean) == snapshot(replayed)
    clean.close()
    replayed.close()
