"""Engagement on the actor's side: video likes, shares, comments and comment likes."""

from __future__ import annotations

from typing import Any, cast

import pytest

from domain.access import VideoAccess, Visibility
from domain.actors import Actor, Role
from domain.decider import fold
from domain.engagement import comment_likes, comments, likes
from domain.engagement.comment_likes import CommentLiked, CommentUnliked, LikeComment, UnlikeComment
from domain.engagement.comments import (
    CommentDeleted,
    CommentEdited,
    CommentPosted,
    CommentRemoved,
    CommentRestored,
    DeleteComment,
    EditComment,
    PostComment,
)
from domain.engagement.likes import LikeVideo, UnlikeVideo, VideoLiked, VideoUnliked
from domain.engagement.shares import ShareChannel, ShareVideo, VideoShared, decide_share_video
from domain.errors import Conflict, DomainError, InvalidCommand, NotFound
from domain.events import DomainEvent, event_from_data

OWNER = Actor("owner")
VIEWER = Actor("viewer")
STRANGER = Actor("stranger")
MODERATOR = Actor("mod", Role.MODERATOR)


def video(**changes: Any) -> VideoAccess:
    """A published public video by ``owner``, with the given changes."""
    return VideoAccess(**{"video_id": "v1", "owner_id": "owner", "published": True, **changes})


#: Who may not engage with which video: (actor, video changes, follows_owner, blocked, error, message).
REFUSALS = [
    pytest.param(VIEWER, {"exists": False}, False, False, NotFound, "not found", id="missing"),
    pytest.param(VIEWER, {"published": False}, False, False, NotFound, "not found", id="unpublished"),
    pytest.param(VIEWER, {"hidden": True}, False, False, NotFound, "not found", id="hidden"),
    pytest.param(VIEWER, {"deleted": True}, False, False, Conflict, "deleted", id="deleted"),
    pytest.param(OWNER, {"published": False}, False, False, Conflict, "not published", id="own-draft"),
    pytest.param(OWNER, {"hidden": True}, False, False, Conflict, "hidden", id="own-hidden"),
    pytest.param(
        VIEWER, {"visibility": Visibility.PRIVATE}, True, False, NotFound, "not found", id="private"
    ),
    pytest.param(
        VIEWER, {"visibility": Visibility.FOLLOWERS}, False, False, NotFound, "not found", id="not-a-follower"
    ),
    pytest.param(VIEWER, {}, False, True, NotFound, "not found", id="blocked-by-owner"),
]


# -- video likes -----------------------------------------------------------------------------------


def test_liking_a_visible_video_records_a_like() -> None:
    # Given
    state = likes.initial
    # When
    events = likes.decide_like_video(
        state, LikeVideo(VIEWER, "v1"), video=video(), follows_owner=False, blocked=False
    )
    # Then
    assert events == [VideoLiked(user_id="viewer", video_id="v1")]
    assert fold(likes.evolve, state, events).liked


def test_liking_twice_records_one_like() -> None:
    # Given
    state = fold(likes.evolve, likes.initial, [VideoLiked("viewer", "v1")])
    # When
    events = likes.decide_like_video(
        state, LikeVideo(VIEWER, "v1"), video=video(), follows_owner=False, blocked=False
    )
    # Then
    assert events == []


def test_liking_again_after_an_unlike_records_a_new_like() -> None:
    # Given
    history: list[likes.Event] = [VideoLiked("viewer", "v1"), VideoUnliked("viewer", "v1")]
    state = fold(likes.evolve, likes.initial, history)
    # When
    events = likes.decide_like_video(
        state, LikeVideo(VIEWER, "v1"), video=video(), follows_owner=False, blocked=False
    )
    # Then
    assert events == [VideoLiked(user_id="viewer", video_id="v1")]


def test_the_owner_may_like_their_own_private_video() -> None:
    # Given
    private = video(visibility=Visibility.PRIVATE)
    # When
    events = likes.decide_like_video(
        likes.initial, LikeVideo(OWNER, "v1"), video=private, follows_owner=False, blocked=False
    )
    # Then
    assert events == [VideoLiked(user_id="owner", video_id="v1")]


