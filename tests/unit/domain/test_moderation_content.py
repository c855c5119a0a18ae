"""Moderators' actions on content: remove and restore videos and comments, label videos."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain import videos
from domain.actors import Actor, Role
from domain.decider import fold
from domain.engagement import comments
from domain.errors import Conflict, InvalidCommand, NotAllowed, NotFound
from domain.moderation.content import (
    LabelVideo,
    RemoveComment,
    RemoveVideo,
    RestoreComment,
    RestoreVideo,
    UnlabelVideo,
    decide_label_video,
    decide_remove_comment,
    decide_remove_video,
    decide_restore_comment,
    decide_restore_video,
    decide_unlabel_video,
)
from domain.moderation.rules import Subject
from domain.moderation.trust import priority, report_weight, spread_level
from domain.screening import Label

BOB = Subject("bob")
MOD = Actor("mod", Role.MODERATOR)
PUBLISHED: list[videos.Event] = [
    videos.VideoDraftCreated("v1", "bob"),
    videos.VideoUploadCompleted("v1", "bob", "up1", 1000, 15_000, 1080, 1920),
    videos.VideoProcessingStarted("v1", "bob"),
    videos.VideoProcessingSucceeded("v1", "bob", ["240p"], "v1/master.m3u8", "v1/p.jpg"),
    videos.VideoScreened("v1", "bob", "up1", "p1", "labelled", ["nudity"], []),
    videos.VideoPublished("v1", "bob", "hi", [], "public", True),
]
POSTED = comments.CommentPosted("c1", "v1", "bob", "rude words")


def video(*more: videos.Event) -> videos.State:
    return fold(videos.evolve, videos.initial, [*PUBLISHED, *more])


def comment(*more: comments.Event) -> comments.State:
    return fold(comments.evolve, comments.initial, [POSTED, *more])


def test_removing_a_video_hides_it_with_the_moderator_and_reason() -> None:
    events = decide_remove_video(video(), RemoveVideo(MOD, "v1", "nudity"), subject=BOB)
    assert events == [videos.VideoHidden("v1", "bob", "mod", "nudity")]
    with pytest.raises(Conflict):
        decide_remove_video(video(*events), RemoveVideo(MOD, "v1", "again"), subject=BOB)


def test_restoring_a_removed_video_shows_it_again() -> None:
    hidden = videos.VideoHidden("v1", "bob", "mod", "nudity")
    assert decide_restore_video(video(hidden), RestoreVideo(MOD, "v1", "appeal"), subject=BOB) == [
        videos.VideoRestored("v1", "bob", "mod", "appeal")
    ]
    with pytest.raises(Conflict):
        decide_restore_video(video(), RestoreVideo(MOD, "v1", "x"), subject=BOB)


def test_a_moderator_cannot_remove_their_own_video() -> None:
    own = fold(videos.evolve, videos.initial, [videos.VideoDraftCreated("v1", "mod")])
    with pytest.raises(NotAllowed):
        decide_remove_video(own, RemoveVideo(MOD, "v1", "mine"), subject=Subject("mod", Role.MODERATOR))


def test_labels_are_added_once_and_screenings_count_as_carried() -> None:
    # When a moderator labels it graphic and nudity (screening already said nudity)
    cmd = LabelVideo(MOD, "v1", [Label.GRAPHIC, Label.NUDITY], "gore")
    events = decide_label_video(video(), cmd, subject=BOB)
    # Then only graphic is new
    assert events == [videos.VideoLabelled("v1", "bob", ["graphic"], "mod", "gore")]
    assert videos.shown_labels(video(*events)) == {"graphic", "nudity"}
    assert decide_label_video(video(*events), cmd, subject=BOB) == []


def test_unlabelling_takes_off_screenings_labels_too() -> None:
    events = decide_unlabel_video(video(), UnlabelVideo(MOD, "v1", [Label.NUDITY], "a statue"), subject=BOB)
    assert events == [videos.VideoUnlabelled("v1", "bob", ["nudity"], "mod", "a statue")]
    assert videos.shown_labels(video(*events)) == frozenset()
    assert decide_unlabel_video(video(*events), UnlabelVideo(MOD, "v1", [Label.AD], "x"), subject=BOB) == []


def test_a_label_must_be_one_we_know() -> None:
    with pytest.raises(InvalidCommand):
        decide_label_video(video(), LabelVideo(MOD, "v1", ["spicy"], "x"), subject=BOB)  # type: ignore[list-item]
    with pytest.raises(InvalidCommand):
        decide_label_video(video(), LabelVideo(MOD, "v1", [], "x"), subject=BOB)


def test_a_deleted_video_takes_no_moderation() -> None:
    with pytest.raises(Conflict):
        decide_label_video(
            video(videos.VideoDeleted("v1", "bob")), LabelVideo(MOD, "v1", [Label.AD], "x"), subject=BOB
        )


def test_removing_a_comment_takes_it_down_and_the_author_cannot_edit_it() -> None:
    # When
    events = decide_remove_comment(comment(), RemoveComment(MOD, "c1", "insult"), subject=BOB)
    # Then
    assert events == [comments.CommentRemoved("c1", "v1", "bob", "mod", "insult")]
    removed = comment(*events)
    assert removed.removed
    with pytest.raises(Conflict):
        comments.decide_edit_comment(removed, comments.EditComment(Actor("bob"), "c1", "nicer now"))


def test_a_restored_comment_is_back() -> None:
    removed = comments.CommentRemoved("c1", "v1", "bob", "mod", "insult")
    events = decide_restore_comment(comment(removed), RestoreComment(MOD, "c1", "context"), subject=BOB)
    assert events == [comments.CommentRestored("c1", "v1", "bob", "mod", "context")]
    assert not comment(removed, *events).removed
    with pytest.raises(Conflict):
        decide_restore_comment(comment(), RestoreComment(MOD, "c1", "x"), subject=BOB)


def test_an_unknown_comment_is_not_found_and_a_user_may_not_remove() -> None:
    with pytest.raises(NotFound):
        decide_remove_comment(comments.initial, RemoveComment(MOD, "c9", "x"), subject=BOB)
    with pytest.raises(NotAllowed):
        decide_remove_comment(comment(), RemoveComment(Actor("carol"), "c1", "x"), subject=BOB)


def test_new_and_abusive_reporters_weigh_less() -> None:
    established = report_weight(reporter_id="ann", age=timedelta(days=30), filed=10, dismissed=0)
    newborn = report_weight(reporter_id="ann", age=timedelta(hours=2), filed=0, dismissed=0)
    young = report_weight(reporter_id="ann", age=timedelta(days=3), filed=0, dismissed=0)
    abusive = report_weight(reporter_id="ann", age=timedelta(days=30), filed=10, dismissed=9)
    assert (established, young, newborn) == (1.0, 0.5, 0.25)
    assert abusive == pytest.approx(0.1)
    assert (
        report_weight(reporter_id="ann", age=timedelta(days=30), filed=3, dismissed=3) == 1.0
    )  # too few to judge
    assert report_weight(reporter_id="system:screening", age=None, filed=99, dismissed=99) == 3.0


def test_spread_raises_priority_on_a_log_scale() -> None:
    assert [spread_level(n) for n in (0, 1, 3, 7, 1000)] == [0, 1, 2, 3, 9]
    assert priority(2.5, 0) == 250
    assert priority(2.5, 7) == 550
