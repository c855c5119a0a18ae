"""Given comments screening held, then the threads: listed to their author alone until released."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.accounts.events import ErasureRequested
from domain.engagement.comments import CommentHeld, CommentPosted
from projections.models.comment_threads import PROJECTOR
from read_models import comment_threads
from tests.unit.projections.world import World

V = "0190aaaa-bbbb-7ccc-8ddd-000000000002"
AUTHOR, OTHER = "author", "other"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path)
    yield w
    w.close()


def posted(comment_id: str, parent: str | None = None, author: str = OTHER) -> CommentPosted:
    return CommentPosted(comment_id, V, author, f"text of {comment_id}", parent_id=parent, reply_to_id=parent)


def held(comment_id: str, parent: str | None = None) -> CommentHeld:
    return CommentHeld(comment_id, V, AUTHOR, f"text of {comment_id}", parent_id=parent, reply_to_id=parent)


def released(comment_id: str, parent: str | None = None) -> CommentPosted:
    """A moderator's release posts the held comment as it was written."""
    return posted(comment_id, parent, author=AUTHOR)


def top(world: World, viewer: str | None) -> list[tuple[str, bool]]:
    page = comment_threads.top_level(world.store, V, viewer_id=viewer)
    return [(c.comment_id, c.held) for c in page.items]


def replies(world: World, viewer: str | None) -> list[tuple[str, bool]]:
    page = comment_threads.replies(world.store, "c1", viewer_id=viewer)
    return [(c.comment_id, c.held) for c in page.items]


def test_a_held_comment_is_listed_to_its_author_alone(world: World) -> None:
    # Given
    world.given(posted("c1"), held("h1"), posted("c2"))
    # When
    world.project(PROJECTOR)
    # Then: its author sees it, marked held, leading the first page; nobody else sees it
    assert top(world, AUTHOR) == [("h1", True), ("c2", False), ("c1", False)]
    assert top(world, OTHER) == [("c2", False), ("c1", False)]
    assert top(world, None) == [("c2", False), ("c1", False)]
    assert [c.comment_id for c in comment_threads.top_level(world.store, V, order="top").items] == [
        "c1",
        "c2",
    ]
    # And nothing can be read under it
    assert comment_threads.video_of(world.store, "h1") is None


def test_a_held_reply_is_listed_to_its_author_and_counts_in_no_parent(world: World) -> None:
    # Given
    world.given(posted("c1"), posted("r1", "c1"), held("h1", "c1"))
    # When
    world.project(PROJECTOR)
    # Then
    assert replies(world, AUTHOR) == [("r1", False), ("h1", True)]
    assert replies(world, OTHER) == [("r1", False)]
    (parent,) = comment_threads.top_level(world.store, V).items
    assert parent.reply_count == 1


def test_a_released_comment_is_listed_to_everyone_and_no_longer_held(world: World) -> None:
    # Given
    world.given(posted("c1"), held("h1"), held("h2", "c1"))
    world.project(PROJECTOR)
    # When a moderator releases both
    world.given(released("h1"), released("h2", "c1"))
    world.project(PROJECTOR)
    # Then
    assert top(world, OTHER) == [("h1", False), ("c1", False)]
    assert top(world, AUTHOR) == [("h1", False), ("c1", False)]
    assert replies(world, OTHER) == [("h2", False)]
    assert replies(world, AUTHOR) == [("h2", False)]
    assert comment_threads.top_level(world.store, V).items[1].reply_count == 1


def test_a_replayed_release_lists_the_comment_once_and_counts_it_once(world: World) -> None:
    # Given a hold and a release already projected
    world.given(posted("c1"), held("h1", "c1"), released("h1", "c1"))
    world.project(PROJECTOR)
    # When everything comes again (a checkpoint lost)
    world.forget_checkpoint(PROJECTOR)
    world.project(PROJECTOR)
    # Then
    assert replies(world, AUTHOR) == [("h1", False)]
    assert comment_threads.top_level(world.store, V).items[0].reply_count == 1


def test_an_erased_authors_held_comments_leave_their_list(world: World) -> None:
    # Given
    world.given(posted("c1"), posted("r1", "c1"), held("h1"), held("h2", "c1"))
    world.project(PROJECTOR)
    # When the author is erased
    world.given(ErasureRequested(AUTHOR, AUTHOR))
    world.keys.erase(AUTHOR)
    world.project(PROJECTOR)
    # Then nothing of theirs is listed, and the parent's count is untouched
    assert top(world, AUTHOR) == [("c1", False)]
    assert replies(world, AUTHOR) == [("r1", False)]
    assert comment_threads.top_level(world.store, V).items[0].reply_count == 1