def test_a_follower_may_like_a_followers_only_video() -> None:
    # Given
    followers_only = video(visibility=Visibility.FOLLOWERS)
    # When
    events = likes.decide_like_video(
        likes.initial, LikeVideo(VIEWER, "v1"), video=followers_only, follows_owner=True, blocked=False
    )
    # Then
    assert events == [VideoLiked(user_id="viewer", video_id="v1")]


@pytest.mark.parametrize(("actor", "changes", "follows", "blocked", "error", "message"), REFUSALS)
def test_liking_is_refused_where_the_actor_may_not_engage(
    actor: Actor,
    changes: dict[str, Any],
    follows: bool,
    blocked: bool,
    error: type[DomainError],
    message: str,
) -> None:
    # Given
    access = video(**changes)
    # When / Then
    with pytest.raises(error, match=message):
        likes.decide_like_video(
            likes.initial, LikeVideo(actor, "v1"), video=access, follows_owner=follows, blocked=blocked
        )


def test_liking_without_a_video_id_is_refused() -> None:
    # Given
    state = likes.initial
    # When / Then
    with pytest.raises(InvalidCommand, match="video_id"):
        likes.decide_like_video(
            state, LikeVideo(VIEWER, ""), video=video(), follows_owner=False, blocked=False
        )


def test_liking_with_the_access_of_another_video_is_a_caller_bug() -> None:
    # Given
    other = video(video_id="v2")
    # When / Then
    with pytest.raises(ValueError, match="v2"):
        likes.decide_like_video(
            likes.initial, LikeVideo(VIEWER, "v1"), video=other, follows_owner=False, blocked=False
        )


def test_unliking_a_liked_video_records_an_unlike() -> None:
    # Given
    state = fold(likes.evolve, likes.initial, [VideoLiked("viewer", "v1")])
    # When
    events = likes.decide_unlike_video(state, UnlikeVideo(VIEWER, "v1"))
    # Then
    assert events == [VideoUnliked(user_id="viewer", video_id="v1")]
    assert not fold(likes.evolve, state, events).liked


def test_unliking_a_video_not_liked_records_nothing() -> None:
    # Given
    state = likes.initial
    # When
    events = likes.decide_unlike_video(state, UnlikeVideo(VIEWER, "v1"))
    # Then
    assert events == []


def test_unliking_without_a_video_id_is_refused() -> None:
    # Given
    state = fold(likes.evolve, likes.initial, [VideoLiked("viewer", "v1")])
    # When / Then
    with pytest.raises(InvalidCommand, match="video_id"):
        likes.decide_unlike_video(state, UnlikeVideo(VIEWER, " "))


# -- shares ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("channel", list(ShareChannel))
def test_sharing_a_visible_video_records_the_share_and_its_channel(channel: ShareChannel) -> None:
    # Given
    cmd = ShareVideo(VIEWER, "s1", "v1", channel)
    # When
    events = decide_share_video(cmd, video=video(), follows_owner=False, blocked=False)
    # Then
    assert events == [VideoShared(share_id="s1", user_id="viewer", video_id="v1", channel=channel.value)]


def test_every_share_is_recorded_even_of_the_same_video() -> None:
    # Given
    first = ShareVideo(VIEWER, "s1", "v1", ShareChannel.SMS)
    second = ShareVideo(VIEWER, "s2", "v1", ShareChannel.SMS)
    # When
    events = [
        *decide_share_video(first, video=video(), follows_owner=False, blocked=False),
        *decide_share_video(second, video=video(), follows_owner=False, blocked=False),
    ]
    # Then
    assert [e.share_id for e in events] == ["s1", "s2"]


def test_sharing_on_an_unknown_channel_is_refused() -> None:
    # Given
    cmd = ShareVideo(VIEWER, "s1", "v1", cast(ShareChannel, "fax"))
    # When / Then
    with pytest.raises(InvalidCommand, match="channel must be one of"):
        decide_share_video(cmd, video=video(), follows_owner=False, blocked=False)


