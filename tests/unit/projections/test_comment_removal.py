"""Given comments a moderator removed and restored, then the threads read by everyone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.engagement.comments import CommentPosted, CommentRemoved, CommentRestored
from projections.models.comment_threads import PROJECTOR
from read_models import comment_threads
from tests.unit.projections.world import World

V = "0190aaaa-bbbb-7ccc-8ddd-000000000001"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path)
    yield w
    w.close()


def posted(comment_id: str, parent: str | None = None) -> CommentPosted:
    return CommentPosted(comment_id, V, "u1", f"text of {comment_id}", parent_id=parent, reply_to_id=parent)


def removed(comment_id: str, parent: str | None = None) -> CommentRemoved:
    return CommentRemoved(comment_id, V, "u1", "mod", "insult", parent_id=parent)


def restored(comment_id: str, parent: str | None = None) -> CommentRestored:
    return CommentRestored(comment_id, V, "u1", "mod", "appeal", parent_id=parent)


def shown(world: World) -> list[tuple[str, str | None]]:
    """Newest first; the most-liked order lists the same comments."""
    newest = comment_threads.top_level(world.store, V, order="newest").items
    top = comment_threads.top_level(world.store, V, order="top").items
    assert {c.comment_id for c in top} == {c.comment_id for c in newest}
    return [(c.comment_id, c.text) for c in newest]


def test_a_removed_comment_leaves_the_thread_and_a_restored_one_comes_back(world: World) -> None:
    # Given
    world.given(posted("c1"), posted("c2"), removed("c1"))
    # When
    world.project(PROJECTOR)
    # Then
    assert shown(world) == [("c2", "text of c2")]
    # When restored
    world.given(restored("c1"))
    world.project(PROJECTOR)
    # Then it is back, with its text
    assert shown(world) == [("c2", "text of c2"), ("c1", "text of c1")]


def test_a_removed_reply_leaves_its_parents_replies(world: World) -> None:
    world.given(posted("c1"), posted("r1", "c1"), posted("r2", "c1"), removed("r1", "c1"))
    world.project(PROJECTOR)
    page = comment_threads.replies(world.store, "c1")
    assert [c.comment_id for c in page.items] == ["r2"]


def test_a_removed_comment_with_replies_stays_as_a_deleted_one_without_its_text(world: World) -> None:
    world.given(posted("c1"), posted("r1", "c1"), removed("c1"))
    world.project(PROJECTOR)
    (item,) = comment_threads.top_level(world.store, V).items
    assert (item.comment_id, item.text, item.deleted) == ("c1", None, True)
