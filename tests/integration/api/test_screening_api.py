"""Screening as the API answers it: publishing refused while screening runs, while a video is held
and for good once blocked, a moderator's release, and watched words in captions, comments and
handles refused (or a comment held) with problems that never name the word."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from commands import streams
from commands.aggregates import COMMENT, VIDEO
from commands.context import Request
from commands.handling import execute, load
from commands.screening import screening_reports
from domain import videos
from domain.actors import Role
from domain.reports import ReportFiled
from domain.screening import SCREENER, CommentAction, Findings, Policy, Rules, parse_words
from tests.integration.api.harness import System, User

WORDS = parse_words(["badword", "~spam"])
HIDDEN_WORDS = ("badword", "spam", "b4dw0rd")


@pytest.fixture
def system(tmp_path: Path) -> Iterator[System]:
    s = System(tmp_path, screening=Rules(policy=Policy(), words=WORDS))
    yield s
    s.close()


def screened(system: System, video_id: str, findings: Findings) -> None:
    cmd = videos.RecordScreening(SCREENER, video_id, "up-1", Policy(), "p1", findings)
    execute(
        system.ports,
        Request(SCREENER),
        streams.video(video_id),
        VIDEO,
        lambda s: videos.decide_record_screening(s, cmd),
    )


def publish(system: System, owner: User, video_id: str, caption: str = "hi") -> Any:
    return system.client.post(f"/v1/videos/{video_id}/publish", headers=owner.auth, json={"caption": caption})


def assert_problem(response: Any, status: int, detail: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert detail in response.json()["detail"]


def assert_names_no_word(response: Any) -> None:
    said = response.text.lower()
    assert not any(word in said for word in HIDDEN_WORDS), said


def test_a_held_video_is_refused_until_a_moderator_releases_it(system: System) -> None:
    # Given: screening held the upload
    owner, moderator = system.register(), system.register(role=Role.MODERATOR)
    video_id = system.processed_video(owner)
    screened(system, video_id, Findings(nsfw_score=0.9))
    # When / Then
    assert_problem(publish(system, owner, video_id), 409, "held for review")
    release = {"reason": "a painting"}
    refused = system.client.post(f"/v1/videos/{video_id}/release", headers=owner.auth, json=release)
    assert_problem(refused, 403, "only a moderator")
    released = system.client.post(f"/v1/videos/{video_id}/release", headers=moderator.auth, json=release)
    assert released.status_code == 200, released.text
    assert released.json()["released"] is True
    assert publish(system, owner, video_id).status_code == 200


def test_a_blocked_video_is_never_published_nor_released(system: System) -> None:
    owner, moderator = system.register(), system.register(role=Role.MODERATOR)
    video_id = system.processed_video(owner)
    screened(system, video_id, Findings(hash_matches=("00ff00ff00ff00ff",)))
    assert_problem(publish(system, owner, video_id), 403, "blocked")
    release = system.client.post(
        f"/v1/videos/{video_id}/release", headers=moderator.auth, json={"reason": "x"}
    )
    assert_problem(release, 409, "cannot be released")


def test_a_caption_holding_a_watched_word_is_refused_without_naming_it(system: System) -> None:
    owner = system.register()
    video_id = system.processed_video(owner)
    refused = publish(system, owner, video_id, caption="what a B4DW0RD day")
    assert_problem(refused, 422, "contains a watched word")
    assert_names_no_word(refused)
    assert publish(system, owner, video_id, caption="what a day").status_code == 200


def test_a_handle_holding_a_watched_word_is_refused(system: System) -> None:
    body = {"handle": "the_spammer", "email": "x@example.com", "password": "correct horse battery"}
    refused = system.client.post("/v1/accounts", json={**body, "display_name": "X"})
    assert_problem(refused, 422, "the handle contains a watched word")
    assert_names_no_word(refused)


def test_a_comment_holding_a_watched_word_is_held_and_not_posted(system: System) -> None:
    # Given
    owner, fan = system.register(), system.register()
    video_id = system.published_video(owner)
    # When
    answer = system.client.post(
        f"/v1/videos/{video_id}/comments", headers=fan.auth, json={"text": "b.a.d.w.o.r.d"}
    )
    # Then: taken, but held: recorded, not posted
    assert answer.status_code == 201, answer.text
    comment_id = answer.json()["comment_id"]
    comment = load(system.ports, streams.comment(comment_id), COMMENT).state
    assert (comment.held, comment.posted) == (True, False)
    # And it is before the moderators, reported by screening
    (report,) = [
        system.ports.codec.decode(r).event for r in system.store.read_stream(screening_reports(comment_id))
    ]
    assert isinstance(report, ReportFiled)
    assert (report.reporter_id, report.target_kind, report.target_owner_id) == (
        SCREENER.user_id,
        "comment",
        fan.user_id,
    )


def test_the_policy_may_refuse_such_a_comment_instead(tmp_path: Path) -> None:
    strict = Rules(policy=Policy(comment_action=CommentAction.REJECT), words=WORDS)
    system = System(tmp_path, screening=strict)
    try:
        owner, fan = system.register(), system.register()
        video_id = system.published_video(owner)
        refused = system.client.post(
            f"/v1/videos/{video_id}/comments", headers=fan.auth, json={"text": "free sp4m here"}
        )
        assert_problem(refused, 422, "the comment contains a watched word")
        assert_names_no_word(refused)
    finally:
        system.close()
