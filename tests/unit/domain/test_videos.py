"""The video aggregate (``video-<id>``): the pipeline, the owner's publishing, and moderation."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

import pytest

from domain.access import VideoAccess, Visibility
from domain.actors import Actor, Role
from domain.decider import fold
from domain.errors import Conflict, InvalidCommand, NotAllowed, NotFound
from domain.events import DomainEvent, event_from_data
from domain.videos import (
    PIPELINE,
    CommentPinned,
    CommentUnpinned,
    CompleteProcessing,
    CompleteUpload,
    CreateDraft,
    DeleteVideo,
    EditVideo,
    Event,
    FailProcessing,
    HideVideo,
    PinComment,
    PublishVideo,
    RejectUpload,
    ReportProcessingProgress,
    RestoreVideo,
    Stage,
    StartProcessing,
    State,
    UnpinComment,
    UnpublishVideo,
    VideoDeleted,
    VideoDraftCreated,
    VideoEdited,
    VideoHidden,
    VideoProcessingFailed,
    VideoProcessingProgressed,
    VideoProcessingStarted,
    VideoProcessingSucceeded,
    VideoPublished,
    VideoReleased,
    VideoRestored,
    VideoScreened,
    VideoUnpublished,
    VideoUploadCompleted,
    VideoUploadRejected,
    access,
    decide_complete_processing,
    decide_complete_upload,
    decide_create_draft,
    decide_delete_video,
    decide_edit_video,
    decide_fail_processing,
    decide_hide_video,
    decide_pin_comment,
    decide_publish_video,
    decide_reject_upload,
    decide_report_processing_progress,
    decide_restore_video,
    decide_start_processing,
    decide_unpin_comment,
    decide_unpublish_video,
    evolve,
    initial,
)

OWNER = Actor("owner")
STRANGER = Actor("stranger")
MODERATOR = Actor("mod", Role.MODERATOR)
ADMIN = Actor("root", Role.ADMIN)

DRAFTED: list[Event] = [VideoDraftCreated("v1", "owner")]
UPLOADED: list[Event] = [*DRAFTED, VideoUploadCompleted("v1", "owner", "up1", 1000, 15_000, 1080, 1920)]
PROCESSING: list[Event] = [*UPLOADED, VideoProcessingStarted("v1", "owner")]
FAILED: list[Event] = [*PROCESSING, VideoProcessingFailed("v1", "owner", "not a video")]
PROCESSED: list[Event] = [
    *PROCESSING,
    VideoProcessingSucceeded("v1", "owner", ["240p", "720p"], "v1/master.m3u8", "v1/p.jpg"),
]
#: Screening let the upload through: the owner may publish it (tests/unit/domain/test_video_screening.py).
SCREENED: list[Event] = [*PROCESSED, VideoScreened("v1", "owner", "up1", "p1", "allowed", [], [])]
PUBLISHED_EVENT = VideoPublished("v1", "owner", "hi #cats", ["cats"], "public", True)
PUBLISHED: list[Event] = [*SCREENED, PUBLISHED_EVENT]


def given(*events: Event) -> State:
    return fold(evolve, initial, events)


def upload(actor: Actor = OWNER, **changes: Any) -> CompleteUpload:
    fields: dict[str, Any] = {
        "upload_id": "up1",
        "size_bytes": 1000,
        "duration_ms": 15_000,
        "width": 1080,
        "height": 1920,
        **changes,
    }
    return CompleteUpload(actor, "v1", **fields)


def succeed(**changes: Any) -> CompleteProcessing:
    fields: dict[str, Any] = {
        "renditions": ["240p", "720p"],
        "master_playlist": "v1/master.m3u8",
        "poster": "v1/p.jpg",
        "upload_id": "up1",
        **changes,
    }
    return CompleteProcessing(PIPELINE, "v1", **fields)


# -- draft and upload ------------------------------------------------------------------------------


def test_creating_a_draft_makes_the_actor_its_owner() -> None:
    # Given
    state = given()
    # When
    events = decide_create_draft(state, CreateDraft(OWNER, "v1"))
    # Then
    assert events == DRAFTED
    after = fold(evolve, state, events)
    assert (after.exists, after.owner_id, after.stage) == (True, "owner", Stage.DRAFT)


def test_creating_a_video_that_exists_is_refused() -> None:
    # Given
    state = given(*DRAFTED)
    # When / Then
    with pytest.raises(Conflict, match="already exists"):
        decide_create_draft(state, CreateDraft(OWNER, "v1"))


def test_creating_a_draft_without_an_id_is_refused() -> None:
    # Given
    state = given()
    # When / Then
    with pytest.raises(InvalidCommand, match="video_id is required"):
        decide_create_draft(state, CreateDraft(OWNER, ""))


def test_creating_a_draft_without_an_actor_is_refused() -> None:
    # Given
    state = given()
    # When / Then
    with pytest.raises(InvalidCommand, match="actor is required"):
        decide_create_draft(state, CreateDraft(Actor(""), "v1"))


@pytest.mark.parametrize("actor", [OWNER, PIPELINE], ids=["owner", "pipeline"])
def test_the_owner_or_the_pipeline_completes_an_upload(actor: Actor) -> None:
    # Given
    state = given(*DRAFTED)
    # When
    events = decide_complete_upload(state, upload(actor))
    # Then
    assert events == UPLOADED[1:]
    assert fold(evolve, state, events).stage is Stage.UPLOADED


def test_a_new_upload_is_accepted_after_processing_failed() -> None:
    # Given
    state = given(*FAILED)
    # When
    events = decide_complete_upload(state, upload(upload_id="up2"))
    # Then
    assert [type(e) for e in events] == [VideoUploadCompleted]


@pytest.mark.parametrize("actor", [STRANGER, ADMIN, MODERATOR], ids=["stranger", "admin", "moderator"])
def test_nobody_else_completes_an_upload_and_finds_no_video_to_upload_to(actor: Actor) -> None:
    # Given
    state = given(*DRAFTED)
    # When / Then
    with pytest.raises(NotFound, match=r"^video not found$"):
        decide_complete_upload(state, upload(actor))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"upload_id": ""}, "upload_id is required"),
        ({"size_bytes": 0}, "size_bytes"),
        ({"size_bytes": 4 * 1024**3 + 1}, "size_bytes"),
        ({"duration_ms": -1}, "duration_ms"),
        ({"duration_ms": 10 * 60 * 1000 + 1}, "duration_ms"),
        ({"width": 0}, "width"),
        ({"height": 8193}, "height"),
        ({"width": True}, "width"),
    ],
    ids=["no-id", "empty", "too-big", "negative-duration", "too-long", "no-width", "too-tall", "bool"],
)
def test_an_upload_out_of_bounds_is_refused(changes: dict[str, Any], message: str) -> None:
    # Given
    state = given(*DRAFTED)
    # When / Then
    with pytest.raises(InvalidCommand, match=message):
        decide_complete_upload(state, upload(**changes))


@pytest.mark.parametrize(
    "history", [UPLOADED, PROCESSING, PROCESSED], ids=["uploaded", "processing", "processed"]
)
def test_an_upload_after_the_first_is_refused_unless_processing_failed(history: list[Event]) -> None:
    # Given
    state = given(*history)
    # When / Then
    with pytest.raises(Conflict, match="cannot complete an upload"):
        decide_complete_upload(state, upload())


# -- processing ------------------------------------------------------------------------------------


@pytest.mark.parametrize("history", [UPLOADED, FAILED], ids=["fresh", "retry"])
def test_the_pipeline_starts_processing_an_upload(history: list[Event]) -> None:
    # Given
    state = given(*history)
    # When
    events = decide_start_processing(state, StartProcessing(PIPELINE, "v1", upload_id="up1"))
    # Then
    assert events == [VideoProcessingStarted("v1", "owner")]
    assert fold(evolve, state, events).stage is Stage.PROCESSING


@pytest.mark.parametrize(
    ("history", "message"),
    [
        (DRAFTED, "has no upload yet"),
        (PROCESSED, "is already processed"),
    ],
    ids=["draft", "processed"],
)
def test_processing_starts_only_after_an_upload(history: list[Event], message: str) -> None:
    # Given
    state = given(*history)
    # When / Then
    with pytest.raises(Conflict, match=f"cannot start processing: the video {message}"):
        decide_start_processing(state, StartProcessing(PIPELINE, "v1", upload_id="up1"))


PIPELINE_COMMANDS: dict[str, Callable[[State, Actor], list[Event]]] = {
    "start": lambda s, a: decide_start_processing(s, StartProcessing(a, "v1", upload_id="up1")),
    "progress": lambda s, a: decide_report_processing_progress(
        s, ReportProcessingProgress(a, "v1", 50, upload_id="up1")
    ),
    "succeed": lambda s, a: decide_complete_processing(
        s, CompleteProcessing(a, "v1", ["240p"], "m", "p", upload_id="up1")
    ),
    "fail": lambda s, a: decide_fail_processing(s, FailProcessing(a, "v1", "boom", upload_id="up1")),
}


@pytest.mark.parametrize("command", sorted(PIPELINE_COMMANDS))
@pytest.mark.parametrize(
    "actor", [OWNER, ADMIN, Actor("system:media-pipeline")], ids=["owner", "admin", "pipeline-id-as-user"]
)
def test_only_the_pipeline_reports_processing(command: str, actor: Actor) -> None:
    # Given
    state = given(*UPLOADED) if command == "start" else given(*PROCESSING)
    # When / Then
    with pytest.raises(NotAllowed, match="only the media pipeline"):
        PIPELINE_COMMANDS[command](state, actor)


@pytest.mark.parametrize(
    ("command", "history"),
    [
        ("progress", UPLOADED),
        ("progress", PROCESSED),
        ("progress", FAILED),
        ("succeed", UPLOADED),
        ("succeed", FAILED),
        ("fail", UPLOADED),
        ("fail", PROCESSED),
    ],
)
def test_processing_results_are_refused_unless_processing(command: str, history: list[Event]) -> None:
    # Given
    state = given(*history)
    # When / Then
    with pytest.raises(Conflict, match="cannot"):
        PIPELINE_COMMANDS[command](state, PIPELINE)


def test_progress_is_recorded_as_it_goes_up() -> None:
    # Given
    state = given(*PROCESSING, VideoProcessingProgressed("v1", "owner", 20))
    # When
    events = decide_report_processing_progress(
        state, ReportProcessingProgress(PIPELINE, "v1", 45, upload_id="up1")
    )
    # Then
    assert events == [VideoProcessingProgressed("v1", "owner", 45)]
    assert fold(evolve, state, events).percent == 45


@pytest.mark.parametrize("percent", [20, 10, 0])
def test_a_repeated_or_late_progress_report_records_nothing(percent: int) -> None:
    # Given
    state = given(*PROCESSING, VideoProcessingProgressed("v1", "owner", 20))
    # When
    events = decide_report_processing_progress(
        state, ReportProcessingProgress(PIPELINE, "v1", percent, upload_id="up1")
    )
    # Then
    assert events == []


@pytest.mark.parametrize("percent", [-1, 101])
def test_progress_outside_0_to_100_is_refused(percent: int) -> None:
    # Given
    state = given(*PROCESSING)
    # When / Then
    with pytest.raises(InvalidCommand, match="0 to 100"):
        decide_report_processing_progress(
            state, ReportProcessingProgress(PIPELINE, "v1", percent, upload_id="up1")
        )


def test_successful_processing_records_the_renditions_and_makes_the_video_publishable() -> None:
    # Given
    state = given(*PROCESSING)
    # When
    events = decide_complete_processing(state, succeed())
    # Then
    assert events == PROCESSED[-1:]
    assert fold(evolve, state, events).stage is Stage.PROCESSED


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"renditions": []}, "1 to 16 renditions"),
        ({"renditions": [f"r{i}" for i in range(17)]}, "1 to 16 renditions"),
        ({"renditions": ["720P"]}, "rendition name"),
        ({"renditions": ["240p", "240p"]}, "unique"),
        ({"master_playlist": ""}, "master_playlist must be at least 1"),
        ({"master_playlist": "/etc/passwd"}, "relative path"),
        ({"poster": "v1/../../secret.jpg"}, "relative path"),
        ({"poster": "v1\\p.jpg"}, "relative path"),
    ],
    ids=["none", "too-many", "upper-case", "duplicate", "no-playlist", "absolute", "climbing", "backslash"],
)
def test_a_malformed_processing_result_is_refused(changes: dict[str, Any], message: str) -> None:
    # Given
    state = given(*PROCESSING)
    # When / Then
    with pytest.raises(InvalidCommand, match=message):
        decide_complete_processing(state, succeed(**changes))


def test_failed_processing_records_the_reason() -> None:
    # Given
    state = given(*PROCESSING)
    # When
    events = decide_fail_processing(state, FailProcessing(PIPELINE, "v1", " not a video ", upload_id="up1"))
    # Then
    assert events == FAILED[-1:]
    assert fold(evolve, state, events).stage is Stage.FAILED


def test_failing_processing_without_a_reason_is_refused() -> None:
    # Given
    state = given(*PROCESSING)
    # When / Then
    with pytest.raises(InvalidCommand, match="reason must be at least 1"):
        decide_fail_processing(state, FailProcessing(PIPELINE, "v1", " ", upload_id="up1"))


# -- publish and edit ------------------------------------------------------------------------------


def test_publishing_records_the_details_with_the_captions_hashtags() -> None:
    # Given
    state = given(*SCREENED)
    cmd = PublishVideo(
        OWNER, "v1", " #Dogs and #cats, a#b &#39; #café #dogs ", ["#Pets", "cats"], Visibility.FOLLOWERS
    )
    # When
    events = decide_publish_video(state, cmd)
    # Then
    caption = "#Dogs and #cats, a#b &#39; #café #dogs"
    assert events == [VideoPublished("v1", "owner", caption, ["pets", "cats", "dogs"], "followers", True)]
    after = fold(evolve, state, events)
    assert (after.published, after.hashtags, after.visibility) == (
        True,
        ("pets", "cats", "dogs"),
        "followers",
    )


def test_a_caption_tag_longer_than_50_is_ordinary_text() -> None:
    # Given
    state = given(*SCREENED)
    # When
    (event,) = decide_publish_video(state, PublishVideo(OWNER, "v1", "#" + "x" * 51 + " #ok"))
    # Then
    assert isinstance(event, VideoPublished)
    assert event.hashtags == ["ok"]


@pytest.mark.parametrize(
    "history", [DRAFTED, UPLOADED, PROCESSING, FAILED], ids=lambda h: type(h[-1]).__name__
)
def test_publishing_before_processing_succeeded_is_refused(history: list[Event]) -> None:
    # Given
    state = given(*history)
    # When / Then
    with pytest.raises(Conflict, match="cannot publish"):
        decide_publish_video(state, PublishVideo(OWNER, "v1"))


def test_publishing_a_published_video_is_refused() -> None:
    # Given
    state = given(*PUBLISHED)
    # When / Then
    with pytest.raises(Conflict, match="already published"):
        decide_publish_video(state, PublishVideo(OWNER, "v1"))


def test_an_unpublished_video_can_be_published_again() -> None:
    # Given
    state = given(*PUBLISHED, VideoUnpublished("v1", "owner"))
    # When
    events = decide_publish_video(state, PublishVideo(OWNER, "v1", comments_allowed=False))
    # Then
    assert events == [VideoPublished("v1", "owner", "", [], "public", False)]


@pytest.mark.parametrize(
    ("caption", "hashtags", "message"),
    [
        ("x" * 2201, [], "caption must be at most 2200"),
        ("a\x07b", [], "caption contains control"),
        ("", ["no spaces"], "hashtag 'no spaces'"),
        ("", ["x" * 51], "1 to 50"),
        ("", ["x" * 200], "hashtag must be at most 100"),
        ("", ["a\x00"], "hashtag contains control"),
        ("", ["#"], "1 to 50"),
        ("", ["ünï"], "1 to 50"),
        ("", [f"t{i}" for i in range(31)], "at most 30 hashtags"),
        (" ".join(f"#t{i}" for i in range(30)), ["one_more"], "at most 30 hashtags"),
    ],
    ids=[
        "long-caption",
        "control",
        "space",
        "long-tag",
        "huge-tag",
        "control-in-tag",
        "empty-tag",
        "non-ascii",
        "31-tags",
        "30+1-tags",
    ],
)
def test_invalid_details_are_refused(caption: str, hashtags: list[str], message: str) -> None:
    # Given
    publishable, published = given(*SCREENED), given(*PUBLISHED)
    # When / Then
    with pytest.raises(InvalidCommand, match=message):
        decide_publish_video(publishable, PublishVideo(OWNER, "v1", caption, hashtags))
    with pytest.raises(InvalidCommand, match=message):
        decide_edit_video(published, EditVideo(OWNER, "v1", caption, hashtags))


def test_thirty_hashtags_are_enough() -> None:
    # Given
    state = given(*SCREENED)
    # When
    (event,) = decide_publish_video(state, PublishVideo(OWNER, "v1", "#t0 #T1", [f"t{i}" for i in range(30)]))
    # Then
    assert isinstance(event, VideoPublished)
    assert len(event.hashtags) == 30


def test_editing_records_the_new_details() -> None:
    # Given
    state = given(*PUBLISHED)
    # When
    events = decide_edit_video(state, EditVideo(OWNER, "v1", "hi #cats", [], Visibility.PRIVATE, False))
    # Then
    assert events == [VideoEdited("v1", "owner", "hi #cats", ["cats"], "private", False)]
    after = fold(evolve, state, events)
    assert (after.visibility, after.comments_allowed) == (Visibility.PRIVATE, False)


def test_editing_without_a_change_records_nothing() -> None:
    # Given
    state = given(*PUBLISHED)
    # When
    events = decide_edit_video(state, EditVideo(OWNER, "v1", " hi #cats ", ["CATS"], Visibility.PUBLIC, True))
    # Then
    assert events == []


@pytest.mark.parametrize("history", [PROCESSED, [*PUBLISHED, VideoUnpublished("v1", "owner")]])
def test_editing_an_unpublished_video_is_refused(history: list[Event]) -> None:
    # Given
    state = given(*history)
    # When / Then
    with pytest.raises(Conflict, match="only a published video can be edited"):
        decide_edit_video(state, EditVideo(OWNER, "v1"))


# -- unpublish and delete --------------------------------------------------------------------------


def test_unpublishing_takes_the_video_off_the_feeds() -> None:
    # Given
    state = given(*PUBLISHED)
    # When
    events = decide_unpublish_video(state, UnpublishVideo(OWNER, "v1"))
    # Then
    assert events == [VideoUnpublished("v1", "owner")]
    assert access(fold(evolve, state, events)).watchable is False


def test_unpublishing_a_video_that_is_not_published_is_refused() -> None:
    # Given
    state = given(*PROCESSED)
    # When / Then
    with pytest.raises(Conflict, match="not published"):
        decide_unpublish_video(state, UnpublishVideo(OWNER, "v1"))


@pytest.mark.parametrize(
    "history", [DRAFTED, PROCESSING, PUBLISHED], ids=["draft", "processing", "published"]
)
def test_the_owner_deletes_a_video_at_any_stage(history: list[Event]) -> None:
    # Given
    state = given(*history)
    # When
    events = decide_delete_video(state, DeleteVideo(OWNER, "v1"))
    # Then
    assert events == [VideoDeleted("v1", "owner")]
    assert access(fold(evolve, state, events)).deleted is True


# -- pinned comments -------------------------------------------------------------------------------


def test_pinning_a_comment_is_recorded() -> None:
    # Given
    state = given(*PUBLISHED)
    # When
    events = decide_pin_comment(state, PinComment(OWNER, "v1", "c1"))
    # Then
    assert events == [CommentPinned("v1", "owner", "c1")]
    assert fold(evolve, state, events).pinned_comment_id == "c1"


def test_pinning_the_pinned_comment_again_records_nothing() -> None:
    # Given
    state = given(*PUBLISHED, CommentPinned("v1", "owner", "c1"))
    # When / Then
    assert decide_pin_comment(state, PinComment(OWNER, "v1", "c1")) == []


def test_pinning_another_comment_unpins_the_first() -> None:
    # Given
    state = given(*PUBLISHED, CommentPinned("v1", "owner", "c1"))
    # When
    events = decide_pin_comment(state, PinComment(OWNER, "v1", "c2"))
    # Then
    assert events == [CommentUnpinned("v1", "owner", "c1"), CommentPinned("v1", "owner", "c2")]


def test_unpinning_the_pinned_comment_is_recorded() -> None:
    # Given
    state = given(*PUBLISHED, CommentPinned("v1", "owner", "c1"))
    # When
    events = decide_unpin_comment(state, UnpinComment(OWNER, "v1", "c1"))
    # Then
    assert events == [CommentUnpinned("v1", "owner", "c1")]
    assert fold(evolve, state, events).pinned_comment_id is None


@pytest.mark.parametrize("pinned", [[], [CommentPinned("v1", "owner", "c2")]], ids=["none", "another"])
def test_unpinning_a_comment_that_is_not_pinned_records_nothing(pinned: list[Event]) -> None:
    # Given
    state = given(*PUBLISHED, *pinned)
    # When / Then
    assert decide_unpin_comment(state, UnpinComment(OWNER, "v1", "c1")) == []


@pytest.mark.parametrize("decide", [decide_pin_comment, decide_unpin_comment])
def test_pinning_without_a_comment_id_is_refused(decide: Callable[[State, Any], list[Event]]) -> None:
    # Given
    state = given(*PUBLISHED)
    # When / Then
    with pytest.raises(InvalidCommand, match="comment_id is required"):
        decide(state, PinComment(OWNER, "v1", ""))


# -- moderation ------------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", [MODERATOR, ADMIN], ids=["moderator", "admin"])
def test_a_moderator_hides_a_video_with_a_reason(actor: Actor) -> None:
    # Given
    state = given(*PUBLISHED)
    # When
    events = decide_hide_video(state, HideVideo(actor, "v1", "spam"))
    # Then
    assert events == [VideoHidden("v1", "owner", actor.user_id, "spam")]
    assert access(fold(evolve, state, events)).watchable is False


def test_a_moderator_restores_a_hidden_video() -> None:
    # Given
    state = given(*PUBLISHED, VideoHidden("v1", "owner", "mod", "spam"))
    # When
    events = decide_restore_video(state, RestoreVideo(MODERATOR, "v1", "appeal upheld"))
    # Then
    assert events == [VideoRestored("v1", "owner", "mod", "appeal upheld")]
    assert access(fold(evolve, state, events)).watchable is True


def test_hiding_a_hidden_video_is_refused() -> None:
    # Given
    state = given(*PUBLISHED, VideoHidden("v1", "owner", "mod", "spam"))
    # When / Then
    with pytest.raises(Conflict, match="already hidden"):
        decide_hide_video(state, HideVideo(MODERATOR, "v1", "spam"))


def test_restoring_a_video_that_is_not_hidden_is_refused() -> None:
    # Given
    state = given(*PUBLISHED)
    # When / Then
    with pytest.raises(Conflict, match="not hidden"):
        decide_restore_video(state, RestoreVideo(MODERATOR, "v1", "fine"))


@pytest.mark.parametrize(
    "actor", [OWNER, STRANGER, Actor("aud", Role.AUDITOR)], ids=["owner", "user", "auditor"]
)
def test_only_a_moderator_hides_or_restores(actor: Actor) -> None:
    # Given
    visible, hidden = given(*PUBLISHED), given(*PUBLISHED, VideoHidden("v1", "owner", "mod", "spam"))
    # When / Then
    with pytest.raises(NotAllowed, match="only a moderator"):
        decide_hide_video(visible, HideVideo(actor, "v1", "spam"))
    with pytest.raises(NotAllowed, match="only a moderator"):
        decide_restore_video(hidden, RestoreVideo(actor, "v1", "ok"))


def test_hiding_or_restoring_without_a_reason_is_refused() -> None:
    # Given
    visible, hidden = given(*PUBLISHED), given(*PUBLISHED, VideoHidden("v1", "owner", "mod", "spam"))
    # When / Then
    with pytest.raises(InvalidCommand, match="reason"):
        decide_hide_video(visible, HideVideo(MODERATOR, "v1", ""))
    with pytest.raises(InvalidCommand, match="reason"):
        decide_restore_video(hidden, RestoreVideo(MODERATOR, "v1", "\t"))


def test_a_hidden_video_stays_hidden_when_republished() -> None:
    # Given
    state = given(*PUBLISHED, VideoHidden("v1", "owner", "mod", "spam"), VideoUnpublished("v1", "owner"))
    # When
    events = decide_publish_video(state, PublishVideo(OWNER, "v1"))
    # Then
    assert access(fold(evolve, state, events)).watchable is False


# -- what every command shares ---------------------------------------------------------------------

OWNER_COMMANDS: dict[str, Callable[[State, Actor], list[Event]]] = {
    "upload": lambda s, a: decide_complete_upload(s, upload(a)),
    "publish": lambda s, a: decide_publish_video(s, PublishVideo(a, "v1")),
    "edit": lambda s, a: decide_edit_video(s, EditVideo(a, "v1", "new")),
    "unpublish": lambda s, a: decide_unpublish_video(s, UnpublishVideo(a, "v1")),
    "delete": lambda s, a: decide_delete_video(s, DeleteVideo(a, "v1")),
    "pin": lambda s, a: decide_pin_comment(s, PinComment(a, "v1", "c1")),
    "unpin": lambda s, a: decide_unpin_comment(s, UnpinComment(a, "v1", "c1")),
}


def by(actor: Actor, decide: Callable[[State, Actor], list[Event]]) -> Callable[[State], list[Event]]:
    return lambda state: decide(state, actor)


EVERY_COMMAND: dict[str, Callable[[State], list[Event]]] = {
    **{name: by(OWNER, decide) for name, decide in OWNER_COMMANDS.items()},
    **{name: by(PIPELINE, decide) for name, decide in PIPELINE_COMMANDS.items()},
    "create": lambda s: decide_create_draft(s, CreateDraft(OWNER, "v1")),
    "hide": lambda s: decide_hide_video(s, HideVideo(MODERATOR, "v1", "spam")),
    "restore": lambda s: decide_restore_video(s, RestoreVideo(MODERATOR, "v1", "ok")),
}


NOT_OWNERS = {"user": STRANGER, "mod": MODERATOR, "admin": ADMIN, "pipeline": PIPELINE}


@pytest.mark.parametrize(
    ("command", "actor"),
    [
        pytest.param(command, actor, id=f"{command}-by-{who}")
        for command in sorted(OWNER_COMMANDS)
        for who, actor in NOT_OWNERS.items()
        if (command, actor) != ("upload", PIPELINE)  # the pipeline may complete an upload
    ],
)
def test_only_the_owner_acts_on_their_video_and_to_anyone_else_it_is_not_found(
    command: str, actor: Actor
) -> None:
    # Given a video that is there, and one that was deleted
    live = given(*DRAFTED) if command == "upload" else given(*PUBLISHED)
    deleted = fold(evolve, live, [VideoDeleted("v1", "owner")])
    # When / Then both read to anyone else as a video never created does
    for state in (live, deleted, initial):
        with pytest.raises(NotFound, match=r"^video not found$"):
            OWNER_COMMANDS[command](state, actor)


@pytest.mark.parametrize("command", sorted(EVERY_COMMAND))
def test_a_deleted_video_accepts_nothing(command: str) -> None:
    # Given
    state = given(*PUBLISHED, VideoHidden("v1", "owner", "mod", "spam"), VideoDeleted("v1", "owner"))
    # When / Then
    with pytest.raises(Conflict, match=r"was deleted|already exists"):
        EVERY_COMMAND[command](state)


@pytest.mark.parametrize("command", sorted(set(EVERY_COMMAND) - {"create"}))
def test_an_unknown_video_is_not_found(command: str) -> None:
    # Given
    state = given()
    # When / Then
    with pytest.raises(NotFound, match="video not found"):
        EVERY_COMMAND[command](state)


@pytest.mark.parametrize("command", sorted(set(EVERY_COMMAND) - {"create"}))
def test_state_of_another_video_is_a_wiring_bug(command: str) -> None:
    # Given
    state = given(VideoDraftCreated("v2", "owner"))
    # When / Then
    with pytest.raises(ValueError, match="state of video 'v2' given for video 'v1'"):
        EVERY_COMMAND[command](state)


# -- access and stored shape -----------------------------------------------------------------------


def test_access_tells_engagement_what_it_needs() -> None:
    # Given
    state = given(*PUBLISHED, VideoEdited("v1", "owner", "x", [], "followers", False))
    # When
    seen = access(state)
    # Then
    assert seen == VideoAccess(
        video_id="v1",
        owner_id="owner",
        published=True,
        visibility=Visibility.FOLLOWERS,
        comments_allowed=False,
    )
    assert seen.watchable is True


def test_an_unknown_video_reads_as_absent() -> None:
    # Given / When
    seen = access(given())
    # Then
    assert (seen.exists, seen.watchable) == (False, False)


def test_a_caption_and_hashtags_whose_key_was_erased_read_as_none_and_none() -> None:
    # Given
    erased = {**PUBLISHED_EVENT.to_data(), "caption": None, "hashtags": None}
    restored = event_from_data("VideoPublished", erased)
    assert isinstance(restored, VideoPublished)
    # When
    state = given(*PROCESSED, restored)
    # Then
    assert (state.caption, state.hashtags) == (None, ())
    assert PUBLISHED_EVENT.personal_fields == VideoEdited.personal_fields == ("caption", "hashtags")
    assert PUBLISHED_EVENT.subject() == "owner"


EVENTS: list[DomainEvent] = [
    *PROCESSED,
    VideoProcessingProgressed("v1", "owner", 40),
    VideoProcessingFailed("v1", "owner", "no video stream"),
    PUBLISHED_EVENT,
    VideoEdited("v1", "owner", None, ["a", "b"], "private", False),
    VideoUnpublished("v1", "owner"),
    VideoDeleted("v1", "owner"),
    CommentPinned("v1", "owner", "c1"),
    CommentUnpinned("v1", "owner", "c1"),
    VideoHidden("v1", "owner", "mod", "spam"),
    VideoRestored("v1", "owner", "mod", "ok"),
    VideoScreened("v1", "owner", "up1", "p1", "labelled", ["nudity"], ["entry"], 0.75, None),
    VideoReleased("v1", "owner", "up1", "mod", "looked at it"),
]


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: type(e).__name__)
def test_each_event_round_trips_through_its_stored_data(event: DomainEvent) -> None:
    # Given
    data = json.loads(json.dumps(event.to_data()))
    # When
    restored = event_from_data(event.event_type, data)
    # Then
    assert restored == event


# -- at-least-once jobs ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "history"),
    [("start", PROCESSING), ("succeed", PROCESSED), ("fail", FAILED)],
    ids=["started-again", "succeeded-again", "failed-again"],
)
def test_a_job_run_again_records_nothing_it_already_recorded(command: str, history: list[Event]) -> None:
    # Given a job that reported this once already (its worker was killed and the job ran again)
    state = given(*history)
    # When / Then
    assert PIPELINE_COMMANDS[command](state, PIPELINE) == []


@pytest.mark.parametrize("command", sorted(PIPELINE_COMMANDS))
def test_a_report_about_a_replaced_upload_is_refused(command: str) -> None:
    # Given a video whose first upload failed processing and that was uploaded again
    replaced = [*FAILED, VideoUploadCompleted("v1", "owner", "up2", 2000, 9_000, 720, 1280)]
    state = (
        given(*replaced) if command == "start" else given(*replaced, VideoProcessingStarted("v1", "owner"))
    )
    # When / Then a job still running for the first upload cannot report on the second
    with pytest.raises(Conflict, match="not the video's current one"):
        PIPELINE_COMMANDS[command](state, PIPELINE)


def reject(**changes: Any) -> RejectUpload:
    fields: dict[str, Any] = {"upload_id": "up9", "size_bytes": 12, "reason": "not a video: text", **changes}
    return RejectUpload(PIPELINE, "v1", **fields)


@pytest.mark.parametrize("history", [DRAFTED, FAILED], ids=["draft", "failed"])
def test_an_unplayable_upload_is_rejected_with_its_reason_and_the_draft_stays_open(
    history: list[Event],
) -> None:
    # Given
    state = given(*history)
    # When
    events = decide_reject_upload(state, reject())
    # Then
    assert events == [VideoUploadRejected("v1", "owner", "up9", 12, "not a video: text")]
    assert fold(evolve, state, events) == state
    decide_complete_upload(fold(evolve, state, events), upload(upload_id="up10"))


@pytest.mark.parametrize(
    ("history", "actor", "error"),
    [
        (UPLOADED, PIPELINE, Conflict),
        (PROCESSED, PIPELINE, Conflict),
        (DRAFTED, OWNER, NotAllowed),
        (DRAFTED, ADMIN, NotAllowed),
    ],
    ids=["uploaded", "processed", "by-owner", "by-admin"],
)
def test_only_the_pipeline_rejects_and_only_while_waiting_for_a_file(
    history: list[Event], actor: Actor, error: type[Exception]
) -> None:
    # Given
    state = given(*history)
    # When / Then
    with pytest.raises(error):
        decide_reject_upload(state, dataclasses.replace(reject(), actor=actor))


def test_a_rejection_without_a_reason_is_refused() -> None:
    # Given
    state = given(*DRAFTED)
    # When / Then
    with pytest.raises(InvalidCommand, match="reason"):
        decide_reject_upload(state, reject(reason="  "))