@pytest.mark.parametrize(("share_id", "video_id", "field"), [("", "v1", "share_id"), ("s1", "", "video_id")])
def test_sharing_without_an_id_is_refused(share_id: str, video_id: str, field: str) -> None:
    # Given
    cmd = ShareVideo(VIEWER, share_id, video_id, ShareChannel.EMAIL)
    # When / Then
    with pytest.raises(InvalidCommand, match=field):
        decide_share_video(cmd, video=video(), follows_owner=False, blocked=False)


@pytest.mark.parametrize(("actor", "changes", "follows", "blocked", "error", "message"), REFUSALS)
def test_sharing_is_refused_where_the_actor_may_not_engage(
    actor: Actor,
    changes: dict[str, Any],
    follows: bool,
    blocked: bool,
    error: type[DomainError],
    message: str,
) -> None:
    # Given
    cmd = ShareVideo(actor, "s1", "v1", ShareChannel.COPY_LINK)
    # When / Then
    with pytest.raises(error, match=message):
        decide_share_video(cmd, video=video(**changes), follows_owner=follows, blocked=blocked)


# -- comments --------------------------------------------------------------------------------------

TOP = CommentPosted(comment_id="c1", video_id="v1", author_id="viewer", text="first!")
REPLY = CommentPosted(
    comment_id="c2", video_id="v1", author_id="stranger", text="hi", parent_id="c1", reply_to_id="c1"
)


def comment(*events: comments.Event) -> comments.State:
    return fold(comments.evolve, comments.initial, events)


def post(
    cmd: PostComment,
    *,
    access: VideoAccess | None = None,
    reply_to: comments.State | None = None,
    state: comments.State = comments.initial,
) -> list[comments.Event]:
    """Post with a public video, as someone the owner has not blocked."""
    access = access or video()
    return comments.decide_post_comment(
        state, cmd, video=access, follows_owner=False, blocked=False, reply_to=reply_to
    )


def test_posting_a_comment_records_it_with_the_text_cleaned() -> None:
    # Given
    cmd = PostComment(VIEWER, "c1", "v1", "  cafe\u0301 \n\n  ")
    # When
    events = post(cmd)
    # Then
    assert events == [CommentPosted(comment_id="c1", video_id="v1", author_id="viewer", text="caf\u00e9")]
    assert comment(*events) == comments.State(
        posted=True, comment_id="c1", video_id="v1", author_id="viewer", text="caf\u00e9"
    )


def test_a_comment_keeps_its_line_breaks() -> None:
    # Given
    cmd = PostComment(VIEWER, "c1", "v1", "line one\r\nline two")
    # When
    (posted,) = post(cmd)
    # Then
    assert isinstance(posted, CommentPosted)
    assert posted.text == "line one\nline two"


def test_the_text_is_sealed_with_the_authors_key() -> None:
    # Given / When
    (posted,) = post(PostComment(VIEWER, "c1", "v1", "hello"))
    # Then
    assert posted.personal_fields == ("text",)
    assert posted.subject() == "viewer"


def test_a_comment_of_exactly_1000_characters_is_accepted() -> None:
    # Given
    cmd = PostComment(VIEWER, "c1", "v1", "x" * 1000)
    # When
    events = post(cmd)
    # Then
    assert len(events) == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("", "at least 1", id="empty"),
        pytest.param(" \n\t ", "at least 1", id="blank"),
        pytest.param("x" * 1001, "at most 1000", id="too-long"),
        pytest.param("bell\x07", "control characters", id="control"),
        pytest.param("evil\u202eoverride", "control characters", id="direction-override"),
    ],
)
def test_posting_a_comment_with_bad_text_is_refused(text: str, message: str) -> None:
    # Given
    cmd = PostComment(VIEWER, "c1", "v1", text)
    # When / Then
    with pytest.raises(InvalidCommand, match=message):
        post(cmd)


def test_replying_to_a_top_level_comment_hangs_the_reply_under_it() -> None:
    # Given
    parent = comment(TOP)
    # When
    events = post(PostComment(STRANGER, "c2", "v1", "hi", reply_to_id="c1"), reply_to=parent)
    # Then
    assert events == [
        CommentPosted(
            comment_id="c2", video_id="v1", author_id="stranger", text="hi", parent_id="c1", reply_to_id="c1"
        )
    ]


