"""A comment screening held, read back through the API: its author sees it in the thread, marked
held, and nobody else does until a moderator releases it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from domain.actors import Role
from domain.screening import Policy, Rules, parse_words
from projections.models.comment_threads import PROJECTOR
from tests.integration.api.harness import System, User

HELD_TEXT = "what a b4dw0rd take"


@pytest.fixture
def system(tmp_path: Path) -> Iterator[System]:
    s = System.with_read_side(tmp_path, screening=Rules(policy=Policy(), words=parse_words(["badword"])))
    yield s
    s.close()


def post(system: System, user: User, video_id: str, text: str, parent_id: str | None = None) -> Any:
    body = {"text": text} if parent_id is None else {"text": text, "parent_id": parent_id}
    answer = system.client.post(f"/v1/videos/{video_id}/comments", json=body, headers=user.auth)
    assert answer.status_code == 201, answer.text
    return answer.json()


def shown(system: System, url: str, user: User | None) -> list[tuple[str | None, bool]]:
    answer = system.client.get(url, headers=user.auth if user else {})
    assert answer.status_code == 200, answer.text
    return [(item["text"], item["held"]) for item in answer.json()["items"]]


def release(system: System, user: User, comment_id: str) -> Any:
    return system.client.post(f"/v1/moderation/comments/{comment_id}/release", headers=user.auth, json={})


def test_only_the_author_sees_their_held_comment_until_a_moderator_releases_it(system: System) -> None:
    # Given a comment held for a watched word beside one posted
    owner, author, other = system.register(), system.register(), system.register()
    moderator = system.register(role=Role.MODERATOR)
    video_id = system.published_video(owner)
    post(system, other, video_id, "lovely")
    answer = post(system, author, video_id, HELD_TEXT)
    assert (answer["state"], answer["note"]) == (
        "held",
        "held for review: a moderator will read it before anyone else can",
    )
    # When the threads are read
    system.project(PROJECTOR)
    url = f"/v1/videos/{video_id}/comments"
    # Then its author sees it, marked held; nobody else does, the video's owner included
    assert shown(system, url, author) == [(HELD_TEXT, True), ("lovely", False)]
    for viewer in (other, owner, moderator, None):
        assert shown(system, url, viewer) == [("lovely", False)]
    # And nobody reads replies under it
    replies = system.client.get(f"/v1/comments/{answer['comment_id']}/replies", headers=author.auth)
    assert replies.status_code == 404, replies.text

    # When someone who is not a moderator tries to release it
    refused = release(system, author, answer["comment_id"])
    # Then
    assert refused.status_code == 403, refused.text
    assert refused.headers["content-type"] == "application/problem+json"

    # When a moderator releases it
    released = release(system, moderator, answer["comment_id"])
    assert released.status_code == 200, released.text
    assert released.json()["recorded"] is True
    system.project(PROJECTOR)
    # Then everyone sees it, no longer held, and its author sees it once
    for viewer in (author, other, None):
        assert shown(system, url, viewer) == [(HELD_TEXT, False), ("lovely", False)]
    # And a second release records nothing
    again = release(system, moderator, answer["comment_id"])
    assert (again.status_code, again.json()["recorded"]) == (200, False)


def test_a_held_reply_closes_its_authors_replies_only(system: System) -> None:
    # Given a reply held under someone's comment
    owner, author, other = system.register(), system.register(), system.register()
    video_id = system.published_video(owner)
    parent = post(system, other, video_id, "first")["comment_id"]
    post(system, other, video_id, "second", parent_id=parent)
    assert post(system, author, video_id, HELD_TEXT, parent_id=parent)["state"] == "held"
    # When
    system.project(PROJECTOR)
    url = f"/v1/comments/{parent}/replies"
    # Then
    assert shown(system, url, author) == [("second", False), (HELD_TEXT, True)]
    assert shown(system, url, other) == [("second", False)]
    (top,) = system.client.get(f"/v1/videos/{video_id}/comments").json()["items"]
    assert top["reply_count"] == 1


def test_releasing_an_unknown_comment_is_not_found(system: System) -> None:
    moderator = system.register(role=Role.MODERATOR)
    answer = release(system, moderator, "0190aaaa-bbbb-7ccc-8ddd-00000000dead")
    assert answer.status_code == 404, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
