"""The moderation API end to end: reports reach the queue, moderators act, the people affected are
told and appeal, and every restriction, suspension, removal and label is honoured."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from domain.actors import Role
from projections.models import (
    comment_threads,
    following_feed,
    moderation_queue,
    moderation_standing,
    video_counters,
    video_details,
)
from tests.integration.api.harness import System, User

PROJECTORS = (
    moderation_queue.PROJECTOR,
    moderation_standing.PROJECTOR,
    video_details.PROJECTOR,
    comment_threads.PROJECTOR,
    following_feed.PROJECTOR,
    video_counters.PROJECTOR,
)


@pytest.fixture
def system(tmp_path: Path) -> Iterator[System]:
    s = System.with_read_side(tmp_path)
    yield s
    s.close()


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def refused(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


def post(system: System, path: str, user: User, body: Any = None) -> Any:
    return system.client.post(path, json=body, headers=user.auth)


def get(system: System, path: str, user: User | None) -> Any:
    return system.client.get(path, headers={} if user is None else user.auth)


def test_a_report_reaches_the_queue_and_only_moderators_read_it(system: System) -> None:
    # Given a reported video
    bob, ann, mod = system.register(), system.register(), system.register(role=Role.MODERATOR)
    video = system.published_video(bob)
    report = {"target_kind": "video", "target_id": video, "reason": "spam", "note": "link farm"}
    ok(post(system, "/v1/reports", ann, report), 201)
    # When
    system.project(*PROJECTORS)
    # Then moderators see it, with the reporter's note
    (item,) = ok(get(system, "/v1/moderation/queue?state=open&reason=spam", mod))["items"]
    assert (item["case_id"], item["reports"], item["reasons"], item["subject_id"]) == (
        f"video-{video}",
        1,
        ["spam"],
        bob.user_id,
    )
    case = ok(get(system, f"/v1/moderation/cases/video-{video}", mod))
    assert [r["note"] for r in case["reports"]] == ["link farm"]
    assert [e["kind"] for e in case["history"]] == ["CaseOpened"]
    # And nobody else does
    refused(get(system, "/v1/moderation/queue", ann), 403)
    refused(get(system, f"/v1/moderation/cases/video-{video}", bob), 403)
    refused(get(system, "/v1/moderation/queue", None), 401)
    refused(get(system, "/v1/moderation/queue?reason=bogus", mod), 422)


def test_removal_notice_appeal_and_reversal(system: System) -> None:
    # Given a reported video, resolved with its removal and a strike
    bob, ann = system.register(), system.register()
    mod, mod2 = system.register(role=Role.MODERATOR), system.register(role=Role.MODERATOR)
    video = system.published_video(bob)
    ok(
        post(system, "/v1/reports", ann, {"target_kind": "video", "target_id": video, "reason": "nudity"}),
        201,
    )
    ok(post(system, f"/v1/moderation/cases/video-{video}/assign", mod, {"assignee_id": mod.user_id}))
    resolution = {"action": "remove_video", "reason": "nudity", "strike": True}
    action_id = ok(post(system, f"/v1/moderation/cases/video-{video}/resolve", mod, resolution))["action_id"]
    system.project(*PROJECTORS)
    # Then the video is gone for others, not for its owner
    refused(get(system, f"/v1/videos/{video}", ann), 404)
    ok(get(system, f"/v1/videos/{video}", bob))
    # And the owner is told, with what to appeal
    notices = ok(get(system, "/v1/me/notices", bob))["items"]
    kinds = {n["kind"]: n for n in notices}
    assert kinds["ContentModerated"]["action_id"] == action_id
    assert kinds["ContentModerated"]["appealable"] is True
    assert "StrikeRecorded" in kinds
    # When the owner appeals, once
    ok(post(system, "/v1/me/appeals", bob, {"action_id": action_id, "statement": "it is a painting"}), 201)
    refused(post(system, "/v1/me/appeals", bob, {"action_id": action_id, "statement": "again"}), 409)
    system.project(*PROJECTORS)
    # Then it waits in the queue as an appeal
    (appealed,) = ok(get(system, "/v1/moderation/queue?reason=appeal", mod2))["items"]
    assert appealed["appeal"] == {"user_id": bob.user_id, "action_id": action_id}
    # And the moderator who acted may not decide it, another may
    decide = f"/v1/moderation/users/{bob.user_id}/appeals/{action_id}/decide"
    refused(post(system, decide, mod, {"granted": True, "reason": "fine"}), 403)
    ok(post(system, decide, mod2, {"granted": True, "reason": "a painting"}))
    system.project(*PROJECTORS)
    # Then the video is back for everyone, and the outcome is on the owner's notice
    ok(get(system, f"/v1/videos/{video}", ann))
    notices = ok(get(system, "/v1/me/notices", bob))["items"]
    removal = next(n for n in notices if n["action_id"] == action_id and n["kind"] == "ContentModerated")
    assert removal["appeal"] == "granted"
    history = ok(get(system, f"/v1/moderation/cases/video-{video}", mod2))["history"]
    assert [e["kind"] for e in history] == [
        "CaseOpened",
        "CaseAssigned",
        "VideoHidden",
        "CaseResolved",
        "AppealFiled",
        "AppealDecided",
        "VideoRestored",
    ]


def test_a_restriction_refuses_its_capability_naming_it_and_its_end(system: System) -> None:
    # Given
    bob, ann, mod = system.register(), system.register(), system.register(role=Role.MODERATOR)
    video = system.published_video(bob)
    body = {"capability": "comment", "duration_hours": 24, "reason": "heated"}
    ok(post(system, f"/v1/moderation/users/{ann.user_id}/restrictions", mod, body), 201)
    # When ann comments
    problem = refused(post(system, f"/v1/videos/{video}/comments", ann, {"text": "hm"}), 403)
    # Then the problem says which restriction and until when
    assert problem["restriction"] == "comment"
    assert problem["until"] is not None
    # And what was not restricted still works
    ok(system.client.put(f"/v1/videos/{video}/like", headers=ann.auth))
    # When lifted, ann comments again
    ok(post(system, f"/v1/moderation/users/{ann.user_id}/restrictions/comment/lift", mod, {"reason": "calm"}))
    ok(post(system, f"/v1/videos/{video}/comments", ann, {"text": "sorry"}), 201)


def test_a_suspended_person_reads_and_appeals_but_acts_on_nothing_and_their_videos_are_hidden(
    system: System,
) -> None:
    # Given a suspended creator
    ann, cy, mod = system.register(), system.register(), system.register(role=Role.MODERATOR)
    video = system.published_video(ann)
    action = ok(post(system, f"/v1/moderation/users/{ann.user_id}/suspend", mod, {"reason": "spam ring"}))
    system.project(*PROJECTORS)
    # Then every command is refused, naming the suspension
    problem = refused(post(system, "/v1/videos", ann, {}), 403)
    assert (problem["restriction"], problem["until"]) == ("suspended", None)
    profile = {"display_name": "Ann", "bio": "buy now", "avatar_url": None}
    refused(system.client.put("/v1/me/profile", json=profile, headers=ann.auth), 403)  # the session gate
    # But they may read their notices and appeal
    (notice,) = ok(get(system, "/v1/me/notices", ann))["items"]
    assert (notice["action"], notice["action_id"]) == ("suspend", action["action_id"])
    ok(post(system, "/v1/me/appeals", ann, {"action_id": action["action_id"], "statement": "hacked"}), 201)
    # And their video is shown to moderators only
    refused(get(system, f"/v1/videos/{video}", cy), 404)
    refused(get(system, f"/v1/videos/{video}", None), 404)
    ok(get(system, f"/v1/videos/{video}", mod))
    # When lifted, they act again and their video is back
    ok(post(system, f"/v1/moderation/users/{ann.user_id}/unsuspend", mod, {"reason": "recovered"}))
    system.project(*PROJECTORS)
    ok(post(system, "/v1/videos", ann, {}), 201)
    ok(get(system, f"/v1/videos/{video}", cy))


def test_strikes_suspend_at_the_threshold(system: System) -> None:
    ann, mod = system.register(), system.register(role=Role.MODERATOR)
    for _ in range(2):
        ok(post(system, f"/v1/moderation/users/{ann.user_id}/strikes", mod, {"reason": "spam"}), 201)
    ok(post(system, "/v1/videos", ann, {}), 201)
    ok(post(system, f"/v1/moderation/users/{ann.user_id}/strikes", mod, {"reason": "spam"}), 201)  # the third
    refused(post(system, "/v1/videos", ann, {}), 403)
    system.project(*PROJECTORS)
    standing = ok(get(system, f"/v1/moderation/users/{ann.user_id}", mod))
    assert (standing["suspended"], standing["strikes"]) == (True, 3)


def test_labels_ride_on_the_card_and_the_feed(system: System) -> None:
    # Given a follower of a creator whose video a moderator labels
    bob, cy, mod = system.register(), system.register(), system.register(role=Role.MODERATOR)
    video = system.published_video(bob)
    ok(system.client.put(f"/v1/users/{bob.user_id}/follow", headers=cy.auth))
    body = {"labels": ["graphic", "sensitive"], "reason": "injury"}
    ok(post(system, f"/v1/moderation/videos/{video}/labels", mod, body))
    ok(
        post(
            system,
            f"/v1/moderation/videos/{video}/labels/remove",
            mod,
            {"labels": ["sensitive"], "reason": "x"},
        )
    )
    # When
    system.project(*PROJECTORS)
    # Then
    assert ok(get(system, f"/v1/videos/{video}", cy))["labels"] == ["graphic"]
    (item,) = ok(get(system, "/v1/feed/following", cy))["items"]
    assert item["labels"] == ["graphic"]


def test_a_removed_comment_leaves_its_thread_until_restored(system: System) -> None:
    bob, ann, mod = system.register(), system.register(), system.register(role=Role.MODERATOR)
    video = system.published_video(bob)
    comment = ok(post(system, f"/v1/videos/{video}/comments", ann, {"text": "rude"}), 201)["comment_id"]
    ok(post(system, f"/v1/moderation/comments/{comment}/remove", mod, {"reason": "insult"}))
    system.project(*PROJECTORS)
    assert ok(get(system, f"/v1/videos/{video}/comments", bob))["items"] == []
    ok(post(system, f"/v1/moderation/comments/{comment}/restore", mod, {"reason": "context"}))
    system.project(*PROJECTORS)
    (item,) = ok(get(system, f"/v1/videos/{video}/comments", bob))["items"]
    assert item["text"] == "rude"


def test_a_removed_comment_takes_no_likes_nor_reports_and_reads_as_missing(system: System) -> None:
    """It left every thread: a like or a report that went through would tell it is still there."""
    # Given ann's comment under bob's video, removed by a moderator
    bob, ann, mod = system.register(), system.register(), system.register(role=Role.MODERATOR)
    video = system.published_video(bob)
    comment = ok(post(system, f"/v1/videos/{video}/comments", ann, {"text": "rude"}), 201)["comment_id"]
    ok(post(system, f"/v1/moderation/comments/{comment}/remove", mod, {"reason": "insult"}))
    like = f"/v1/comments/{comment}/like"
    # When bob likes or reports it, Then it is not found, as a comment never posted
    refused(system.client.put(like, headers=bob.auth), 404)
    report = {"target_kind": "comment", "target_id": comment, "reason": "spam"}
    refused(post(system, "/v1/reports", bob, report), 404)
    # And its author is told why hers takes nothing
    assert "removed by a moderator" in refused(system.client.put(like, headers=ann.auth), 409)["detail"]
    # And once restored, it takes likes again
    ok(post(system, f"/v1/moderation/comments/{comment}/restore", mod, {"reason": "context"}))
    ok(system.client.put(like, headers=bob.auth))


def test_who_may_act_on_whom(system: System) -> None:
    mod, mod2 = system.register(role=Role.MODERATOR), system.register(role=Role.MODERATOR)
    admin = system.register(role=Role.ADMIN)
    suspend = {"duration_hours": 2, "reason": "x"}
    refused(post(system, f"/v1/moderation/users/{mod.user_id}/suspend", mod, suspend), 403)  # themselves
    refused(post(system, f"/v1/moderation/users/{mod2.user_id}/suspend", mod, suspend), 403)  # a peer
    ok(post(system, f"/v1/moderation/users/{mod2.user_id}/suspend", admin, suspend))  # an admin may
    refused(post(system, f"/v1/moderation/users/{admin.user_id}/strikes", mod, {"reason": "x"}), 403)


def test_bad_actions_are_refused_as_problems(system: System) -> None:
    bob, mod = system.register(), system.register(role=Role.MODERATOR)
    video = system.published_video(bob)
    refused(post(system, f"/v1/moderation/users/{bob.user_id}/restrictions", mod, {"reason": "x"}), 422)
    resolve = f"/v1/moderation/cases/video-{video}/resolve"
    refused(post(system, resolve, mod, {"action": "remove_comment", "reason": "x"}), 422)  # not a comment
    refused(post(system, resolve, mod, {"action": "label_video", "reason": "x"}), 422)  # no labels
    unknown = "0190aaaa-bbbb-7ccc-8ddd-000000000009"
    refused(post(system, f"/v1/moderation/users/{unknown}/strikes", mod, {"reason": "x"}), 404)
    refused(post(system, f"/v1/moderation/videos/{video}/restore", mod, {"reason": "x"}), 409)
