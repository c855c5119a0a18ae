"""People are told of every action on what they posted: a video hidden or restored through the
video routes, a comment removed or restored, and a comment a moderator deleted, each a notice on
``GET /v1/me/notices`` (the first two appealable when adverse, a deletion final)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from domain.actors import Role
from projections.models import moderation_standing
from tests.integration.api.harness import System, User


@pytest.fixture
def system(tmp_path: Path) -> Iterator[System]:
    s = System.with_read_side(tmp_path)
    yield s
    s.close()


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def notices(system: System, user: User) -> list[tuple[str, str, bool]]:
    """(action, target id, appealable), oldest first."""
    system.project(moderation_standing.PROJECTOR)
    items = ok(system.client.get("/v1/me/notices", headers=user.auth))["items"]
    return [(n["action"], n["target_id"], n["appealable"]) for n in reversed(items)]


def test_hiding_and_restoring_a_video_through_its_own_routes_tells_the_owner(system: System) -> None:
    # Given
    bob, mod = system.register(), system.register(role=Role.MODERATOR)
    video = system.published_video(bob)
    # When a moderator hides it, then restores it, by the video routes
    ok(system.client.post(f"/v1/videos/{video}/hide", json={"reason": "spam"}, headers=mod.auth))
    ok(system.client.post(f"/v1/videos/{video}/restore", json={"reason": "not spam"}, headers=mod.auth))
    # Then the owner is told of both, and may appeal the removal (until it was undone)
    assert notices(system, bob) == [("remove_video", video, True), ("restore_video", video, False)]


def test_removing_and_restoring_a_comment_tells_its_author(system: System) -> None:
    bob, ann, mod = system.register(), system.register(), system.register(role=Role.MODERATOR)
    video = system.published_video(bob)
    comment = ok(
        system.client.post(f"/v1/videos/{video}/comments", json={"text": "rude"}, headers=ann.auth), 201
    )
    comment_id = comment["comment_id"]
    ok(
        system.client.post(
            f"/v1/moderation/comments/{comment_id}/remove", json={"reason": "x"}, headers=mod.auth
        )
    )
    ok(
        system.client.post(
            f"/v1/moderation/comments/{comment_id}/restore", json={"reason": "y"}, headers=mod.auth
        )
    )
    assert notices(system, ann) == [
        ("remove_comment", comment_id, True),
        ("restore_comment", comment_id, False),
    ]


def test_a_moderator_deleting_a_comment_tells_its_author_and_others_deleting_tell_nobody(
    system: System,
) -> None:
    # Given two comments on bob's video
    bob, ann, mod = system.register(), system.register(), system.register(role=Role.MODERATOR)
    video = system.published_video(bob)
    first = ok(system.client.post(f"/v1/videos/{video}/comments", json={"text": "a"}, headers=ann.auth), 201)
    second = ok(system.client.post(f"/v1/videos/{video}/comments", json={"text": "b"}, headers=ann.auth), 201)
    # When the video's owner deletes one, and a moderator the other
    ok(system.client.delete(f"/v1/comments/{first['comment_id']}", headers=bob.auth))
    ok(system.client.delete(f"/v1/comments/{second['comment_id']}", headers=mod.auth))
    # Then only the moderator's deletion is told, as final
    assert notices(system, ann) == [("delete_comment", second["comment_id"], False)]