def test_replying_to_a_reply_attaches_to_the_top_level_parent_and_keeps_whom_it_answered() -> None:
    # Given
    a_reply = comment(REPLY)
    # When
    events = post(PostComment(VIEWER, "c3", "v1", "hi back", reply_to_id="c2"), reply_to=a_reply)
    # Then
    assert events == [
        CommentPosted(
            comment_id="c3",
            video_id="v1",
            author_id="viewer",
            text="hi back",
            parent_id="c1",
            reply_to_id="c2",
        )
    ]


@pytest.mark.parametrize("missing", [None, comments.initial], ids=["not-given", "empty-stream"])
def test_replying_to_a_comment_that_does_not_exist_is_refused(missing: comments.State | None) -> None:
    # Given
    cmd = PostComment(VIEWER, "c3", "v1", "hi", reply_to_id="c9")
    # When / Then
    with pytest.raises(NotFound, match="replied to was not found"):
        post(cmd, reply_to=missing)


def test_replying_to_a_deleted_comment_is_refused() -> None:
    # Given
    deleted = comment(TOP, CommentDeleted("c1", "v1", deleted_by="viewer", deleted_as="author"))
    # When / Then
    with pytest.raises(Conflict, match="replied to was deleted"):
        post(PostComment(STRANGER, "c2", "v1", "hi", reply_to_id="c1"), reply_to=deleted)


def test_a_comment_a_moderator_removed_is_not_found_to_reply_to_but_by_its_author() -> None:
    # Given TOP (by viewer) removed by a moderator
    removed = comment(TOP, CommentRemoved("c1", "v1", author_id="viewer", moderator_id="mod", reason="x"))
    # When / Then a stranger finds nothing to reply to, and its author is told why
    with pytest.raises(NotFound, match="replied to was not found"):
        post(PostComment(STRANGER, "c2", "v1", "hi", reply_to_id="c1"), reply_to=removed)
    with pytest.raises(Conflict, match="removed by a moderator"):
        post(PostComment(VIEWER, "c2", "v1", "hi", reply_to_id="c1"), reply_to=removed)


def test_a_comment_on_another_video_is_not_found_to_reply_to() -> None:
    # Given a comment under a video the author may not see, for all this video's thread knows
    elsewhere = comment(TOP)
    # When / Then
    with pytest.raises(NotFound, match="replied to was not found"):
        post(
            PostComment(STRANGER, "c2", "v2", "hi", reply_to_id="c1"),
            access=video(video_id="v2"),
            reply_to=elsewhere,
        )


def test_replying_with_the_state_of_another_comment_is_a_caller_bug() -> None:
    # Given
    wrong = comment(TOP)
    # When / Then
    with pytest.raises(ValueError, match="c9"):
        post(PostComment(STRANGER, "c2", "v1", "hi", reply_to_id="c9"), reply_to=wrong)


def test_posting_under_an_id_already_used_is_refused() -> None:
    # Given
    taken = comment(TOP)
    # When / Then
    with pytest.raises(Conflict, match="already exists"):
        post(PostComment(VIEWER, "c1", "v1", "again"), state=taken)


@pytest.mark.parametrize(
    ("comment_id", "video_id", "field"), [("", "v1", "comment_id"), ("c1", "", "video_id")]
)
def test_posting_without_an_id_is_refused(comment_id: str, video_id: str, field: str) -> None:
    # Given
    cmd = PostComment(VIEWER, comment_id, video_id, "hello")
    # When / Then
    with pytest.raises(InvalidCommand, match=field):
        post(cmd)


def test_posting_is_refused_when_comments_are_turned_off() -> None:
    # Given
    closed = video(comments_allowed=False)
    # When / Then
    with pytest.raises(Conflict, match="comments are turned off"):
        post(PostComment(VIEWER, "c1", "v1", "hello"), access=closed)


@pytest.mark.parametrize(("actor", "changes", "follows", "blocked", "error", "message"), REFUSALS)
def test_posting_is_refused_where_the_author_may_not_engage(
    actor: Actor,
    changes: dict[str, Any],
    follows: bool,
    blocked: bool,
    error: type[DomainError],
    message: str,
) -> None:
    # Given
    cmd = PostComment(actor, "c1", "v1", "hello")
    # When / Then
    with pytest.raises(error, match=message):
        comments.decide_post_comment(
            comments.initial, cmd, video=video(**changes), follows_owner=follows, blocked=blocked
        )


