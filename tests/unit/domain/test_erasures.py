"""Erasure in the domain: the erasure record's steps (``erasure-<id>``), and the deletion of an erased
person's videos by the erasure cascade."""

from __future__ import annotations

import pytest

from domain import erasures
from domain.actors import ERASER, Actor, Role
from domain.decider import fold
from domain.erasures import (
    STEPS,
    CompleteErasure,
    CompleteStep,
    ErasureCompleted,
    ErasureStepCompleted,
    Step,
    decide_complete_erasure,
    decide_complete_step,
    record_id,
)
from domain.errors import Conflict, InvalidCommand, NotAllowed, NotFound
from domain.events import event_from_data
from domain.upcasters import UPCASTERS
from domain.videos import (
    PIPELINE,
    DeleteVideo,
    DeletionReason,
    Event,
    StartProcessing,
    VideoDeleted,
    VideoDraftCreated,
    VideoProcessingStarted,
    VideoUploadCompleted,
    decide_delete_video,
    decide_start_processing,
    evolve,
    initial,
)

OWNER = Actor("owner")
ADMIN = Actor("root", Role.ADMIN)


def record(*steps: Step, completed: bool = False) -> erasures.State:
    events: list[erasures.Event] = [ErasureStepCompleted("e1", s.value) for s in steps]
    return fold(
        erasures.evolve, erasures.initial, [*events, *([ErasureCompleted("e1")] if completed else [])]
    )


# -- the record ------------------------------------------------------------------------------------


def test_the_first_step_is_recorded() -> None:
    # Given
    state = record()
    # When
    events = decide_complete_step(state, CompleteStep(ERASER, "e1", Step.PERSONAL_DATA))
    # Then
    assert events == [ErasureStepCompleted("e1", "personal_data")]
    assert fold(erasures.evolve, state, events).done == {Step.PERSONAL_DATA}


def test_a_step_recorded_already_records_nothing() -> None:
    # Given
    state = record(Step.PERSONAL_DATA, Step.VIDEOS)
    # When
    events = decide_complete_step(state, CompleteStep(ERASER, "e1", Step.VIDEOS))
    # Then
    assert events == []


def test_a_step_before_the_ones_it_comes_after_is_refused() -> None:
    # Given
    state = record(Step.PERSONAL_DATA)
    # When / Then
    with pytest.raises(Conflict, match="claims comes after videos"):
        decide_complete_step(state, CompleteStep(ERASER, "e1", Step.CLAIMS))


@pytest.mark.parametrize("actor", [OWNER, ADMIN, PIPELINE], ids=["owner", "admin", "pipeline"])
def test_only_the_cascade_records_steps(actor: Actor) -> None:
    # Given
    state = record()
    # When / Then
    with pytest.raises(NotAllowed, match="erasure cascade"):
        decide_complete_step(state, CompleteStep(actor, "e1", Step.PERSONAL_DATA))
    with pytest.raises(NotAllowed, match="erasure cascade"):
        decide_complete_erasure(record(*STEPS), CompleteErasure(actor, "e1"))


def test_a_step_without_an_erasure_id_is_refused() -> None:
    # Given / When / Then
    with pytest.raises(InvalidCommand, match="erasure_id"):
        decide_complete_step(record(), CompleteStep(ERASER, " ", Step.PERSONAL_DATA))


def test_the_erasure_completes_once_every_step_is_done_and_only_once() -> None:
    # Given
    state = record(*STEPS)
    # When
    events = decide_complete_erasure(state, CompleteErasure(ERASER, "e1"))
    # Then
    assert events == [ErasureCompleted("e1")]
    assert decide_complete_erasure(fold(erasures.evolve, state, events), CompleteErasure(ERASER, "e1")) == []


def test_an_erasure_with_steps_to_do_does_not_complete() -> None:
    # Given
    state = record(Step.PERSONAL_DATA, Step.VIDEOS, Step.CLAIMS)
    # When / Then
    with pytest.raises(Conflict, match="media, views"):
        decide_complete_erasure(state, CompleteErasure(ERASER, "e1"))


def test_an_old_erasure_is_recorded_under_its_events_id() -> None:
    # Given / When / Then
    assert record_id("e1", "event-1") == "e1"
    assert record_id(None, "event-1") == "event-1"


# -- deleting an erased person's videos ------------------------------------------------------------

DRAFTED: list[Event] = [VideoDraftCreated("v1", "owner")]
PROCESSING: list[Event] = [
    *DRAFTED,
    VideoUploadCompleted("v1", "owner", "up1", 1000, 15_000, 1080, 1920),
    VideoProcessingStarted("v1", "owner"),
]
ERASING = DeleteVideo(ERASER, "v1", DeletionReason.ERASURE)


@pytest.mark.parametrize("history", [DRAFTED, PROCESSING], ids=["draft", "processing"])
def test_the_cascade_deletes_a_video_at_any_stage_with_the_erasure_as_reason(history: list[Event]) -> None:
    # Given
    state = fold(evolve, initial, history)
    # When
    events = decide_delete_video(state, ERASING)
    # Then
    assert events == [VideoDeleted("v1", "owner", "erasure")]
    assert fold(evolve, state, events).deleted


def test_a_video_the_cascade_finds_deleted_records_nothing() -> None:
    # Given
    history: list[Event] = [*DRAFTED, VideoDeleted("v1", "owner")]
    state = fold(evolve, initial, history)
    # When
    events = decide_delete_video(state, ERASING)
    # Then
    assert events == []


def test_a_video_that_does_not_exist_is_not_found_for_the_cascade_either() -> None:
    # Given / When / Then
    with pytest.raises(NotFound):
        decide_delete_video(initial, ERASING)


@pytest.mark.parametrize("actor", [OWNER, ADMIN], ids=["owner", "admin"])
def test_nobody_but_the_cascade_deletes_for_an_erasure(actor: Actor) -> None:
    # Given
    state = fold(evolve, initial, DRAFTED)
    # When / Then
    with pytest.raises(NotAllowed, match="erasure cascade"):
        decide_delete_video(state, DeleteVideo(actor, "v1", DeletionReason.ERASURE))


def test_the_cascade_cannot_delete_as_an_owner() -> None:
    # Given
    state = fold(evolve, initial, DRAFTED)
    # When / Then it is not the owner: to it, as to anyone else, there is no such video
    with pytest.raises(NotFound, match=r"^video not found$"):
        decide_delete_video(state, DeleteVideo(ERASER, "v1"))


def test_an_owners_deletion_says_so() -> None:
    # Given
    state = fold(evolve, initial, DRAFTED)
    # When
    events = decide_delete_video(state, DeleteVideo(OWNER, "v1"))
    # Then
    assert events == [VideoDeleted("v1", "owner", "owner")]


def test_a_deletion_recorded_before_reasons_reads_as_the_owners() -> None:
    # Given
    old = {"video_id": "v1", "owner_id": "owner"}
    # When
    restored = event_from_data("VideoDeleted", UPCASTERS[("VideoDeleted", 1)](old))
    # Then
    assert restored == VideoDeleted("v1", "owner", "owner")


def test_a_deleted_video_is_not_processed_afterwards() -> None:
    # Given: the pipeline reports on a video the cascade deleted meanwhile
    history: list[Event] = [*DRAFTED, VideoDeleted("v1", "owner", "erasure")]
    state = fold(evolve, initial, history)
    # When / Then
    with pytest.raises(Conflict, match="deleted"):
        decide_start_processing(state, StartProcessing(PIPELINE, "v1", upload_id="up1"))
