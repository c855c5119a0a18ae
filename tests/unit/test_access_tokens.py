"""A token's signature is checked once and then trusted for a short while, never past its expiry;
what the token cannot say (whether its session still stands) is the session gate's, every time."""

from __future__ import annotations

import time
from datetime import UTC, datetime, tzinfo

import jwt.api_jwt
import pytest

from api import tokens as module
from api.problems import Problem
from api.tokens import CHECKED_S, Tokens
from domain.actors import Actor

SECRET = "s" * 48


class Clock:
    """One clock for the tokens and for PyJWT's own expiry check."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = 1_000_000.0
        clock = self

        class Moment(datetime):
            @classmethod
            def now(cls, tz: tzinfo | None = None) -> Moment:
                return cls.fromtimestamp(clock.now, tz or UTC)

        monkeypatch.setattr(time, "time", self.time)
        monkeypatch.setattr(jwt.api_jwt, "datetime", Moment)

    def time(self) -> float:
        return self.now


def test_a_checked_token_is_taken_at_its_word_until_it_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a token with less time to live than a checked token is trusted for, checked once
    clock = Clock(monkeypatch)
    tokens = Tokens(SECRET, ttl_s=int(CHECKED_S) // 2)
    token = tokens.issue(Actor("u1"), "s1")
    assert tokens.verify(token).user_id == "u1"

    # When it is shown again, and again once its time has passed (still within the trusted while)
    clock.now += CHECKED_S // 4
    again = tokens.verify(token)
    clock.now += CHECKED_S // 4 + 1

    # Then it passed while live, and is refused once expired, checked or not
    assert (again.user_id, again.session_id) == ("u1", "s1")
    with pytest.raises(Problem) as refused:
        tokens.verify(token)
    assert refused.value.status == 401


def test_a_checked_token_is_checked_afresh_after_a_while(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a long-lived token checked once
    clock = Clock(monkeypatch)
    tokens = Tokens(SECRET, ttl_s=3600)
    token = tokens.issue(Actor("u1"), "s1")
    tokens.verify(token)
    checks: list[str] = []
    real = tokens._verified

    def counted(t: str) -> tuple[module.AccessClaims, float]:
        checks.append(t)
        return real(t)

    monkeypatch.setattr(tokens, "_verified", counted)

    # When it is shown within the while, then after it
    tokens.verify(token)
    clock.now += CHECKED_S + 1
    tokens.verify(token)

    # Then only the last showing checked the signature
    assert checks == [token]


def test_a_forged_token_is_never_taken_for_a_checked_one() -> None:
    # Given a token checked once, and one signed with another secret for the same session
    tokens = Tokens(SECRET, ttl_s=600)
    tokens.verify(tokens.issue(Actor("u1"), "s1"))
    forged = Tokens("f" * 48, ttl_s=600).issue(Actor("u1"), "s1")

    # When / Then the forged one is refused
    with pytest.raises(Problem):
        tokens.verify(forged)
