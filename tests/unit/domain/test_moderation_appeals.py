"""Appeals: filed once per adverse action by the person it fell on, decided by another moderator,
the action undone when granted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.actors import Actor, Role
from domain.decider import fold
from domain.errors import Conflict, InvalidCommand, NotAllowed, NotFound
from domain.moderation.appeals import DecideAppeal, FileAppeal, decide_appeal, decide_file_appeal, reversal_of
from domain.moderation.rules import ActionKind, Subject
from domain.moderation.standing import (
    AccountSuspended,
    AccountUnsuspended,
    Appeal,
    AppealDecided,
    AppealFiled,
    ContentModerated,
    Event,
    RestrictionImposed,
    RestrictionLifted,
    State,
    StrikeRecorded,
    StrikeRemoved,
    evolve,
    initial,
    record,
    suspension,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
BOB = Actor("bob")
MOD = Actor("mod", Role.MODERATOR)
MOD2 = Actor("mod2", Role.MODERATOR)
REMOVED = ContentModerated("bob", "a1", "remove_video", "video", "v1", "mod", "nudity")
FILED = AppealFiled("bob", "p1", "a1", "remove_video", "video", "v1", "it is art")


def given(*events: Event) -> State:
    return fold(evolve, initial, events)


def later(days: int) -> str:
    return (NOW + timedelta(days=days)).isoformat()


def test_the_person_appeals_an_action_on_their_content() -> None:
    # When
    events = decide_file_appeal(given(REMOVED), FileAppeal(BOB, "p1", "a1", "it is art"))
    # Then
    assert events == [FILED]
    found = record(given(REMOVED, *events), "a1")
    assert found is not None
    assert (found.appeal_id, found.appeal) == ("p1", Appeal.PENDING)


def test_an_action_is_appealed_once() -> None:
    with pytest.raises(Conflict):
        decide_file_appeal(given(REMOVED, FILED), FileAppeal(BOB, "p2", "a1", "again"))


def test_an_unknown_action_cannot_be_appealed() -> None:
    with pytest.raises(NotFound):
        decide_file_appeal(given(REMOVED), FileAppeal(BOB, "p1", "zz", "what?"))


def test_an_action_in_the_persons_favour_is_not_appealed() -> None:
    restored = ContentModerated("bob", "a2", "restore_video", "video", "v1", "mod", "ok")
    with pytest.raises(InvalidCommand):
        decide_file_appeal(given(REMOVED, restored), FileAppeal(BOB, "p1", "a2", "why"))


def test_an_undone_action_is_not_appealed() -> None:
    restored = ContentModerated("bob", "a2", "restore_video", "video", "v1", "mod", "ok")
    with pytest.raises(Conflict):
        decide_file_appeal(given(REMOVED, restored), FileAppeal(BOB, "p1", "a1", "too late"))


def test_an_appeal_needs_a_statement() -> None:
    with pytest.raises(InvalidCommand):
        decide_file_appeal(given(REMOVED), FileAppeal(BOB, "p1", "a1", " "))


def test_another_moderator_decides_and_a_refusal_is_recorded() -> None:
    # When
    events = decide_appeal(
        given(REMOVED, FILED),
        DecideAppeal(MOD2, "bob", "a1", False, "stands"),
        subject=Subject("bob"),
        now=NOW,
    )
    # Then
    assert events == [AppealDecided("bob", "p1", "a1", "mod2", False, "stands")]
    found = record(given(REMOVED, FILED, *events), "a1")
    assert found is not None
    assert (found.appeal, found.reversed) == (Appeal.DENIED, False)


def test_the_moderator_who_acted_does_not_decide_the_appeal() -> None:
    with pytest.raises(NotAllowed):
        decide_appeal(
            given(REMOVED, FILED),
            DecideAppeal(MOD, "bob", "a1", True, "oops"),
            subject=Subject("bob"),
            now=NOW,
        )


def test_the_appellant_does_not_decide_their_own_appeal() -> None:
    own = Subject("mod3", Role.MODERATOR)
    removed = ContentModerated("mod3", "a1", "remove_video", "video", "v1", "admin", "x")
    filed = AppealFiled("mod3", "p1", "a1", "remove_video", "video", "v1", "no")
    with pytest.raises(NotAllowed):
        decide_appeal(
            given(removed, filed),
            DecideAppeal(Actor("mod3", Role.MODERATOR), "mod3", "a1", True, "mine"),
            subject=own,
            now=NOW,
        )


def test_an_appeal_is_decided_once() -> None:
    decided = AppealDecided("bob", "p1", "a1", "mod2", False, "stands")
    with pytest.raises(Conflict):
        decide_appeal(
            given(REMOVED, FILED, decided),
            DecideAppeal(MOD2, "bob", "a1", True, "changed my mind"),
            subject=Subject("bob"),
            now=NOW,
        )


def test_granting_the_appeal_of_content_leaves_the_undoing_to_the_contents_stream() -> None:
    # When
    events = decide_appeal(
        given(REMOVED, FILED), DecideAppeal(MOD2, "bob", "a1", True, "art"), subject=Subject("bob"), now=NOW
    )
    # Then the decision is recorded, the record reads undone, and the caller restores the video
    assert events == [AppealDecided("bob", "p1", "a1", "mod2", True, "art")]
    found = record(given(REMOVED, FILED, *events), "a1")
    assert found is not None
    assert found.reversed
    assert reversal_of(found) is ActionKind.RESTORE_VIDEO


def test_granting_the_appeal_of_a_restriction_lifts_it() -> None:
    # Given
    restricted = RestrictionImposed("bob", "a1", "comment", later(5), "mod", "heated")
    filed = AppealFiled("bob", "p1", "a1", "restrict", "user", "bob", "was provoked")
    # When
    events = decide_appeal(
        given(restricted, filed),
        DecideAppeal(MOD2, "bob", "a1", True, "fair"),
        subject=Subject("bob"),
        now=NOW,
    )
    # Then
    assert events[1:] == [RestrictionLifted("bob", "a1", "comment", "mod2", "fair")]


def test_granting_the_appeal_of_a_strike_lifts_the_suspension_it_caused() -> None:
    # Given a strike that reached a threshold and suspended the account
    struck = StrikeRecorded("bob", "k2", "mod", "spam", later(90))
    suspended = AccountSuspended("bob", "s2", later(7), "mod", "2 strikes in force", cause_id="k2")
    filed = AppealFiled("bob", "p1", "k2", "strike", "user", "bob", "not spam")
    # When
    events = decide_appeal(
        given(struck, suspended, filed),
        DecideAppeal(MOD2, "bob", "k2", True, "not spam"),
        subject=Subject("bob"),
        now=NOW,
    )
    # Then
    assert events[1:] == [
        StrikeRemoved("bob", "k2", "mod2", "not spam"),
        AccountUnsuspended("bob", "s2", "mod2", "not spam"),
    ]
    assert suspension(given(struck, suspended, filed, *events), NOW) is None


def test_granting_the_appeal_of_a_suspension_lifts_it_if_still_in_force() -> None:
    suspended = AccountSuspended("bob", "s1", None, "mod", "fraud")
    filed = AppealFiled("bob", "p1", "s1", "suspend", "user", "bob", "not me")
    events = decide_appeal(
        given(suspended, filed),
        DecideAppeal(MOD2, "bob", "s1", True, "hacked"),
        subject=Subject("bob"),
        now=NOW,
    )
    assert events[1:] == [AccountUnsuspended("bob", "s1", "mod2", "hacked")]


def test_a_user_does_not_decide_appeals() -> None:
    with pytest.raises(NotAllowed):
        decide_appeal(
            given(REMOVED, FILED),
            DecideAppeal(Actor("carol"), "bob", "a1", True, "x"),
            subject=Subject("bob"),
            now=NOW,
        )
