"""Watched words in comments: held for a moderator or refused, by policy; a release posts it."""

from __future__ import annotations

import pytest

from domain.access import VideoAccess
from domain.actors import Actor, Role
from domain.decider import fold
from domain.engagement import comments
from domain.errors import InvalidCommand, NotAllowed, NotFound
from domain.screening import CommentAction, parse_words

AUTHOR = Actor("author")
MODERATOR = Actor("mod", Role.MODERATOR)
VIDEO = VideoAccess(video_id="v1", owner_id="owner", published=True)
WORDS = parse_words(["badword"])
HELD = comments.CommentHeld("c1", "v1", "author", "what a b4dw0rd", None, None)


def post(text: str, on_watched_word: CommentAction = CommentAction.HOLD) -> list[comments.Event]:
    cmd = comments.PostComment(AUTHOR, "c1", "v1", text)
    return comments.decide_post_comment(
        comments.initial,
        cmd,
        video=VIDEO,
        follows_owner=False,
        blocked=False,
        words=WORDS,
        on_watched_word=on_watched_word,
    )


def test_a_comment_without_watched_words_is_posted() -> None:
    assert post("nice clip") == [comments.CommentPosted("c1", "v1", "author", "nice clip")]


def test_a_comment_holding_a_watched_word_is_held_not_posted() -> None:
    # When
    events = post("what a b4dw0rd")
    # Then
    assert events == [HELD]
    state = fold(comments.evolve, comments.initial, events)
    assert (state.held, state.posted) == (True, False)


def test_a_held_comment_cannot_be_replied_to_edited_or_deleted_as_if_posted() -> None:
    state = fold(comments.evolve, comments.initial, [HELD])
    with pytest.raises(NotFound):
        comments.ensure_open(state)


def test_the_policy_may_refuse_it_instead_without_naming_the_word() -> None:
    with pytest.raises(InvalidCommand, match=r"^the comment contains a watched word$"):
        post("what a b4dw0rd", CommentAction.REJECT)


def test_a_moderator_releases_a_held_comment_as_it_was_written() -> None:
    # Given
    state = fold(comments.evolve, comments.initial, [HELD])
    # When
    events = comments.decide_release_comment(state, comments.ReleaseComment(MODERATOR, "c1"))
    # Then
    assert events == [comments.CommentPosted("c1", "v1", "author", "what a b4dw0rd", None, None)]
    released = fold(comments.evolve, state, events)
    assert released.posted
    assert comments.decide_release_comment(released, comments.ReleaseComment(MODERATOR, "c1")) == []


def test_only_a_moderator_releases_a_comment() -> None:
    state = fold(comments.evolve, comments.initial, [HELD])
    with pytest.raises(NotAllowed):
        comments.decide_release_comment(state, comments.ReleaseComment(AUTHOR, "c1"))


def test_a_comment_never_held_cannot_be_released() -> None:
    posted = fold(comments.evolve, comments.initial, post("nice clip"))
    with pytest.raises(NotFound):
        comments.decide_release_comment(posted, comments.ReleaseComment(MODERATOR, "c1"))


def test_an_edit_adding_a_watched_word_is_refused() -> None:
    posted = fold(comments.evolve, comments.initial, post("nice clip"))
    edit = comments.EditComment(AUTHOR, "c1", "nice b.a.d.w.o.r.d")
    with pytest.raises(InvalidCommand, match="watched word"):
        comments.decide_edit_comment(posted, edit, words=WORDS)
