"""The Following feed's short path (``api.short_path``) answers every request as the documented
route answers it: the same statuses, problem documents and headers, whether it takes the request or
hands it on (a query parameter FastAPI would refuse sends it the long way, where a refused token
still comes first). Each story is told twice, to a fresh system with the short path and to one
without, and the two transcripts must be the same once the ids and times each system made are
named alike.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from api import short_path
from commands import standing
from commands.context import Request
from domain.actors import Actor, Role
from domain.moderation import sanctions
from projections.models.following_feed import PROJECTOR
from tests.integration.api.both_ways import told_both_ways
from tests.integration.api.harness import System, User

URL = "/v1/feed/following"
MODERATOR = Actor("moderator-1", Role.MODERATOR)
TIMES = re.compile(r"\d{4}-\d\d-\d\dT[\d:.]+(Z|\+00:00)")
CURSOR = re.compile(r'"next_cursor":"[^"]+"')
HEADERS = ("content-type", "www-authenticate", "retry-after", "content-security-policy", "x-frame-options")


@dataclasses.dataclass
class Story:
    system: System
    reader: User
    names: dict[str, str] = dataclasses.field(default_factory=dict)
    transcript: list[tuple[str, int, dict[str, str], str]] = dataclasses.field(default_factory=list)

    def ask(self, what: str, query: str = "", headers: dict[str, str] | None = None) -> Any:
        """``headers``: the reader's bearer unless given."""
        sent = self.reader.auth if headers is None else headers
        response = self.system.client.get(f"{URL}{query}", headers=sent)
        body = response.text
        for value, name in self.names.items():
            body = body.replace(value, name)
        body = CURSOR.sub('"next_cursor":"<cursor>"', TIMES.sub("<time>", body))
        kept = {h: response.headers[h] for h in HEADERS if h in response.headers}
        self.transcript.append((what, response.status_code, kept, body))
        return response.json() if response.headers.get("content-type", "").endswith("json") else None


def a_story(tmp: Path) -> Story:
    system = System.with_read_side(tmp)
    reader = system.register("reader")
    story = Story(system, reader)
    for n, handle in enumerate(("ann", "cat")):
        creator = system.register(handle)
        story.names[creator.user_id] = f"<creator {n}>"
        assert (
            system.client.put(f"/v1/users/{creator.user_id}/follow", headers=reader.auth).status_code == 200
        )
        for k in range(3):
            story.names[system.published_video(creator)] = f"<video {n}.{k}>"
    system.project(PROJECTOR)
    return story


def told(story: Story) -> None:
    ask, system = story.ask, story.system
    first = ask("a first page", "?limit=4")
    ask("the next page", f"?limit=4&cursor={first['next_cursor']}")
    ask("the default limit")
    ask("caught up to a position", "?min_position=1")
    ask("an unknown parameter", "?colour=red")
    ask("a limit twice", "?limit=1&limit=2")
    for bad in ("0", "101", "x", "", "2.5"):
        ask(f"limit={bad!r}", f"?limit={bad}")
    ask("the first page again, its query read before", "?limit=4")
    ask("a refused limit beside one read before", "?limit=4&limit=x")
    ask("a cursor of another feed", "?cursor=not-a-cursor")
    ask("a cursor too long", "?cursor=" + "a" * 3000)
    ask("a negative position", "?min_position=-1")
    ask("a position not a number", "?min_position=soon")
    # who is asking: a refused token comes before a refused parameter, on either way
    forged, basic = {"Authorization": "Bearer not.a.token"}, {"Authorization": f"Basic {story.reader.token}"}
    ask("no bearer", headers={})
    ask("no bearer and a bad limit", "?limit=0", headers={})
    ask("another scheme", headers=basic)
    ask("an empty bearer", headers={"Authorization": "Bearer "})
    ask("a forged token", headers=forged)
    ask("a forged token and a bad limit", "?limit=0", headers=forged)
    ask("a correlation id", headers={**story.reader.auth, "X-Correlation-Id": "trace-7"})
    # the person's standing and session
    suspended, signed_out = system.register("suspended"), system.register("leaving")
    suspend = sanctions.SuspendAccount(MODERATOR, suspended.user_id, "action-1", timedelta(days=1), "spam")
    standing.suspend_account(suspend, ports=system.ports, request=Request(MODERATOR))
    ask("a suspended person reads", headers=suspended.auth)
    assert system.client.post("/v1/auth/sign-out", headers=signed_out.auth).status_code == 204
    ask("signed out", headers=signed_out.auth)
    # the process serves no read models
    system.state.read_store = None
    ask("no read store")
    ask("no read store and a bad limit", "?limit=0")


def test_the_short_path_answers_every_feed_request_as_the_documented_route_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given one story told to a system with the short path, and to one without it
    with_it, without, answered = told_both_ways(tmp_path, monkeypatch, a_story, told)
    # Then both answered alike, request by request
    assert with_it.transcript == without.transcript
    # And the pages read were full ones, so the comparison is of something
    assert with_it.transcript[0][1] == 200
    assert with_it.transcript[0][3].count("video_id") == 4
    # And the short path was offered every request that came with a bearer
    assert len(answered) >= 20


def test_the_query_strings_a_short_path_keeps_read_stay_bounded_and_answer_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a short path that keeps two query strings read at most
    monkeypatch.setattr(short_path, "QUERIES_KEPT", 2)
    # When the story (more than two strings, each asked again) is told both ways
    with_it, without, _ = told_both_ways(tmp_path, monkeypatch, a_story, told)
    # Then the answers are the same
    assert with_it.transcript == without.transcript
    # And no route keeps more than two
    (shortcut,) = [r for r in with_it.system.app.router.routes if isinstance(r, short_path.ShortPath)]
    assert all(len(lane.read) <= 2 for lane in shortcut._lanes.values())
    assert any(lane.read for lane in shortcut._lanes.values())
