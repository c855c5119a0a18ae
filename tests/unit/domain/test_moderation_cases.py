"""Moderation cases (``case-<kind>-<target>``): opened by reports, assigned, escalated, closed."""

from __future__ import annotations

import pytest

from domain.actors import Actor, Role
from domain.decider import fold
from domain.errors import Conflict, InvalidCommand, NotAllowed
from domain.moderation.cases import (
    AssignCase,
    CaseAssigned,
    CaseDismissed,
    CaseEscalated,
    CaseOpened,
    CaseResolved,
    DismissCase,
    EscalateCase,
    Event,
    OpenCase,
    ResolveCase,
    State,
    Status,
    case_id,
    decide_assign_case,
    decide_dismiss_case,
    decide_escalate_case,
    decide_open_case,
    decide_resolve_case,
    evolve,
    initial,
)
from domain.moderation.rules import ActionKind, Subject

CASE = case_id("video", "v1")
BOB = Subject("bob")  # who posted the video
MOD = Actor("mod", Role.MODERATOR)
MOD2 = Actor("mod2", Role.MODERATOR)
ADMIN = Actor("admin", Role.ADMIN)
OPENED = CaseOpened(CASE, "video", "v1", "r1")


def given(*events: Event) -> State:
    return fold(evolve, initial, events)


def test_a_case_is_named_by_its_target() -> None:
    assert case_id("video", "v1") == "video-v1"
    assert case_id("comment", "c1") == "comment-c1"


def test_the_first_report_opens_the_case() -> None:
    # Given no case yet
    # When a report comes in
    events = decide_open_case(given(), OpenCase(CASE, "video", "v1", "r1"))
    # Then
    assert events == [OPENED]
    assert given(*events).status is Status.OPEN


def test_further_reports_of_an_open_case_record_nothing() -> None:
    assert decide_open_case(given(OPENED), OpenCase(CASE, "video", "v1", "r2")) == []


def test_a_report_after_the_case_was_closed_opens_it_again() -> None:
    # Given
    state = given(OPENED, CaseDismissed(CASE, "mod", "not spam"))
    # When
    events = decide_open_case(state, OpenCase(CASE, "video", "v1", "r9"))
    # Then
    assert events == [CaseOpened(CASE, "video", "v1", "r9")]


def test_a_moderator_assigns_the_case_to_a_moderator() -> None:
    events = decide_assign_case(
        given(OPENED), AssignCase(MOD, CASE, Subject("mod2", Role.MODERATOR)), subject=BOB
    )
    assert events == [CaseAssigned(CASE, "mod2", "mod")]


def test_assigning_to_the_same_moderator_again_records_nothing() -> None:
    state = given(OPENED, CaseAssigned(CASE, "mod2", "mod"))
    assert (
        decide_assign_case(state, AssignCase(MOD, CASE, Subject("mod2", Role.MODERATOR)), subject=BOB) == []
    )


def test_a_case_is_not_assigned_to_a_user() -> None:
    with pytest.raises(InvalidCommand):
        decide_assign_case(given(OPENED), AssignCase(MOD, CASE, Subject("carol")), subject=BOB)


def test_a_case_about_a_moderator_is_not_assigned_to_that_moderator() -> None:
    about_mod2 = Subject("mod2", Role.MODERATOR)
    with pytest.raises(InvalidCommand):
        decide_assign_case(given(OPENED), AssignCase(ADMIN, CASE, about_mod2), subject=about_mod2)


def test_a_user_cannot_assign_a_case() -> None:
    with pytest.raises(NotAllowed):
        decide_assign_case(
            given(OPENED), AssignCase(Actor("carol"), CASE, Subject("mod", Role.MODERATOR)), subject=BOB
        )


def test_a_moderator_escalates_an_open_case_once() -> None:
    # When
    events = decide_escalate_case(given(OPENED), EscalateCase(MOD, CASE, "needs legal"), subject=BOB)
    # Then
    assert events == [CaseEscalated(CASE, "mod", "needs legal")]
    with pytest.raises(Conflict):
        decide_escalate_case(given(OPENED, *events), EscalateCase(MOD2, CASE, "again"), subject=BOB)


def test_resolving_records_the_action_and_its_subject() -> None:
    cmd = ResolveCase(MOD, CASE, "a1", ActionKind.REMOVE_VIDEO, "nudity")
    events = decide_resolve_case(given(OPENED), cmd, subject=BOB)
    assert events == [CaseResolved(CASE, "mod", "a1", "remove_video", "bob", "nudity")]
    assert given(OPENED, *events).status is Status.RESOLVED


def test_a_moderator_may_act_before_anyone_reported() -> None:
    cmd = ResolveCase(MOD, CASE, "a1", ActionKind.LABEL_VIDEO, "graphic")
    assert len(decide_resolve_case(given(), cmd, subject=BOB)) == 1


def test_an_escalated_case_is_closed_by_an_admin_only() -> None:
    # Given
    state = given(OPENED, CaseEscalated(CASE, "mod", "unsure"))
    # Then a moderator may not close it
    with pytest.raises(NotAllowed):
        decide_dismiss_case(state, DismissCase(MOD2, CASE, "fine"), subject=BOB)
    # And an admin may
    assert decide_dismiss_case(state, DismissCase(ADMIN, CASE, "fine"), subject=BOB) == [
        CaseDismissed(CASE, "admin", "fine")
    ]


def test_a_closed_case_takes_no_more_decisions() -> None:
    state = given(OPENED, CaseDismissed(CASE, "mod", "fine"))
    with pytest.raises(Conflict):
        decide_resolve_case(state, ResolveCase(MOD, CASE, "a1", ActionKind.REMOVE_VIDEO, "late"), subject=BOB)
    with pytest.raises(Conflict):
        decide_assign_case(state, AssignCase(MOD, CASE, Subject("mod2", Role.MODERATOR)), subject=BOB)


def test_nobody_closes_a_case_about_themselves() -> None:
    own = Subject("mod", Role.MODERATOR)
    with pytest.raises(NotAllowed):
        decide_dismiss_case(given(OPENED), DismissCase(MOD, CASE, "mine is fine"), subject=own)


def test_a_case_about_a_moderator_is_an_admins() -> None:
    about_mod2 = Subject("mod2", Role.MODERATOR)
    with pytest.raises(NotAllowed):
        decide_dismiss_case(given(OPENED), DismissCase(MOD, CASE, "colleague"), subject=about_mod2)
    assert decide_dismiss_case(given(OPENED), DismissCase(ADMIN, CASE, "fine"), subject=about_mod2)


def test_a_case_about_an_admin_is_nobodys_here() -> None:
    with pytest.raises(NotAllowed):
        decide_dismiss_case(
            given(OPENED), DismissCase(ADMIN, CASE, "fine"), subject=Subject("boss", Role.ADMIN)
        )


def test_a_user_cannot_resolve_or_dismiss() -> None:
    user = Actor("carol")
    with pytest.raises(NotAllowed):
        decide_resolve_case(
            given(OPENED), ResolveCase(user, CASE, "a1", ActionKind.REMOVE_VIDEO, "x"), subject=BOB
        )
    with pytest.raises(NotAllowed):
        decide_dismiss_case(given(OPENED), DismissCase(user, CASE, "x"), subject=BOB)


def test_every_decision_says_why() -> None:
    with pytest.raises(InvalidCommand):
        decide_dismiss_case(given(OPENED), DismissCase(MOD, CASE, "  "), subject=BOB)
