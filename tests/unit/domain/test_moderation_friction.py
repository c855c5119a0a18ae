"""Trust and friction: daily limits that are lower for new accounts, lower again under strikes, and
counted on the person's stream for the day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.decider import fold
from domain.moderation.friction import (
    ActionCounted,
    CountAction,
    DailyLimitReached,
    DailyLimits,
    Limit,
    State,
    Tier,
    day_of,
    decide_count,
    ensure_under,
    evolve,
    initial,
    lifts_at,
    parse_limits,
)
from domain.moderation.rules import Capability

NOW = datetime(2026, 3, 1, 18, 30, tzinfo=UTC)
LIMITS = DailyLimits(*parse_limits("comment:3/100,follow:10/200"), timedelta(days=7), 0.5)
DAY_OLD = timedelta(days=1)
YEAR_OLD = timedelta(days=365)


def allowed(capability: Capability, age: timedelta | None, strikes: int = 0) -> Limit:
    limit = LIMITS.limit(capability, age=age, strikes=strikes)
    assert limit is not None
    return limit


def given(*events: ActionCounted) -> State:
    return fold(evolve, initial, events)


def comments(n: int) -> list[ActionCounted]:
    return [ActionCounted("ann", "comment", "20260301", f"r{i}") for i in range(n)]


def test_a_new_account_gets_the_lower_limit_and_an_established_one_the_normal() -> None:
    # When a day-old and a year-old account ask for their comment limit
    young = allowed(Capability.COMMENT, DAY_OLD)
    old = allowed(Capability.COMMENT, YEAR_OLD)
    # Then the young one gets the new-account limit, the old one the established limit
    assert (young.allowed, young.tier) == (3, Tier.NEW)
    assert (old.allowed, old.tier) == (100, Tier.ESTABLISHED)


def test_the_limit_rises_once_the_account_is_old_enough() -> None:
    # Given the new-account age is seven days
    # Then an account just under it is new, and one at it is established
    assert allowed(Capability.COMMENT, timedelta(days=7) - timedelta(seconds=1)).allowed == 3
    assert allowed(Capability.COMMENT, timedelta(days=7)).allowed == 100


def test_each_strike_in_force_lowers_the_limit_again_but_never_to_nothing() -> None:
    # When an established account has one, then two strikes in force
    # Then each halves the limit
    assert allowed(Capability.COMMENT, YEAR_OLD, strikes=1).allowed == 50
    assert allowed(Capability.COMMENT, YEAR_OLD, strikes=2).allowed == 25
    # And a new account under strikes keeps one a day: taking it away is a moderator's restriction
    assert allowed(Capability.COMMENT, DAY_OLD, strikes=5).allowed == 1


def test_an_account_of_unknown_age_counts_as_new_and_an_uncounted_capability_has_no_limit() -> None:
    assert allowed(Capability.COMMENT, None).tier == Tier.NEW
    assert LIMITS.limit(Capability.LIKE, age=DAY_OLD, strikes=0) is None


def test_under_the_limit_passes_and_at_it_is_refused_naming_the_limit_count_and_end() -> None:
    limit = LIMITS.limit(Capability.COMMENT, age=DAY_OLD, strikes=0)
    # Given two comments today: a third passes
    ensure_under(given(*comments(2)), limit, NOW)
    # Given three: the fourth is refused
    with pytest.raises(DailyLimitReached) as refused:
        ensure_under(given(*comments(3)), limit, NOW)
    # Then the refusal says which limit, how many, and when it lifts (midnight UTC)
    assert refused.value.problem_fields == {
        "limit": "comment_per_day",
        "allowed": 3,
        "count": 3,
        "tier": "new_account",
        "strikes": 0,
        "lifts_at": "2026-03-02T00:00:00+00:00",
    }
    assert refused.value.retry_after_s == 5 * 3600 + 30 * 60
    assert "a new account may comment 3 times a day" in str(refused.value)


def test_a_retried_request_already_counted_is_let_through_at_the_limit() -> None:
    # Given three comments today, the last by request r2
    state = given(*comments(3))
    # Then the retry of r2 is not refused, but a new request is
    ensure_under(state, LIMITS.limit(Capability.COMMENT, age=DAY_OLD, strikes=0), NOW, request_id="r2")
    with pytest.raises(DailyLimitReached):
        ensure_under(state, LIMITS.limit(Capability.COMMENT, age=DAY_OLD, strikes=0), NOW, request_id="r9")


def test_counting_records_the_action_once_per_request_and_counts_by_capability() -> None:
    # When a comment is counted
    cmd = CountAction("ann", Capability.COMMENT, "20260301", "r1")
    events = decide_count(given(), cmd)
    # Then it is recorded, and counting the same request again records nothing
    assert events == [ActionCounted("ann", "comment", "20260301", "r1")]
    assert decide_count(given(*events), cmd) == []
    # And follows are counted apart from comments
    follow = ActionCounted("ann", "follow", "20260301", "r2")
    state = given(*events, follow)
    assert (state.count(Capability.COMMENT), state.count(Capability.FOLLOW)) == (1, 1)


def test_a_day_is_a_utc_calendar_day() -> None:
    late = datetime(2026, 3, 1, 23, 59, tzinfo=UTC)
    assert day_of(late) == "20260301"
    assert day_of(late + timedelta(minutes=1)) == "20260302"
    assert lifts_at(late) == datetime(2026, 3, 2, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("comment:3", "NEW/ESTABLISHED"),
        ("upload:a/b", "NEW/ESTABLISHED"),
        ("like:1/2", "not counted"),
        ("comment:1/2,comment:1/2", "limited twice"),
        ("comment:0/5", "at least 1"),
        ("comment:9/5", "at most"),
    ],
)
def test_settings_that_make_no_sense_are_refused(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        DailyLimits(*parse_limits(text))


def test_no_limits_at_all_is_allowed() -> None:
    assert DailyLimits(*parse_limits("")).limit(Capability.COMMENT, age=None, strikes=0) is None
