"""Given likes, comments, follows, blocks, erasures and moderators' decisions, then each person's
inbox: grouped by what happened to what, newest first, read up to their mark."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.accounts.events import ErasureRequested
from domain.engagement.comments import CommentPosted
from domain.engagement.likes import VideoLiked, VideoUnliked
from domain.moderation.standing import ContentModerated
from domain.notifications import NotificationSettingsChanged, NotificationsRead
from domain.social import UserBlocked, UserFollowed, UserUnblocked
from domain.videos.events import VideoDraftCreated
from projections.models.notifications import PROJECTOR
from read_models import notifications as model
from tests.unit.projections.world import World

ANN, BOB, CAT, DAN, EVE = "ann", "bob", "cat", "dan", "eve"
V1, V2 = "v1", "v2"


@pytest.fixture(params=[1, 3], ids=["one runner", "three partitions"])
def world(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[World]:
    """Every scenario projected by one runner, and by three partitions one after another."""
    w = World(tmp_path, parts=request.param)
    w.given(VideoDraftCreated(V1, ANN), VideoDraftCreated(V2, ANN))
    yield w
    w.close()


def items(world: World, user: str = ANN) -> list[tuple[str, str, int, list[str]]]:
    found = model.inbox(world.store, user, limit=50).items
    return [(n.kind, n.target_id, n.count, n.actors) for n in found]


def test_likes_on_a_video_are_one_item_with_a_count_and_the_latest_actors(world: World) -> None:
    # Given four people like ann's video, one of them twice over an unlike, and ann likes it herself
    world.given(
        VideoLiked(BOB, V1),
        VideoLiked(CAT, V1),
        VideoLiked(DAN, V1),
        VideoUnliked(BOB, V1),
        VideoLiked(BOB, V1),
        VideoLiked(EVE, V1),
        VideoLiked(ANN, V1),
    )
    # When
    world.project(PROJECTOR)
    # Then one item counts the four others, latest first, and names the latest three
    assert items(world) == [("like", V1, 4, [EVE, BOB, DAN])]


def test_items_are_newest_first_and_unread_after_the_read_mark(world: World) -> None:
    # Given a like, a follow, then ann reads her inbox, then a comment and another like on V1
    world.given(VideoLiked(BOB, V1), UserFollowed(CAT, ANN))
    world.given(NotificationsRead(ANN), stream="inbox-ann")
    world.given(CommentPosted("c1", V2, DAN, "hi"), VideoLiked(EVE, V1))
    # When
    world.project(PROJECTOR)
    # Then the liked video moved to the top; the follow, untouched since, is read
    found = model.inbox(world.store, ANN, limit=50).items
    assert [(n.kind, n.target_id, n.unread) for n in found] == [
        ("like", V1, True),
        ("comment", V2, True),
        ("follow", ANN, False),
    ]
    assert model.unread_count(world.store, ANN) == 2


def test_a_reply_tells_the_author_of_the_comment_it_answers(world: World) -> None:
    # Given bob comments on ann's video, cat replies to bob, and ann replies to bob too
    world.given(
        CommentPosted("c1", V1, BOB, "hi"),
        CommentPosted("c2", V1, CAT, "yo", parent_id="c1", reply_to_id="c1"),
        CommentPosted("c3", V1, ANN, "thanks", parent_id="c1", reply_to_id="c1"),
    )
    # When
    world.project(PROJECTOR)
    # Then bob hears of two replies; ann of the two comments by others on her video, not her own
    assert items(world, BOB) == [("reply", "c1", 2, [ANN, CAT])]
    assert items(world, ANN) == [("comment", V1, 2, [CAT, BOB])]


def test_a_block_takes_the_blocked_persons_part_out_and_keeps_them_out(world: World) -> None:
    # Given bob and cat like ann's video and bob follows her, then ann blocks bob
    world.given(VideoLiked(BOB, V1), VideoLiked(CAT, V1), UserFollowed(BOB, ANN), UserBlocked(ANN, BOB))
    # And bob comments on her video while blocked
    world.given(CommentPosted("c1", V2, BOB, "hey"))
    # When
    world.project(PROJECTOR)
    # Then nothing of bob is left: the follow item is gone, the like counts cat only
    assert items(world) == [("like", V1, 1, [CAT])]
    # And after an unblock, his new activity is told again
    world.given(UserUnblocked(ANN, BOB), VideoLiked(BOB, V2))
    world.project(PROJECTOR)
    assert items(world)[0] == ("like", V2, 1, [BOB])


def test_being_blocked_by_the_actor_silences_them_too(world: World) -> None:
    # Given bob blocked ann, then likes her video (as the log may hold)
    world.given(UserBlocked(BOB, ANN), VideoLiked(BOB, V1))
    # When
    world.project(PROJECTOR)
    # Then ann hears nothing of him
    assert items(world) == []


def test_a_reply_reaches_nobody_with_a_block_with_the_videos_owner(world: World) -> None:
    # Given bob commented on a video of ann's and on one of dan's, then ann blocked him
    world.given(
        VideoDraftCreated("v3", DAN),
        CommentPosted("c1", V1, BOB, "hi"),
        CommentPosted("c2", "v3", BOB, "hi"),
        UserBlocked(ANN, BOB),
    )
    # When cat replies to both of bob's comments
    world.given(
        CommentPosted("c3", V1, CAT, "yo", parent_id="c1", reply_to_id="c1"),
        CommentPosted("c4", "v3", CAT, "yo", parent_id="c2", reply_to_id="c2"),
    )
    world.project(PROJECTOR)
    # Then bob hears of the reply on dan's video only, and ann of nothing in his thread
    assert items(world, BOB) == [("reply", "c2", 1, [CAT])]
    assert items(world, ANN) == []
    assert items(world, DAN) == [("comment", "v3", 2, [CAT, BOB])]
    # And the whole log coming again changes nothing
    world.forget_checkpoint(PROJECTOR)
    world.project(PROJECTOR)
    assert (items(world, BOB), items(world, ANN)) == ([("reply", "c2", 1, [CAT])], [])


def test_an_erased_actor_drops_out_and_an_erased_recipients_inbox_goes(world: World) -> None:
    # Given bob and cat like ann's video and bob follows her, then bob is erased
    world.given(VideoLiked(BOB, V1), VideoLiked(CAT, V1), UserFollowed(BOB, ANN), ErasureRequested(BOB, BOB))
    world.project(PROJECTOR)
    # Then ann's inbox keeps cat's like only
    assert items(world) == [("like", V1, 1, [CAT])]
    # When ann is erased, and someone likes her video afterwards
    world.given(ErasureRequested(ANN, ANN), VideoLiked(DAN, V2))
    world.project(PROJECTOR)
    # Then her inbox is empty, and stays so
    assert items(world) == []
    for shard in world.shards():
        assert (
            world.row(PROJECTOR, "notif_groups", recipient_id=ANN, shard=shard, group_id=f"like:{V1}") is None
        )


def test_an_erasure_takes_the_persons_blocks_and_nothing_of_theirs_is_recorded_after(world: World) -> None:
    # Given bob blocked ann and cat blocked bob, and cat blocked dan
    world.given(
        UserBlocked(BOB, ANN), UserBlocked(CAT, BOB), UserBlocked(CAT, DAN), VideoDraftCreated(V1, ANN)
    )
    world.project(PROJECTOR)
    # When bob is erased, then a like of his raced the erasure, and he "blocks" dan
    world.given(ErasureRequested(BOB, BOB), VideoLiked(BOB, V1), UserBlocked(BOB, DAN))
    world.project(PROJECTOR)
    # Then no partition's copy of the blocks names him, and cat's block of dan stands
    for table in ("notif_blocks", "notif_blocks_of"):
        rows = list(world.store.scan(world.table(PROJECTOR, table)))
        assert [r for r in rows if BOB in r.values()] == [], table
        assert [r for r in rows if DAN in r.values()] != [], table
    # And ann was not told of his like
    assert items(world) == []


def test_a_moderators_decision_is_an_item_naming_nobody(world: World) -> None:
    # Given a moderator removed ann's video
    world.given(ContentModerated(ANN, "a1", "remove_video", "video", V1, "mod", "spam"))
    # When
    world.project(PROJECTOR)
    # Then ann has a moderation item for the action, with the decision's type
    found = model.inbox(world.store, ANN, limit=50).items
    assert [(n.kind, n.target_id, n.count, n.actors, n.detail) for n in found] == [
        ("moderation", "a1", 1, [], "ContentModerated")
    ]


def test_replaying_the_log_changes_nothing(world: World) -> None:
    # Given a busy inbox, projected once
    world.given(
        VideoLiked(BOB, V1),
        VideoLiked(CAT, V1),
        CommentPosted("c1", V1, BOB, "hi"),
        UserFollowed(DAN, ANN),
        VideoUnliked(CAT, V1),
        UserBlocked(ANN, DAN),
        ErasureRequested(BOB, BOB),
        VideoLiked(EVE, V2),
    )
    world.given(NotificationsRead(ANN), stream="inbox-ann")
    world.project(PROJECTOR)
    before = items(world), model.unread_count(world.store, ANN)
    # When the whole log comes again
    world.forget_checkpoint(PROJECTOR)
    world.project(PROJECTOR)
    # Then the inbox is as it was
    assert (items(world), model.unread_count(world.store, ANN)) == before
    assert before == ([("like", V2, 1, [EVE])], 0)


def test_a_reply_to_a_comment_posted_later_reads_the_same_when_the_log_comes_again(world: World) -> None:
    # Given a log that holds cat's reply to a comment before the comment itself (a log need not
    # make sense), projected once: the answered comment was unknown, so ann heard of a comment
    world.given(
        CommentPosted("c2", V1, CAT, "yo", parent_id="c1", reply_to_id="c1"),
        CommentPosted("c1", V1, BOB, "hi"),
    )
    world.project(PROJECTOR)
    before = items(world, ANN), items(world, BOB)
    assert before == ([("comment", V1, 2, [BOB, CAT])], [])
    # When the whole log comes again, the comment now known from the first time
    world.forget_checkpoint(PROJECTOR)
    world.project(PROJECTOR)
    # Then the reply still reads as it did: bob is told of nothing
    assert (items(world, ANN), items(world, BOB)) == before


def test_a_muted_kind_is_not_recorded_from_then_on(world: World) -> None:
    # Given bob liked ann's video, then ann muted likes and follows, then cat liked and followed
    world.given(VideoLiked(BOB, V1))
    world.given(NotificationSettingsChanged(ANN, ["like", "follow"]), stream="inbox-ann")
    world.given(VideoLiked(CAT, V1), UserFollowed(CAT, ANN), CommentPosted("c1", V1, CAT, "hi"))
    # And later she unmuted follows, and dan followed
    world.given(NotificationSettingsChanged(ANN, ["like"]), stream="inbox-ann")
    world.given(UserFollowed(DAN, ANN))
    # When
    world.project(PROJECTOR)
    # Then the like from before muting stays, cat's like and follow are not told, the rest is
    assert items(world) == [("follow", ANN, 1, [DAN]), ("comment", V1, 1, [CAT]), ("like", V1, 1, [BOB])]
    assert model.muted_kinds(world.store, ANN) == ["like"]
