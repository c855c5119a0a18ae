"""The like routes' short path (``api.short_path``) answers every request as the documented
route answers it: the same statuses, problem documents and headers, whether it takes the request
or hands it on. Each story is told twice, to a fresh system with the short path and to one
without, and the two transcripts must be the same once the ids each system made are named alike.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import NoReturn

import pytest

from api.limits import RateLimiter
from commands import standing
from commands.context import Request
from domain.access import Visibility
from domain.actors import Actor, Role
from domain.moderation import sanctions
from domain.moderation.rules import Capability
from eventstore.errors import StoreUnavailable
from eventstore.ids import uuid7
from services.sessions import SessionGate
from tests.integration.api.both_ways import told_both_ways
from tests.integration.api.harness import System, User

TIMES = re.compile(r"\d{4}-\d\d-\d\dT[\d:.]+\+00:00")
MODERATOR = Actor("moderator-1", Role.MODERATOR)
#: Headers whose value is part of the answer; the rest (dates, lengths) may differ.
HEADERS = (
    "content-type",
    "www-authenticate",
    "retry-after",
    "idempotent-replayed",
    "content-security-policy",
    "x-content-type-options",
    "referrer-policy",
    "x-frame-options",
)


class Down:
    """An event store whose every method fails as an adapter reports an outage."""

    def __getattr__(self, name: str) -> Callable[..., NoReturn]:
        def fail(*args: object, **kwargs: object) -> NoReturn:
            raise StoreUnavailable("events.db: disk I/O error")

        return fail


@dataclasses.dataclass
class Story:
    """One system, its people and videos, and what it answered so far."""

    system: System
    owner: User
    viewer: User
    video: str
    names: dict[str, str] = dataclasses.field(default_factory=dict)
    transcript: list[tuple[str, int, dict[str, str], str]] = dataclasses.field(default_factory=list)

    def name(self, value: str, as_: str) -> str:
        self.names[value] = as_
        return value

    def send(self, what: str, method: str, video: str, who: User | None, **headers: str) -> None:
        auth = who.auth if who else {}
        response = self.system.client.request(method, f"/v1/videos/{video}/like", headers={**auth, **headers})
        body = response.text
        for value, name in self.names.items():
            body = body.replace(value, name)
        body = TIMES.sub("<time>", body)  # a restriction's end: when it was imposed, plus a day
        kept = {h: response.headers[h] for h in HEADERS if h in response.headers}
        if "retry-after" in kept:
            kept["retry-after"] = "given"  # seconds to wait: depends on when it was asked
        self.transcript.append((what, response.status_code, kept, body))


def a_story(tmp: Path) -> Story:
    system = System(tmp)
    owner, viewer = system.anonymous_user(), system.anonymous_user()
    story = Story(system, owner, viewer, system.published_video(owner))
    story.name(story.video, "<video>")
    return story


def told(story: Story) -> None:
    system, viewer, video, send = story.system, story.viewer, story.video, story.send
    # likes and unlikes, again and again
    send("like", "PUT", video, viewer)
    send("like again", "PUT", video, viewer)
    send("unlike", "DELETE", video, viewer)
    send("unlike again", "DELETE", video, viewer)
    # who is asking, and about what
    send("no bearer", "PUT", video, None)
    send("another scheme", "PUT", video, None, Authorization=f"Basic {viewer.token}")
    send("an empty bearer", "PUT", video, None, Authorization="Bearer ")
    send("a forged token", "PUT", video, None, Authorization="Bearer not.a.token")
    send("not an id", "PUT", "not-an-id", viewer)
    send("an id in capitals", "PUT", story.name(video.upper(), "<VIDEO>"), viewer)
    unknown = story.name(str(uuid7()), "<unknown>")
    send("an unknown video", "PUT", unknown, viewer)
    send("unliking an unknown video", "DELETE", unknown, viewer)
    # keyed retries and correlation ids
    send("a keyed like", "PUT", video, viewer, **{"Idempotency-Key": "like-1"})
    send("its retry", "PUT", video, viewer, **{"Idempotency-Key": "like-1"})
    send("the key for another request", "DELETE", video, viewer, **{"Idempotency-Key": "like-1"})
    send("a malformed key", "DELETE", video, viewer, **{"Idempotency-Key": "has space"})
    send("a correlation id", "DELETE", video, viewer, **{"X-Correlation-Id": "trace-7"})
    send("a malformed correlation id", "PUT", video, viewer, **{"X-Correlation-Id": "x" * 200})
    # the video's audience
    hidden = story.name(system.published_video(story.owner, visibility=Visibility.FOLLOWERS), "<hidden>")
    send("a followers-only video", "PUT", hidden, viewer)
    blocked = system.anonymous_user()
    assert (
        system.client.put(f"/v1/users/{blocked.user_id}/block", headers=story.owner.auth).status_code == 200
    )
    send("blocked by its owner", "PUT", video, blocked)
    send("its owner", "PUT", video, story.owner)
    # the person's standing and session
    restricted, suspended, signed_out = (system.anonymous_user() for _ in range(3))
    restrict = sanctions.RestrictAccount(
        MODERATOR, restricted.user_id, "action-1", Capability.LIKE, timedelta(days=1), "spam"
    )
    standing.restrict_account(restrict, ports=system.ports, request=Request(MODERATOR))
    send("restricted from liking", "PUT", video, restricted)
    send("restricted, unliking", "DELETE", video, restricted)
    suspend = sanctions.SuspendAccount(MODERATOR, suspended.user_id, "action-2", None, "spam ring")
    standing.suspend_account(suspend, ports=system.ports, request=Request(MODERATOR))
    send("suspended", "PUT", video, suspended)
    assert system.client.post("/v1/auth/sign-out", headers=signed_out.auth).status_code == 204
    send("signed out", "PUT", video, signed_out)
    # the process's limits and stores
    system.state.limiter = RateLimiter(0.001, 1)
    send("within the write rate", "PUT", video, viewer)
    send("over the write rate", "DELETE", video, viewer)
    system.state.limiter = RateLimiter(1000.0, 1000)
    system.state.ports = dataclasses.replace(system.ports, store=Down())
    send("the event store down", "DELETE", video, viewer)
    system.state.gate = SessionGate(system.state.ports)
    send("the session cannot be judged", "PUT", video, viewer)


def test_the_short_path_answers_every_like_as_the_documented_route_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given one story told to a system with the short path, and to one without it
    with_it, without, answered = told_both_ways(tmp_path, monkeypatch, a_story, told)
    # Then both answered alike, request by request
    assert with_it.transcript == without.transcript
    # And the short path took the well-formed requests and only those
    assert len(answered) >= 10
    assert all(re.fullmatch(r"/v1/videos/[0-9a-f-]{36}/like", path) for path in answered)
