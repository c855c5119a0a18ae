"""Reports of videos, comments and users, kept on the reporter's own ``reports-<user>`` stream."""

from __future__ import annotations

import json

import pytest

from domain.actors import Actor
from domain.decider import fold
from domain.errors import InvalidCommand
from domain.events import event_from_data
from domain.reports import (
    FileReport,
    ReportFiled,
    ReportReason,
    State,
    TargetKind,
    decide_file_report,
    evolve,
    initial,
)

ANN = Actor("ann")
SPAM = ReportReason.SPAM
VIDEO_REPORT = ReportFiled("r1", "ann", "video", "v1", "bob", "spam", None)


def given(*events: ReportFiled) -> State:
    return fold(evolve, initial, events)


def test_reporting_a_video_records_the_report_and_its_owner() -> None:
    # Given
    state = given()
    # When
    events = decide_file_report(
        state, FileReport(ANN, "r1", TargetKind.VIDEO, "v1", SPAM, target_owner_id="bob")
    )
    # Then
    assert events == [VIDEO_REPORT]
    assert fold(evolve, state, events).reported == {"video:v1"}


def test_reporting_a_comment_records_a_note() -> None:
    # Given
    state = given()
    cmd = FileReport(
        ANN,
        "r2",
        TargetKind.COMMENT,
        "c1",
        ReportReason.HARASSMENT,
        " line one\nline two ",
        target_owner_id="bob",
    )
    # When
    events = decide_file_report(state, cmd)
    # Then
    assert events == [ReportFiled("r2", "ann", "comment", "c1", "bob", "harassment", "line one\nline two")]


def test_reporting_a_user_needs_no_owner() -> None:
    # Given
    state = given()
    # When
    events = decide_file_report(state, FileReport(ANN, "r3", TargetKind.USER, "bob", ReportReason.HATE))
    # Then
    assert events == [ReportFiled("r3", "ann", "user", "bob", "bob", "hate", None)]


def test_a_blank_note_is_no_note() -> None:
    # Given
    state = given()
    # When
    (event,) = decide_file_report(state, FileReport(ANN, "r3", TargetKind.USER, "bob", SPAM, note="  "))
    # Then
    assert event.note is None


def test_reporting_the_same_target_again_records_nothing() -> None:
    # Given
    state = given(VIDEO_REPORT)
    # When
    events = decide_file_report(
        state, FileReport(ANN, "r9", TargetKind.VIDEO, "v1", ReportReason.VIOLENCE, target_owner_id="bob")
    )
    # Then
    assert events == []


@pytest.mark.parametrize(("kind", "target_id"), [(TargetKind.VIDEO, "v2"), (TargetKind.COMMENT, "v1")])
def test_another_target_can_still_be_reported(kind: TargetKind, target_id: str) -> None:
    # Given
    state = given(VIDEO_REPORT)
    # When
    events = decide_file_report(state, FileReport(ANN, "r2", kind, target_id, SPAM, target_owner_id="bob"))
    # Then
    assert len(events) == 1


@pytest.mark.parametrize(
    ("kind", "target_id", "message"),
    [
        (TargetKind.USER, "ann", "you cannot report yourself"),
        (TargetKind.VIDEO, "v1", "you cannot report your own video"),
        (TargetKind.COMMENT, "c1", "you cannot report your own comment"),
    ],
)
def test_you_cannot_report_yourself_or_your_own_content(
    kind: TargetKind, target_id: str, message: str
) -> None:
    # Given
    state = given()
    # When / Then
    with pytest.raises(InvalidCommand, match=message):
        decide_file_report(state, FileReport(ANN, "r1", kind, target_id, SPAM, target_owner_id="ann"))


@pytest.mark.parametrize("kind", [TargetKind.VIDEO, TargetKind.COMMENT])
def test_reporting_content_without_its_owner_is_refused(kind: TargetKind) -> None:
    # Given
    state = given()
    # When / Then
    with pytest.raises(InvalidCommand, match="target_owner_id is required"):
        decide_file_report(state, FileReport(ANN, "r1", kind, "x1", SPAM))


@pytest.mark.parametrize(
    ("cmd", "message"),
    [
        (FileReport(ANN, "", TargetKind.USER, "bob", SPAM), "report_id is required"),
        (FileReport(ANN, "r1", TargetKind.USER, " ", SPAM), "target_id is required"),
        (
            FileReport(ANN, "r1", TargetKind.VIDEO, "v1", SPAM, target_owner_id=""),
            "target_owner_id is required",
        ),
        (FileReport(Actor(""), "r1", TargetKind.USER, "bob", SPAM), "actor is required"),
        (FileReport(ANN, "r1", TargetKind.USER, "bob", SPAM, note="x" * 501), "note must be at most 500"),
        (FileReport(ANN, "r1", TargetKind.USER, "bob", SPAM, note="a\u202eb"), "note contains control"),
    ],
    ids=["no-report-id", "no-target", "blank-owner", "no-actor", "long-note", "control-in-note"],
)
def test_an_incomplete_or_invalid_report_is_refused(cmd: FileReport, message: str) -> None:
    # Given
    state = given()
    # When / Then
    with pytest.raises(InvalidCommand, match=message):
        decide_file_report(state, cmd)


def test_a_user_report_naming_another_owner_is_a_wiring_bug() -> None:
    # Given
    state = given()
    # When / Then
    with pytest.raises(ValueError, match="names another owner"):
        decide_file_report(state, FileReport(ANN, "r1", TargetKind.USER, "bob", SPAM, target_owner_id="cat"))


def test_every_reason_of_the_fixed_list_is_accepted() -> None:
    # Given
    state = given()
    # When
    reasons = {
        event.reason
        for reason in ReportReason
        for event in decide_file_report(state, FileReport(ANN, "r1", TargetKind.USER, "bob", reason))
    }
    # Then
    expected = "spam nudity violence harassment hate misinformation self_harm copyright other"
    assert reasons == set(expected.split())


@pytest.mark.parametrize(
    "event", [VIDEO_REPORT, ReportFiled("r2", "ann", "comment", "c1", "bob", "other", "why")]
)
def test_each_event_round_trips_through_its_stored_data(event: ReportFiled) -> None:
    # Given
    data = json.loads(json.dumps(event.to_data()))
    # When
    restored = event_from_data(event.event_type, data)
    # Then
    assert restored == event


def test_the_note_is_sealed_with_the_reporters_key() -> None:
    # Given / When / Then
    assert ReportFiled.personal_fields == ("note",)
    assert VIDEO_REPORT.subject() == "ann"
