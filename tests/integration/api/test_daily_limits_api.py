"""Trust and friction through the API and the handlers: a new account's daily limits are lower, a
strike lowers them again, they lift the next day (UTC), and an old account in good standing is not
held to a new account's limits. Over a limit the API answers 429 naming it, the count and its end."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from commands import standing, streams
from commands.comments import post_comment
from commands.context import Ports, Request
from domain import accounts
from domain.actors import Actor, Role
from domain.engagement.comments import PostComment
from domain.moderation.friction import DailyLimitReached, DailyLimits, parse_limits
from domain.moderation.sanctions import RecordStrike
from eventstore.envelope import Metadata, StreamState
from eventstore.ids import uuid7
from eventstore.keystore import SQLiteKeyStore
from eventstore.sqlite import SQLiteEventStore
from strom.ports import ports_for
from strom.settings import Settings
from tests.integration.api.harness import System, User

LIMITS = DailyLimits(*parse_limits("comment:3/10,follow:2/10,upload:2/10,report:2/10"), timedelta(days=7))
MOD = Actor("0190aaaa-bbbb-7ccc-8ddd-0000000000ad", Role.MODERATOR)


@pytest.fixture
def system(tmp_path: Path) -> Iterator[System]:
    s = System(tmp_path, limits=LIMITS)
    yield s
    s.close()


def aged(system: System, age: timedelta) -> User:
    """A signed-in person whose account was registered ``age`` ago (as its first event says)."""
    user_id, handle = str(uuid7()), f"a{uuid7().hex[-12:]}"
    registered = accounts.UserRegistered(user_id, handle, f"{handle}@example.com", "no-password", "Aged")
    when = (datetime.now(UTC) - age).isoformat()
    encoded = system.ports.codec.encode(registered, Metadata(actor=user_id, occurred_at=when))
    system.store.append(streams.user(user_id), [encoded], StreamState.NO_STREAM)
    return system.sign_in(user_id)


def comment(system: System, user: User, video_id: str, **headers: str) -> httpx.Response:
    path, body = f"/v1/videos/{video_id}/comments", {"text": "nice"}
    response: httpx.Response = system.client.post(path, json=body, headers={**user.auth, **headers})
    return response


def test_a_day_old_account_hits_the_new_account_comment_limit_with_a_429_naming_it(system: System) -> None:
    # Given a day-old account and a video to comment on
    ann, owner = aged(system, timedelta(days=1)), aged(system, timedelta(days=400))
    video = system.published_video(owner)
    # When ann comments three times, then a fourth
    for _ in range(3):
        assert comment(system, ann, video).status_code == 201
    refused = comment(system, ann, video)
    # Then the fourth is refused: 429, naming the limit, the count and when it lifts
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert (problem["limit"], problem["allowed"], problem["count"]) == ("comment_per_day", 3, 3)
    assert problem["tier"] == "new_account"
    lifts_at = datetime.fromisoformat(problem["lifts_at"])
    assert (lifts_at.hour, lifts_at.minute, lifts_at.tzinfo) == (0, 0, UTC)
    retry_after = int(refused.headers["retry-after"])
    assert 0 < retry_after <= 24 * 3600
    assert abs((datetime.now(UTC) + timedelta(seconds=retry_after) - lifts_at).total_seconds()) < 5


def test_an_old_account_in_good_standing_is_held_to_the_established_limit(system: System) -> None:
    # Given an account a year old
    bob, owner = aged(system, timedelta(days=365)), aged(system, timedelta(days=400))
    video = system.published_video(owner)
    # When it comments past a new account's limit
    # Then it is not refused
    for _ in range(5):
        assert comment(system, bob, video).status_code == 201


def test_a_retried_comment_at_the_limit_is_answered_as_done_not_refused(system: System) -> None:
    # Given a new account at its limit, its last comment sent with a key
    ann, owner = aged(system, timedelta(days=1)), aged(system, timedelta(days=400))
    video = system.published_video(owner)
    for _ in range(2):
        comment(system, ann, video)
    first = comment(system, ann, video, **{"Idempotency-Key": "last-one"})
    assert first.status_code == 201
    # When the keyed comment is sent again
    again = comment(system, ann, video, **{"Idempotency-Key": "last-one"})
    # Then it is answered as the first time
    assert again.status_code == 201
    assert again.json()["comment_id"] == first.json()["comment_id"]


def test_follows_uploads_and_reports_have_daily_limits_too(system: System) -> None:
    # Given a new account
    ann = aged(system, timedelta(hours=1))
    people = [aged(system, timedelta(days=400)) for _ in range(3)]
    # Then its third follow, upload and report of the day are refused
    follows = [system.client.put(f"/v1/users/{p.user_id}/follow", headers=ann.auth) for p in people]
    assert [r.status_code for r in follows] == [200, 200, 429]
    assert follows[-1].json()["limit"] == "follow_per_day"
    uploads = [system.client.post("/v1/videos", headers=ann.auth) for _ in range(3)]
    assert [r.status_code for r in uploads] == [201, 201, 429]
    reports = [
        system.client.post(
            "/v1/reports",
            json={"target_kind": "user", "target_id": p.user_id, "reason": "spam"},
            headers=ann.auth,
        )
        for p in people
    ]
    assert [r.status_code for r in reports] == [201, 201, 429]


# -- the handlers, with the clock moved ------------------------------------------------------------


def post_at(ports: Ports, user: User, video_id: str, at: datetime) -> None:
    actor = Actor(user.user_id)
    cmd = PostComment(actor, str(uuid7()), video_id, "nice")
    post_comment(cmd, ports=ports, request=Request(actor), clock=lambda: at)


def tomorrow_at(*, hours: int) -> datetime:
    midnight = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight + timedelta(days=1, hours=hours)


def test_a_strike_lowers_the_limit_of_an_old_account(system: System) -> None:
    # Given an old account with a strike in force
    bob, owner = aged(system, timedelta(days=365)), aged(system, timedelta(days=400))
    video = system.published_video(owner)
    strike = RecordStrike(MOD, bob.user_id, "a1", "spam", "s1")
    standing.record_strike(strike, ports=system.ports, request=Request(MOD))
    # When bob comments five times in a day (half the established ten)
    day = tomorrow_at(hours=12)
    for _ in range(5):
        post_at(system.ports, bob, video, day)
    # Then the sixth is refused, naming the strike
    with pytest.raises(DailyLimitReached) as refused:
        post_at(system.ports, bob, video, day)
    assert (refused.value.limit.allowed, refused.value.limit.strikes) == (5, 1)


def test_the_limit_lifts_the_next_day(system: System) -> None:
    # Given a new account that used its comments on one day
    ann, owner = aged(system, timedelta(days=1)), aged(system, timedelta(days=400))
    video = system.published_video(owner)
    day = tomorrow_at(hours=10)
    for _ in range(3):
        post_at(system.ports, ann, video, day)
    with pytest.raises(DailyLimitReached) as refused:
        post_at(system.ports, ann, video, day + timedelta(hours=13))
    assert refused.value.lifts_at == day.replace(hour=0) + timedelta(days=1)
    assert refused.value.retry_after_s == 3600
    # When the next day comes (UTC)
    # Then it comments again
    post_at(system.ports, ann, video, day + timedelta(hours=14))


def test_ports_without_limits_limit_nothing(tmp_path: Path) -> None:
    # Given the ports tools and tests build, which carry no limits
    system = System(tmp_path)
    try:
        ann, owner = aged(system, timedelta(hours=1)), aged(system, timedelta(days=400))
        video = system.published_video(owner)
        # Then a new account comments as much as it likes
        for _ in range(5):
            assert comment(system, ann, video).status_code == 201
    finally:
        system.close()


def test_the_operators_settings_carry_the_limits_to_the_command_side(tmp_path: Path) -> None:
    """``strom.ports.ports_for`` is where every process builds its ports: it carries the settings'."""
    settings = Settings(trust_daily_limits="comment:4/40", trust_new_account_days=3, trust_strike_factor=0.25)
    keys, store = SQLiteKeyStore(tmp_path / "keys.db"), SQLiteEventStore(tmp_path / "events.db")
    try:
        limits = ports_for(settings, store, keys).limits
    finally:
        store.close()
        keys.close()
    assert (limits.new_account_age, limits.strike_factor) == (timedelta(days=3), 0.25)
    assert dict(limits.new) == {"comment": 4}
    assert dict(limits.established) == {"comment": 40}
