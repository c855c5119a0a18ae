"""What the moderators' pages in the web client read beyond the queue itself: a comment case shows
the comment (its words even once removed), and an account's standing names each strike so it can be
removed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.actors import Role
from tests.integration.api.harness import System
from tests.integration.api.test_moderation_api import PROJECTORS, get, ok, post


@pytest.fixture
def system(tmp_path: Path) -> Iterator[System]:
    s = System.with_read_side(tmp_path)
    yield s
    s.close()


def test_a_comment_case_shows_the_comment_even_once_removed(system: System) -> None:
    # Given a reported comment that a moderator removed
    bob, ann, mod = system.register(), system.register(), system.register(role=Role.MODERATOR)
    video = system.published_video(bob)
    comment = ok(post(system, f"/v1/videos/{video}/comments", ann, {"text": "rude"}), 201)["comment_id"]
    report = {"target_kind": "comment", "target_id": comment, "reason": "harassment"}
    ok(post(system, "/v1/reports", bob, report), 201)
    ok(post(system, f"/v1/moderation/comments/{comment}/remove", mod, {"reason": "insult"}))

    # When a moderator reads its case
    system.project(*PROJECTORS)
    case = ok(get(system, f"/v1/moderation/cases/comment-{comment}", mod))

    # Then the comment is there with its words, marked removed
    assert case["comment"]["text"] == "rude"
    assert (case["comment"]["author_id"], case["comment"]["video_id"]) == (ann.user_id, video)
    assert (case["comment"]["removed"], case["comment"]["deleted"]) == (True, False)


def test_a_video_case_has_no_comment(system: System) -> None:
    bob, ann, mod = system.register(), system.register(), system.register(role=Role.MODERATOR)
    video = system.published_video(bob)
    ok(post(system, "/v1/reports", ann, {"target_kind": "video", "target_id": video, "reason": "spam"}), 201)
    system.project(*PROJECTORS)
    assert ok(get(system, f"/v1/moderation/cases/video-{video}", mod))["comment"] is None


def test_standing_names_each_strike_in_force_so_it_can_be_removed(system: System) -> None:
    # Given an account with two strikes
    ann, mod = system.register(), system.register(role=Role.MODERATOR)
    first = ok(post(system, f"/v1/moderation/users/{ann.user_id}/strikes", mod, {"reason": "a"}), 201)
    ok(post(system, f"/v1/moderation/users/{ann.user_id}/strikes", mod, {"reason": "b"}), 201)
    system.project(*PROJECTORS)
    standing = ok(get(system, f"/v1/moderation/users/{ann.user_id}", mod))
    assert len(standing["strike_list"]) == standing["strikes"] == 2

    # When the first is removed by the id the standing gave
    ok(
        post(
            system,
            f"/v1/moderation/users/{ann.user_id}/strikes/{first['action_id']}/remove",
            mod,
            {"reason": "x"},
        )
    )

    # Then only the other is listed
    system.project(*PROJECTORS)
    standing = ok(get(system, f"/v1/moderation/users/{ann.user_id}", mod))
    assert first["action_id"] not in [s["action_id"] for s in standing["strike_list"]]
    assert len(standing["strike_list"]) == standing["strikes"] == 1