def test_the_author_may_edit_their_comment() -> None:
    # Given
    state = comment(REPLY)
    # When
    events = comments.decide_edit_comment(state, EditComment(STRANGER, "c2", " hello "))
    # Then
    assert events == [
        CommentEdited(comment_id="c2", video_id="v1", author_id="stranger", text="hello", parent_id="c1")
    ]
    assert fold(comments.evolve, state, events).text == "hello"


def test_editing_to_the_same_text_records_nothing() -> None:
    # Given
    state = comment(TOP)
    # When
    events = comments.decide_edit_comment(state, EditComment(VIEWER, "c1", "  first!  "))
    # Then
    assert events == []


@pytest.mark.parametrize("actor", [OWNER, MODERATOR, STRANGER], ids=["video-owner", "moderator", "stranger"])
def test_only_the_author_may_edit_a_comment_and_to_anyone_else_it_is_not_found(actor: Actor) -> None:
    # Given a comment, and the same comment deleted
    state = comment(TOP)
    deleted = comment(TOP, CommentDeleted("c1", "v1", deleted_by="viewer", deleted_as="author"))
    # When / Then both read as a comment never posted does
    for given in (state, deleted, comments.initial):
        with pytest.raises(NotFound, match=r"^comment not found$"):
            comments.decide_edit_comment(given, EditComment(actor, "c1", "changed"))


def test_editing_to_bad_text_is_refused() -> None:
    # Given
    state = comment(TOP)
    # When / Then
    with pytest.raises(InvalidCommand, match="at most 1000"):
        comments.decide_edit_comment(state, EditComment(VIEWER, "c1", "x" * 1001))


def test_editing_a_comment_that_was_never_posted_is_refused() -> None:
    # Given
    state = comments.initial
    # When / Then
    with pytest.raises(NotFound, match="comment not found"):
        comments.decide_edit_comment(state, EditComment(VIEWER, "c1", "changed"))


def test_editing_a_deleted_comment_is_refused() -> None:
    # Given
    state = comment(TOP, CommentDeleted("c1", "v1", deleted_by="viewer", deleted_as="author"))
    # When / Then
    with pytest.raises(Conflict, match="was deleted"):
        comments.decide_edit_comment(state, EditComment(VIEWER, "c1", "changed"))


@pytest.mark.parametrize(
    ("actor", "capacity"),
    [(STRANGER, "author"), (OWNER, "video_owner"), (MODERATOR, "moderator")],
    ids=["author", "video-owner", "moderator"],
)
def test_the_author_the_video_owner_or_a_moderator_may_delete_a_comment(actor: Actor, capacity: str) -> None:
    # Given
    state = comment(REPLY)
    # When
    events = comments.decide_delete_comment(state, DeleteComment(actor, "c2"), video=video())
    # Then
    assert events == [
        CommentDeleted(
            comment_id="c2", video_id="v1", deleted_by=actor.user_id, deleted_as=capacity, parent_id="c1"
        )
    ]
    assert fold(comments.evolve, state, events).deleted


def test_anyone_else_may_not_delete_a_comment_and_finds_none() -> None:
    # Given a comment, and the same comment deleted
    state = comment(TOP)
    deleted = comment(TOP, CommentDeleted("c1", "v1", deleted_by="viewer", deleted_as="author"))
    # When / Then both read as a comment never posted does
    for given in (state, deleted):
        with pytest.raises(NotFound, match=r"^comment not found$"):
            comments.decide_delete_comment(given, DeleteComment(STRANGER, "c1"), video=video())


def test_deleting_a_comment_that_was_never_posted_is_refused() -> None:
    # Given
    state = comments.initial
    # When / Then
    with pytest.raises(NotFound, match="comment not found"):
        comments.decide_delete_comment(state, DeleteComment(VIEWER, "c1"), video=video())


