"""Given comments and captions naming people ("@handle"), then their inboxes: one mention item per
video, on public videos only, honouring blocks either way, mutes and erasure, resolving each handle
as it stood when the text was posted, the same on a rebuild as live; and every inbox change leaves
the marker the notification streams watch."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.access import Visibility
from domain.accounts.events import ErasureRequested, UserRegistered
from domain.engagement.comments import CommentPosted
from domain.engagement.likes import VideoLiked
from domain.mentions import MAX_MENTIONS
from domain.notifications import NotificationSettingsChanged, NotificationsRead
from domain.social import UserBlocked, UserUnblocked
from domain.videos.events import VideoDraftCreated, VideoEdited, VideoPublished
from projections.models.notifications import PROJECTOR
from projections.partition import WHOLE
from projections.rebuild import rebuild
from read_models import notifications as model
from tests.unit.projections.world import World

ANN, BOB, CAT, DAN = "ann", "bob", "cat", "dan"
V1, V2 = "v1", "v2"


def registered(user_id: str, handle: str | None = None) -> UserRegistered:
    handle = handle or user_id.title()
    return UserRegistered(user_id, handle, f"{user_id}@example.com", "hash", handle)


def published(video: str, owner: str = ANN, caption: str = "", visibility: str = "public") -> VideoPublished:
    return VideoPublished(video, owner, caption, [], visibility, True)


@pytest.fixture
def world(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[World]:
    """Projected by one runner, or by as many partitions as a test asks (``ACROSS_PARTITIONS``)."""
    w = World(tmp_path, parts=getattr(request, "param", 1))
    w.given(*(registered(u) for u in (ANN, BOB, CAT, DAN)))
    w.given(VideoDraftCreated(V1, ANN), published(V1), VideoDraftCreated(V2, ANN), published(V2))
    yield w
    w.close()


#: Runs a test with one runner, and with three partitions one after another.
ACROSS_PARTITIONS = pytest.mark.parametrize(
    "world", [1, 3], ids=["one runner", "three partitions"], indirect=True
)


def items(world: World, user: str) -> list[tuple[str, str, int, list[str]]]:
    found = model.inbox(world.store, user, limit=50).items
    return [(n.kind, n.target_id, n.count, n.actors) for n in found]


def mentions(world: World, user: str) -> list[tuple[str, int, list[str]]]:
    return [
        (target, count, actors) for kind, target, count, actors in items(world, user) if kind == "mention"
    ]


def test_a_comment_naming_people_tells_each_once_per_video(world: World) -> None:
    # Given bob names cat (in another case) twice and himself on ann's video, then dan names cat there,
    # and bob names cat again on ann's other video
    world.given(
        CommentPosted("c1", V1, BOB, "look @CAT, @cat. and me @bob"),
        CommentPosted("c2", V1, DAN, "@cat!"),
        CommentPosted("c3", V2, BOB, "here too @cat"),
    )
    # When
    world.project(PROJECTOR)
    # Then cat has one mention item per video, counting the people who named her there
    assert mentions(world, CAT) == [(V2, 1, [BOB]), (V1, 2, [DAN, BOB])]
    # And bob is not told of naming himself
    assert mentions(world, BOB) == []


def test_the_people_told_of_the_comment_already_are_not_told_again(world: World) -> None:
    # Given bob comments on ann's video naming her, and cat replies to bob naming him and ann
    world.given(
        CommentPosted("c1", V1, BOB, "nice one @ann"),
        CommentPosted("c2", V1, CAT, "@bob @ann agreed", parent_id="c1", reply_to_id="c1"),
    )
    # When
    world.project(PROJECTOR)
    # Then ann hears of two comments on her video and bob of a reply: no mentions
    assert items(world, ANN) == [("comment", V1, 2, [CAT, BOB])]
    assert items(world, BOB) == [("reply", "c1", 1, [CAT])]


def test_at_most_ten_people_are_told_of_one_comment(world: World) -> None:
    # Given twelve more people, all named in one comment
    crowd = [f"p{i:02d}" for i in range(12)]
    world.given(*(registered(p) for p in crowd))
    world.given(CommentPosted("c1", V1, BOB, " ".join(f"@{p}" for p in crowd)))
    # When
    world.project(PROJECTOR)
    # Then the first ten named are told, the rest are not
    told = [p for p in crowd if mentions(world, p)]
    assert told == crowd[:MAX_MENTIONS]


def test_blocks_either_way_and_mutes_keep_a_mention_out(world: World) -> None:
    # Given cat blocked bob, dan was blocked by bob, and ann muted mentions
    world.given(UserBlocked(CAT, BOB), UserBlocked(BOB, DAN))
    world.given(NotificationSettingsChanged(ANN, ["mention"]), stream="inbox-ann")
    # When bob names all three, on a video of dan's (so ann is only named)
    world.given(VideoDraftCreated("v3", DAN), published("v3", owner=DAN))
    world.given(CommentPosted("c1", "v3", BOB, "@cat @dan @ann"))
    world.project(PROJECTOR)
    # Then nobody hears of it
    assert [items(world, u) for u in (ANN, CAT, DAN)] == [[], [], []]


@ACROSS_PARTITIONS
def test_a_mention_on_a_video_reaches_nobody_with_a_block_with_its_owner(world: World) -> None:
    # Given ann blocked cat, and dan blocked ann; bob has a public video too
    world.given(UserBlocked(ANN, CAT), UserBlocked(DAN, ANN))
    world.given(VideoDraftCreated("v3", BOB), published("v3", owner=BOB))
    # When bob names cat and dan on ann's video, and on his own
    world.given(CommentPosted("c1", V1, BOB, "@cat @dan"), CommentPosted("c2", "v3", BOB, "@cat @dan"))
    world.project(PROJECTOR)
    # Then each hears of the mention on bob's video only
    assert mentions(world, CAT) == mentions(world, DAN) == [("v3", 1, [BOB])]
    # And once ann unblocks cat, a later mention on ann's video is told
    world.given(UserUnblocked(ANN, CAT), CommentPosted("c3", V1, BOB, "@cat"))
    world.project(PROJECTOR)
    assert mentions(world, CAT) == [(V1, 1, [BOB]), ("v3", 1, [BOB])]


@ACROSS_PARTITIONS
def test_a_mention_in_a_reply_reaches_nobody_with_a_block_with_the_author_answered(world: World) -> None:
    # Given bob commented on ann's video, then cat blocked him
    world.given(CommentPosted("c1", V1, BOB, "hi"), UserBlocked(CAT, BOB))
    # When dan replies to bob naming cat, and names her in a comment on ann's other video
    world.given(
        CommentPosted("c2", V1, DAN, "@cat see", parent_id="c1", reply_to_id="c1"),
        CommentPosted("c3", V2, DAN, "@cat"),
    )
    world.project(PROJECTOR)
    # Then cat hears of the comment only
    assert mentions(world, CAT) == [(V2, 1, [DAN])]


def test_a_block_after_a_mention_takes_it_out(world: World) -> None:
    # Given bob named cat, then cat blocked him
    world.given(CommentPosted("c1", V1, BOB, "@cat"))
    world.given(UserBlocked(CAT, BOB))
    # When
    world.project(PROJECTOR)
    # Then cat's inbox holds nothing of bob
    assert items(world, CAT) == []


def test_mentions_are_told_on_public_videos_only(world: World) -> None:
    # Given a followers-only video of ann's, and V2 turned followers-only
    world.given(VideoDraftCreated("v3", ANN), published("v3", visibility=Visibility.FOLLOWERS.value))
    world.given(VideoEdited(V2, ANN, "", [], Visibility.FOLLOWERS.value, True))
    # When bob names cat on each, and on V1 (public)
    world.given(
        CommentPosted("c1", "v3", BOB, "@cat"),
        CommentPosted("c2", V2, BOB, "@cat"),
        CommentPosted("c3", V1, BOB, "@cat"),
    )
    world.project(PROJECTOR)
    # Then cat hears of the one on the public video only
    assert mentions(world, CAT) == [(V1, 1, [BOB])]


def test_a_caption_naming_people_tells_them_when_the_video_is_published_for_everyone(world: World) -> None:
    # Given ann publishes a public video naming bob and herself, and a private one naming cat
    world.given(VideoDraftCreated("v3", ANN), published("v3", caption="with @bob and @ann #duet"))
    world.given(VideoDraftCreated("v4", ANN), published("v4", caption="@cat", visibility="private"))
    # When
    world.project(PROJECTOR)
    # Then bob is told, by ann, of the public video; nobody else
    assert mentions(world, BOB) == [("v3", 1, [ANN])]
    assert mentions(world, ANN) == mentions(world, CAT) == []


def test_a_handle_resolves_to_whoever_held_it_when_the_comment_was_posted(world: World) -> None:
    # Given bob named cat, then cat was erased and someone new registered her handle
    world.given(CommentPosted("c1", V1, BOB, "@cat"), ErasureRequested(CAT, CAT))
    world.given(registered("newcat", "Cat"))
    # When dan names @cat afterwards
    world.given(CommentPosted("c2", V1, DAN, "@cat"))
    world.project(PROJECTOR)
    # Then the new holder hears of dan's mention only, and the erased cat of nothing
    assert mentions(world, "newcat") == [(V1, 1, [DAN])]
    assert items(world, CAT) == []


def test_an_erased_author_and_their_mentions_rebuild_as_they_stand_live(world: World) -> None:
    # Given bob and dan named cat, projected live, then bob was erased and his key shredded
    world.given(CommentPosted("c1", V1, BOB, "@cat"), CommentPosted("c2", V1, DAN, "hi @cat"))
    world.project(PROJECTOR)
    world.given(ErasureRequested(BOB, BOB))
    world.keys.erase(BOB)
    world.project(PROJECTOR)
    live = items(world, CAT), items(world, ANN)
    # When the inboxes are rebuilt from the log (bob's text now unreadable)
    rebuilt = rebuild(PROJECTOR, events=world.events, codec=world.codec, store=world.store)
    # Then they are the same: dan's mention and comment only
    assert rebuilt.report.mismatches == ()
    assert (items(world, CAT), items(world, ANN)) == live
    assert live == ([("mention", V1, 1, [DAN])], [("comment", V1, 1, [DAN])])


def test_an_erased_person_named_before_leaves_no_row_and_no_handle_behind(world: World) -> None:
    # Given bob named cat and liked ann's video, projected live, then cat was erased, key shredded
    world.given(CommentPosted("c1", V1, BOB, "@cat"), VideoLiked(CAT, V1))
    world.project(PROJECTOR)
    world.given(ErasureRequested(CAT, CAT))
    world.keys.erase(CAT)
    world.project(PROJECTOR)
    # Then nothing names her: no handle, nobody she reached or who reached her
    assert world.row(PROJECTOR, "notif_handle_of", user_id=CAT, shard=WHOLE.label) is None
    for table, key in (
        ("notif_handles", {"handle": "cat", "shard": WHOLE.label}),
        ("notif_touched", {"actor_id": CAT, "shard": WHOLE.label}),
        ("notif_reached", {"recipient_id": CAT, "shard": WHOLE.label}),
    ):
        assert world.store.page(world.table(PROJECTOR, table), key).rows == []
    live = items(world, ANN)
    # When rebuilt from the log (her handle now unreadable)
    rebuilt = rebuild(PROJECTOR, events=world.events, codec=world.codec, store=world.store)
    # Then the rebuild holds as many rows in every table, and the same inbox
    assert rebuilt.report.ok(), "\n".join(rebuilt.report.lines())
    assert items(world, ANN) == live == [("comment", V1, 1, [BOB])]


def test_every_inbox_change_leaves_a_marker_for_the_streams(world: World) -> None:
    # Given the log so far projected
    world.project(PROJECTOR)
    since = model.checkpoint(world.store)
    # When bob comments naming cat, and ann reads her inbox
    world.given(CommentPosted("c1", V1, BOB, "@cat"))
    world.given(NotificationsRead(ANN), stream="inbox-ann")
    world.project(PROJECTOR)
    # Then the markers since then name ann (a comment, then her read mark) and cat
    found = model.changes(world.store, since)
    assert found.upto == model.checkpoint(world.store) > since
    assert found.recipients == frozenset({ANN, CAT})
    # And nothing has changed since the checkpoint
    assert model.changes(world.store, found.upto).recipients == frozenset()


def test_more_changes_than_are_worth_listing_read_as_everyone_changed(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given two inboxes changed since a checkpoint, and a read that lists one marker at most
    world.project(PROJECTOR)
    since = model.checkpoint(world.store)
    world.given(CommentPosted("c1", V1, BOB, "@cat"))
    world.project(PROJECTOR)
    monkeypatch.setattr(model, "MOST_CHANGES", 1)
    # When the changes are read
    found = model.changes(world.store, since)
    # Then they say everyone may have changed, up to the checkpoint
    assert (found.upto, found.recipients) == (model.checkpoint(world.store), None)
