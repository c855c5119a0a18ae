"""The cover: the owner of a processed video picks the poster frame by its time; the pipeline makes
it, once, and only for the choice that is still the owner's."""

from __future__ import annotations

import pytest

from domain.errors import Conflict, InvalidCommand, NotAllowed, NotFound
from domain.videos import (
    ChooseCover,
    CompleteCover,
    Cover,
    CoverChosen,
    CoverFailed,
    CoverMade,
    CoverStatus,
    Event,
    FailCover,
    VideoDeleted,
    decide_choose_cover,
    decide_complete_cover,
    decide_fail_cover,
    pending_cover,
)
from domain.videos.rules import PIPELINE
from tests.unit.domain.test_videos import OWNER, PROCESSED, PROCESSING, PUBLISHED, STRANGER, given

KEY_1 = "videos/v1/up1/covers/c1.jpg"
CHOSEN: list[Event] = [*PUBLISHED, CoverChosen("v1", "owner", "up1", "c1", 7_500)]
MADE: list[Event] = [*CHOSEN, CoverMade("v1", "owner", "c1", KEY_1)]


def choose(at_ms: int, cover_id: str = "c2", actor: object = OWNER) -> ChooseCover:
    return ChooseCover(actor, "v1", at_ms, cover_id)  # type: ignore[arg-type]


def test_the_owner_of_a_processed_video_chooses_a_frame_published_or_not() -> None:
    for history in (PROCESSED, PUBLISHED):
        # Given a processed video / When its owner picks the frame at 7.5 s
        events = decide_choose_cover(given(*history), choose(7_500, "c1"))
        # Then the choice is recorded for the upload the renditions came from, waiting to be made
        assert events == [CoverChosen("v1", "owner", "up1", "c1", 7_500)]
        assert given(*history, *events).cover == Cover("c1", "up1", 7_500, CoverStatus.PENDING)


def test_the_pipeline_makes_it_and_it_becomes_the_poster() -> None:
    # Given a pending choice / When the pipeline reports the picture made
    events = decide_complete_cover(given(*CHOSEN), CompleteCover(PIPELINE, "v1", "c1", KEY_1))
    # Then it is the poster from now on
    assert events == [CoverMade("v1", "owner", "c1", KEY_1)]
    state = given(*CHOSEN, *events)
    assert (state.poster, state.cover) == (KEY_1, Cover("c1", "up1", 7_500, CoverStatus.MADE))


def test_a_repeated_report_records_nothing() -> None:
    # Given a made cover, and one that failed / When the same report comes again / Then nothing
    assert decide_complete_cover(given(*MADE), CompleteCover(PIPELINE, "v1", "c1", KEY_1)) == []
    failed = [*CHOSEN, CoverFailed("v1", "owner", "c1", "no frame")]
    assert decide_fail_cover(given(*failed), FailCover(PIPELINE, "v1", "c1", "no frame")) == []


def test_a_report_on_a_choice_since_replaced_is_refused_so_no_older_frame_comes_back() -> None:
    # Given choice c1, then c2 / When c1's slow job reports / Then it is refused, c2 still pending
    replaced = [*CHOSEN, CoverChosen("v1", "owner", "up1", "c2", 1_000)]
    with pytest.raises(Conflict, match="not the video's current choice"):
        decide_complete_cover(given(*replaced), CompleteCover(PIPELINE, "v1", "c1", KEY_1))
    assert pending_cover(given(*replaced), "c1") is None
    assert pending_cover(given(*replaced), "c2") == Cover("c2", "up1", 1_000)


def test_choosing_the_frame_already_chosen_records_nothing_but_after_a_failure_it_tries_again() -> None:
    # Given / When / Then
    assert decide_choose_cover(given(*CHOSEN), choose(7_500)) == []
    assert decide_choose_cover(given(*MADE), choose(7_500)) == []
    failed = [*CHOSEN, CoverFailed("v1", "owner", "c1", "no frame")]
    assert decide_choose_cover(given(*failed), choose(7_500)) == [
        CoverChosen("v1", "owner", "up1", "c2", 7_500)
    ]


def test_another_frame_is_a_new_choice_with_its_own_id() -> None:
    # Given a made cover / When another frame is chosen / Then the poster stays until the new one is made
    events = decide_choose_cover(given(*MADE), choose(100))
    assert events == [CoverChosen("v1", "owner", "up1", "c2", 100)]
    assert given(*MADE, *events).poster == KEY_1


@pytest.mark.parametrize("at_ms", [-1, 15_000, 15_001, 10**9])
def test_a_time_outside_the_video_is_refused(at_ms: int) -> None:
    # Given a video of 15 000 ms / When / Then
    with pytest.raises(InvalidCommand, match="at_ms"):
        decide_choose_cover(given(*PUBLISHED), choose(at_ms))


def test_a_time_must_be_a_whole_number() -> None:
    # Given / When / Then
    with pytest.raises(InvalidCommand, match="whole number"):
        decide_choose_cover(given(*PUBLISHED), choose(True))


def test_who_and_when() -> None:
    # Only the owner (to anyone else there is no video), only once processed, never on a deleted or
    # unknown video
    with pytest.raises(NotFound, match=r"^video not found$"):
        decide_choose_cover(given(*PUBLISHED), choose(0, actor=STRANGER))
    with pytest.raises(Conflict, match="choose a cover"):
        decide_choose_cover(given(*PROCESSING), choose(0))
    with pytest.raises(Conflict, match="deleted"):
        decide_choose_cover(given(*PUBLISHED, VideoDeleted("v1", "owner")), choose(0))
    with pytest.raises(NotFound):
        decide_choose_cover(given(), choose(0))


def test_only_the_pipeline_reports_and_only_into_the_videos_own_folder() -> None:
    # Given a pending choice
    state = given(*CHOSEN)
    # When someone else reports / Then
    with pytest.raises(NotAllowed):
        decide_complete_cover(state, CompleteCover(OWNER, "v1", "c1", KEY_1))
    # When the picture is said to lie elsewhere / Then
    for elsewhere in ("videos/v2/up1/covers/c1.jpg", "avatars/x/y/320.webp", "videos/v1/../v2/c.jpg"):
        with pytest.raises(InvalidCommand):
            decide_complete_cover(state, CompleteCover(PIPELINE, "v1", "c1", elsewhere))


def test_a_deleted_video_needs_no_cover_made() -> None:
    # Given / When / Then
    assert pending_cover(given(*CHOSEN, VideoDeleted("v1", "owner")), "c1") is None
    assert pending_cover(given(*CHOSEN), "c1") is not None