def test_deleting_a_deleted_comment_is_refused() -> None:
    # Given
    state = comment(TOP, CommentDeleted("c1", "v1", deleted_by="viewer", deleted_as="author"))
    # When / Then
    with pytest.raises(Conflict, match="was deleted"):
        comments.decide_delete_comment(state, DeleteComment(VIEWER, "c1"), video=video())


def test_deleting_with_the_access_of_another_video_is_a_caller_bug() -> None:
    # Given
    state = comment(TOP)
    # When / Then
    with pytest.raises(ValueError, match="v2"):
        comments.decide_delete_comment(state, DeleteComment(VIEWER, "c1"), video=video(video_id="v2"))


# -- comment likes ---------------------------------------------------------------------------------


def like_comment(
    state: comment_likes.State, cmd: LikeComment, target: comments.State, **access: Any
) -> list[comment_likes.Event]:
    """Like a comment on a public video, as someone the owner has not blocked."""
    return comment_likes.decide_like_comment(
        state, cmd, comment=target, video=video(**access), follows_owner=False, blocked=False
    )


def test_liking_a_comment_records_a_like() -> None:
    # Given
    state = comment_likes.initial
    # When
    events = like_comment(state, LikeComment(OWNER, "c1"), comment(TOP))
    # Then
    assert events == [CommentLiked(user_id="owner", comment_id="c1")]
    assert fold(comment_likes.evolve, state, events).liked


def test_liking_a_comment_twice_records_one_like() -> None:
    # Given
    state = fold(comment_likes.evolve, comment_likes.initial, [CommentLiked("owner", "c1")])
    # When
    events = like_comment(state, LikeComment(OWNER, "c1"), comment(TOP))
    # Then
    assert events == []


def test_liking_a_deleted_comment_is_refused() -> None:
    # Given
    deleted = comment(TOP, CommentDeleted("c1", "v1", deleted_by="mod", deleted_as="moderator"))
    # When / Then
    with pytest.raises(Conflict, match="was deleted"):
        like_comment(comment_likes.initial, LikeComment(OWNER, "c1"), deleted)


REMOVED = CommentRemoved("c1", "v1", author_id="viewer", moderator_id="mod", reason="spam")


@pytest.mark.parametrize("actor", [OWNER, STRANGER, MODERATOR], ids=["video-owner", "stranger", "moderator"])
def test_a_comment_a_moderator_removed_reads_as_one_never_posted(actor: Actor) -> None:
    """It has left every thread: a like must not tell that it is still there."""
    # Given
    removed = comment(TOP, REMOVED)
    # When / Then
    with pytest.raises(NotFound, match="comment not found"):
        like_comment(comment_likes.initial, LikeComment(actor, "c1"), removed)


def test_a_removed_comment_its_author_then_deleted_still_reads_as_never_posted() -> None:
    # Given
    gone = comment(TOP, REMOVED, CommentDeleted("c1", "v1", deleted_by="viewer", deleted_as="author"))
    # When / Then
    with pytest.raises(NotFound, match="comment not found"):
        like_comment(comment_likes.initial, LikeComment(STRANGER, "c1"), gone)


def test_the_author_of_a_removed_comment_is_told_why_it_takes_no_like() -> None:
    # Given
    removed = comment(TOP, REMOVED)
    # When / Then
    with pytest.raises(Conflict, match="removed by a moderator"):
        like_comment(comment_likes.initial, LikeComment(VIEWER, "c1"), removed)


def test_a_restored_comment_takes_likes_again() -> None:
    # Given
    back = CommentRestored("c1", "v1", author_id="viewer", moderator_id="mod", reason="ok")
    restored = comment(TOP, REMOVED, back)
    # When
    events = like_comment(comment_likes.initial, LikeComment(STRANGER, "c1"), restored)
    # Then
    assert events == [CommentLiked(user_id="stranger", comment_id="c1")]


def test_liking_a_comment_that_was_never_posted_is_refused() -> None:
    # Given
    missing = comments.initial
    # When / Then
    with pytest.raises(NotFound, match="comment not found"):
        like_comment(comment_likes.initial, LikeComment(OWNER, "c1"), missing)


def test_liking_a_comment_without_an_id_is_refused() -> None:
    # Given
    target = comment(TOP)
    # When / Then
    with pytest.raises(InvalidCommand, match="comment_id"):
        like_comment(comment_likes.initial, LikeComment(OWNER, ""), target)


