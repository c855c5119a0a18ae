"""A person's standing (``standing-<user>``): restrictions, suspensions, strikes that escalate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.actors import Actor, Role
from domain.decider import fold
from domain.errors import Conflict, InvalidCommand, NotAllowed
from domain.moderation.policy import StrikePolicy, Threshold, parse_thresholds
from domain.moderation.rules import ActionKind, Capability, Subject
from domain.moderation.sanctions import (
    LiftRestriction,
    NoticeContentAction,
    RecordStrike,
    RemoveStrike,
    RestrictAccount,
    SuspendAccount,
    UnsuspendAccount,
    decide_lift_restriction,
    decide_notice_content_action,
    decide_remove_strike,
    decide_restrict,
    decide_strike,
    decide_suspend,
    decide_unsuspend,
)
from domain.moderation.standing import (
    AccountSuspended,
    AccountUnsuspended,
    ContentModerated,
    Event,
    RestrictionImposed,
    RestrictionLifted,
    State,
    StrikeRecorded,
    StrikeRemoved,
    evolve,
    initial,
    restriction,
    strikes_in_force,
    suspension,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=2)
BOB = Subject("bob")
MOD = Actor("mod", Role.MODERATOR)
ADMIN = Actor("admin", Role.ADMIN)
POLICY = StrikePolicy((Threshold(2, timedelta(days=7)), Threshold(3, None)), timedelta(days=90))


def given(*events: Event) -> State:
    return fold(evolve, initial, events)


def at(moment: datetime) -> str:
    return moment.isoformat()


def strike(action_id: str, *, on: datetime = NOW, by: str = "mod") -> StrikeRecorded:
    return StrikeRecorded("bob", action_id, by, "spam", at(on + timedelta(days=90)))


def test_a_restriction_takes_a_capability_away_until_it_ends() -> None:
    # When
    cmd = RestrictAccount(MOD, "bob", "a1", Capability.COMMENT, timedelta(days=1), "heated")
    events = decide_restrict(given(), cmd, subject=BOB, now=NOW)
    # Then
    until = NOW + timedelta(days=1)
    assert events == [RestrictionImposed("bob", "a1", "comment", at(until), "mod", "heated")]
    state = given(*events)
    assert restriction(state, Capability.COMMENT, NOW) is not None
    assert restriction(state, Capability.LIKE, NOW) is None
    assert restriction(state, Capability.COMMENT, until) is None  # over at its end


def test_a_new_restriction_of_the_same_capability_replaces_the_old() -> None:
    state = given(
        RestrictionImposed("bob", "a1", "comment", at(NOW + timedelta(days=1)), "mod", "x"),
        RestrictionImposed("bob", "a2", "comment", at(NOW + timedelta(days=9)), "mod", "y"),
    )
    current = restriction(state, Capability.COMMENT, LATER)
    assert current is not None
    assert current.action_id == "a2"


def test_a_restriction_lasts_between_an_hour_and_five_years() -> None:
    for duration in (timedelta(minutes=5), timedelta(days=365 * 6)):
        cmd = RestrictAccount(MOD, "bob", "a1", Capability.LIKE, duration, "x")
        with pytest.raises(InvalidCommand):
            decide_restrict(given(), cmd, subject=BOB, now=NOW)


def test_lifting_a_restriction_names_the_one_lifted() -> None:
    # Given
    imposed = RestrictionImposed("bob", "a1", "follow", at(LATER), "mod", "x")
    state = given(imposed)
    # When
    events = decide_lift_restriction(
        state, LiftRestriction(MOD, "bob", Capability.FOLLOW, "ok"), subject=BOB, now=NOW
    )
    # Then
    assert events == [RestrictionLifted("bob", "a1", "follow", "mod", "ok")]
    assert restriction(given(imposed, *events), Capability.FOLLOW, NOW) is None
    with pytest.raises(Conflict):
        decide_lift_restriction(
            state, LiftRestriction(MOD, "bob", Capability.LIKE, "ok"), subject=BOB, now=NOW
        )


def test_a_suspension_holds_until_its_end_or_until_lifted() -> None:
    # When
    timed = decide_suspend(
        given(), SuspendAccount(MOD, "bob", "s1", timedelta(days=1), "spam"), subject=BOB, now=NOW
    )
    forever = decide_suspend(given(), SuspendAccount(MOD, "bob", "s2", None, "fraud"), subject=BOB, now=NOW)
    # Then
    assert suspension(given(*timed), NOW) is not None
    assert suspension(given(*timed), LATER) is None
    assert forever == [AccountSuspended("bob", "s2", None, "mod", "fraud")]
    assert suspension(given(*forever), NOW + timedelta(days=3650)) is not None


def test_a_suspension_until_lifted_is_not_replaced_by_a_shorter_one() -> None:
    state = given(AccountSuspended("bob", "s1", None, "mod", "fraud"))
    with pytest.raises(Conflict):
        decide_suspend(state, SuspendAccount(MOD, "bob", "s2", timedelta(days=1), "x"), subject=BOB, now=NOW)


def test_unsuspending_lifts_the_suspension_in_force() -> None:
    # Given
    state = given(AccountSuspended("bob", "s1", None, "mod", "fraud"))
    # When
    events = decide_unsuspend(state, UnsuspendAccount(ADMIN, "bob", "mistake"), subject=BOB, now=NOW)
    # Then
    assert events == [AccountUnsuspended("bob", "s1", "admin", "mistake")]
    assert suspension(given(AccountSuspended("bob", "s1", None, "mod", "fraud"), *events), NOW) is None
    with pytest.raises(Conflict):
        decide_unsuspend(given(), UnsuspendAccount(ADMIN, "bob", "x"), subject=BOB, now=NOW)


def test_a_strike_below_every_threshold_is_only_a_strike() -> None:
    cmd = RecordStrike(MOD, "bob", "k1", "spam", "s1")
    assert decide_strike(given(), cmd, subject=BOB, now=NOW, policy=POLICY) == [strike("k1")]


def test_the_strike_that_reaches_a_threshold_suspends_for_its_time() -> None:
    # Given one strike in force
    state = given(strike("k1"))
    # When a second comes
    events = decide_strike(
        state, RecordStrike(MOD, "bob", "k2", "spam", "s2"), subject=BOB, now=NOW, policy=POLICY
    )
    # Then the account is suspended for the threshold's seven days, caused by that strike
    assert events == [
        strike("k2"),
        AccountSuspended(
            "bob", "s2", at(NOW + timedelta(days=7)), "mod", "2 strikes in force", cause_id="k2"
        ),
    ]


def test_the_last_threshold_suspends_until_lifted() -> None:
    state = given(strike("k1"), strike("k2"))
    events = decide_strike(
        state, RecordStrike(MOD, "bob", "k3", "spam", "s3"), subject=BOB, now=NOW, policy=POLICY
    )
    assert events[1] == AccountSuspended("bob", "s3", None, "mod", "3 strikes in force", cause_id="k3")


def test_expired_and_removed_strikes_do_not_count() -> None:
    # Given a strike long expired and one removed
    old = strike("k0", on=NOW - timedelta(days=200))
    state = given(old, strike("k1"), StrikeRemoved("bob", "k1", "mod", "appeal"))
    # When a strike comes
    events = decide_strike(
        state, RecordStrike(MOD, "bob", "k2", "spam", "s2"), subject=BOB, now=NOW, policy=POLICY
    )
    # Then it is the only one in force: no suspension
    assert events == [strike("k2")]
    assert strikes_in_force(given(old), NOW) == ()


def test_a_threshold_does_not_shorten_a_longer_suspension_in_force() -> None:
    state = given(strike("k1"), AccountSuspended("bob", "s0", None, "mod", "fraud"))
    events = decide_strike(
        state, RecordStrike(MOD, "bob", "k2", "spam", "s2"), subject=BOB, now=NOW, policy=POLICY
    )
    assert events == [strike("k2")]


def test_thresholds_come_from_settings_text() -> None:
    assert parse_thresholds("3:7d, 5:12h,7:permanent") == (
        Threshold(3, timedelta(days=7)),
        Threshold(5, timedelta(hours=12)),
        Threshold(7, None),
    )
    assert parse_thresholds("") == ()
    with pytest.raises(ValueError, match="COUNT:DURATION"):
        parse_thresholds("3:7w")
    with pytest.raises(ValueError, match="increasing order"):
        StrikePolicy((Threshold(5, None), Threshold(3, None)))


def test_removing_a_strike_that_is_not_there_is_a_conflict() -> None:
    with pytest.raises(Conflict):
        decide_remove_strike(given(), RemoveStrike(MOD, "bob", "k9", "x"), subject=BOB)
    assert decide_remove_strike(given(strike("k1")), RemoveStrike(MOD, "bob", "k1", "x"), subject=BOB) == [
        StrikeRemoved("bob", "k1", "mod", "x")
    ]


@pytest.mark.parametrize(
    ("actor", "subject"),
    [
        (Actor("carol"), BOB),  # a user
        (MOD, Subject("mod")),  # themselves
        (MOD, Subject("mod2", Role.MODERATOR)),  # a moderator, by a moderator
        (ADMIN, Subject("admin2", Role.ADMIN)),  # an admin, by an admin
    ],
)
def test_who_may_not_sanction(actor: Actor, subject: Subject) -> None:
    user = subject.user_id
    with pytest.raises(NotAllowed):
        decide_restrict(
            given(),
            RestrictAccount(actor, user, "a1", Capability.LIKE, timedelta(days=1), "x"),
            subject=subject,
            now=NOW,
        )
    with pytest.raises(NotAllowed):
        decide_suspend(given(), SuspendAccount(actor, user, "s1", None, "x"), subject=subject, now=NOW)
    with pytest.raises(NotAllowed):
        decide_strike(
            given(), RecordStrike(actor, user, "k1", "x", "s1"), subject=subject, now=NOW, policy=POLICY
        )


def test_an_admin_sanctions_a_moderator() -> None:
    mod2 = Subject("mod2", Role.MODERATOR)
    events = decide_suspend(
        given(), SuspendAccount(ADMIN, "mod2", "s1", timedelta(days=2), "abuse"), subject=mod2, now=NOW
    )
    assert len(events) == 1


def test_an_action_on_content_is_told_once() -> None:
    # Given
    cmd = NoticeContentAction(MOD, "bob", "a1", ActionKind.REMOVE_VIDEO, "video", "v1", "nudity")
    # When
    events = decide_notice_content_action(given(), cmd)
    # Then
    assert events == [ContentModerated("bob", "a1", "remove_video", "video", "v1", "mod", "nudity", [])]
    assert decide_notice_content_action(given(*events), cmd) == []


def test_a_restore_undoes_the_removal_in_the_record() -> None:
    state = given(
        ContentModerated("bob", "a1", "remove_video", "video", "v1", "mod", "nudity"),
        ContentModerated("bob", "a2", "restore_video", "video", "v1", "mod2", "mistake"),
    )
    assert [r.reversed for r in state.records] == [True, False]