def test_liking_with_the_state_of_another_comment_is_a_caller_bug() -> None:
    # Given
    wrong = comment(TOP)
    # When / Then
    with pytest.raises(ValueError, match="c9"):
        like_comment(comment_likes.initial, LikeComment(OWNER, "c9"), wrong)


@pytest.mark.parametrize(("actor", "changes", "follows", "blocked", "error", "message"), REFUSALS)
def test_liking_a_comment_is_refused_where_the_actor_may_not_engage_with_its_video(
    actor: Actor,
    changes: dict[str, Any],
    follows: bool,
    blocked: bool,
    error: type[DomainError],
    message: str,
) -> None:
    # Given
    target = comment(TOP)
    # When / Then
    with pytest.raises(error, match=message):
        comment_likes.decide_like_comment(
            comment_likes.initial,
            LikeComment(actor, "c1"),
            comment=target,
            video=video(**changes),
            follows_owner=follows,
            blocked=blocked,
        )


@pytest.mark.parametrize(
    ("changes", "blocked"),
    [({"visibility": Visibility.PRIVATE}, False), ({"hidden": True}, False), ({}, True)],
    ids=["private", "hidden", "blocked-by-owner"],
)
def test_a_comment_under_a_video_the_actor_may_not_see_reads_as_one_never_posted(
    changes: dict[str, Any], blocked: bool
) -> None:
    # Given a comment, and the same comment deleted, under a video the viewer may not see
    live = comment(TOP)
    deleted = comment(TOP, CommentDeleted("c1", "v1", deleted_by="viewer", deleted_as="author"))
    # When / Then both answer in the words a comment never posted gets
    for target in (live, deleted):
        with pytest.raises(NotFound, match=r"^comment not found$"):
            comment_likes.decide_like_comment(
                comment_likes.initial,
                LikeComment(STRANGER, "c1"),
                comment=target,
                video=video(**changes),
                follows_owner=False,
                blocked=blocked,
            )


def test_unliking_a_liked_comment_records_an_unlike() -> None:
    # Given
    state = fold(comment_likes.evolve, comment_likes.initial, [CommentLiked("owner", "c1")])
    # When
    events = comment_likes.decide_unlike_comment(state, UnlikeComment(OWNER, "c1"))
    # Then
    assert events == [CommentUnliked(user_id="owner", comment_id="c1")]
    assert not fold(comment_likes.evolve, state, events).liked


def test_unliking_a_comment_not_liked_records_nothing() -> None:
    # Given
    state = comment_likes.initial
    # When
    events = comment_likes.decide_unlike_comment(state, UnlikeComment(OWNER, "c1"))
    # Then
    assert events == []


def test_unliking_a_comment_without_an_id_is_refused() -> None:
    # Given
    state = fold(comment_likes.evolve, comment_likes.initial, [CommentLiked("owner", "c1")])
    # When / Then
    with pytest.raises(InvalidCommand, match="comment_id"):
        comment_likes.decide_unlike_comment(state, UnlikeComment(OWNER, ""))


# -- storage ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "event",
    [
        VideoLiked("viewer", "v1"),
        VideoUnliked("viewer", "v1"),
        VideoShared("s1", "viewer", "v1", "whatsapp"),
        TOP,
        REPLY,
        CommentEdited("c2", "v1", "stranger", "edited\ntwice", parent_id="c1"),
        CommentDeleted("c2", "v1", deleted_by="mod", deleted_as="moderator", parent_id="c1"),
        CommentLiked("owner", "c1"),
        CommentUnliked("owner", "c1"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_each_event_round_trips_through_its_stored_data(event: DomainEvent) -> None:
    # Given
    data = event.to_data()
    # When
    restored = event_from_data(event.event_type, data)
    # Then
    assert restored == event


def test_an_erased_comment_text_reads_as_none() -> None:
    # Given: the author's key is gone, so the sealed text unseals as None
    data = {**TOP.to_data(), "text": None}
    # When
    restored = event_from_data("CommentPosted", data)
    # Then
    assert isinstance(restored, CommentPosted)
    assert comment(restored).text is None
