"""Reports through HTTP: one per reporter and target, of what the reporter can see."""

from __future__ import annotations

from typing import Any

import pytest

from commands import streams
from commands.aggregates import ACCOUNT, COMMENT, FOLLOWS, VIDEO
from commands.context import Request
from commands.handling import execute, load
from domain import accounts, reports, social, videos
from domain.access import Visibility
from domain.actors import Actor, Role
from domain.engagement import comments
from domain.reports import ReportReason
from eventstore.ids import uuid7
from tests.integration.api.harness import System, User


def account(system: System) -> User:
    """A user with an account stream; account routes belong to another router, so it is written
    through the domain."""
    user_id, handle = str(uuid7()), f"u{uuid7().hex[-10:]}"
    cmd = accounts.RegisterUser(user_id, handle, f"{handle}@example.com", "$argon2id$fake", handle.title())
    execute(
        system.ports,
        Request(Actor(user_id)),
        streams.user(user_id),
        ACCOUNT,
        lambda state: accounts.decide_register(state, cmd),
    )
    return User(user_id=user_id, handle=handle, token=system.token_for(user_id))


def post_comment(system: System, author: User, video_id: str) -> str:
    comment_id = str(uuid7())
    cmd = comments.PostComment(Actor(author.user_id), comment_id, video_id, "first!")
    video = videos.access(load(system.ports, streams.video(video_id), VIDEO).state)
    execute(
        system.ports,
        Request(cmd.actor),
        streams.comment(comment_id),
        COMMENT,
        lambda state: comments.decide_post_comment(
            state, cmd, video=video, follows_owner=False, blocked=False
        ),
    )
    return comment_id


def report(system: System, reporter: User, kind: str, target_id: str, **extra: Any) -> Any:
    body = {"target_kind": kind, "target_id": target_id, "reason": "spam", **extra}
    return system.client.post("/v1/reports", json=body, headers=reporter.auth)


def filed(system: System, reporter: User) -> list[reports.ReportFiled]:
    stream = streams.reports(reporter.user_id)
    if system.store.stream_version(stream) is None:
        return []
    decoded = [system.ports.codec.decode(r).event for r in system.store.read_stream(stream)]
    return [e for e in decoded if isinstance(e, reports.ReportFiled)]


def assert_problem(response: Any, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"


def test_every_reason_is_accepted_and_recorded_on_the_reporters_stream(system: System) -> None:
    owner = system.anonymous_user()
    video_id = system.published_video(owner)
    for reason in ReportReason:
        # Given a reporter, When they report the video for this reason
        reporter = system.anonymous_user()
        response = report(system, reporter, "video", video_id, reason=reason.value)
        # Then it is recorded on their stream, naming the video's owner
        assert response.status_code == 201, response.text
        assert response.json()["recorded"] is True
        assert [(e.reason, e.target_id, e.target_owner_id) for e in filed(system, reporter)] == [
            (reason.value, video_id, owner.user_id)
        ]


def test_a_second_report_of_the_same_target_records_nothing_new(system: System) -> None:
    owner, reporter = system.anonymous_user(), system.anonymous_user()
    video_id = system.published_video(owner)
    first = report(system, reporter, "video", video_id, note="same <b>link</b> spam again")
    again = report(system, reporter, "video", video_id, note="same <b>link</b> spam again")
    other_reason = report(system, reporter, "video", video_id, reason="hate")
    assert first.status_code == again.status_code == other_reason.status_code == 201
    assert again.json() == {**first.json(), "recorded": False}
    assert other_reason.json()["recorded"] is False
    [only] = filed(system, reporter)
    assert only.note == "same <b>link</b> spam again"


def test_comments_and_users_can_be_reported(system: System) -> None:
    owner, author, reporter = system.anonymous_user(), system.anonymous_user(), system.anonymous_user()
    video_id = system.published_video(owner)
    comment_id = post_comment(system, author, video_id)
    troll = account(system)
    assert report(system, reporter, "comment", comment_id, reason="harassment").status_code == 201
    assert report(system, reporter, "user", troll.user_id, reason="harassment").status_code == 201
    owners = {(e.target_kind, e.target_owner_id) for e in filed(system, reporter)}
    assert owners == {("comment", author.user_id), ("user", troll.user_id)}


def test_nobody_reports_themselves_nor_what_they_posted(system: System) -> None:
    me, owner = account(system), system.anonymous_user()
    my_video = system.published_video(me)
    my_comment = post_comment(system, me, system.published_video(owner))
    for kind, target_id in (("user", me.user_id), ("video", my_video), ("comment", my_comment)):
        assert_problem(report(system, me, kind, target_id), 422)
    assert filed(system, me) == []


def test_an_unknown_target_is_not_found(system: System) -> None:
    reporter = system.anonymous_user()
    for kind in ("video", "comment", "user"):
        assert_problem(report(system, reporter, kind, str(uuid7())), 404)
    assert filed(system, reporter) == []


def test_a_video_the_reporter_cannot_see_reads_as_not_found(system: System) -> None:
    # Given a private, an unpublished, a hidden and a deleted video, and a comment on the private one
    owner, reporter = system.anonymous_user(), system.anonymous_user()
    private = system.published_video(owner, visibility=Visibility.PRIVATE)
    unpublished = system.processed_video(owner)
    hidden, deleted = system.published_video(owner), system.published_video(owner)
    mod = system.anonymous_user(Role.MODERATOR).token
    hide = system.client.post(
        f"/v1/videos/{hidden}/hide", json={"reason": "spam"}, headers={"Authorization": f"Bearer {mod}"}
    )
    assert hide.status_code == 200, hide.text
    assert system.client.delete(f"/v1/videos/{deleted}", headers=owner.auth).status_code == 200
    on_private = post_comment(system, owner, private)
    # When a stranger reports them, Then none is found
    for video_id in (private, unpublished, hidden, deleted):
        assert_problem(report(system, reporter, "video", video_id), 404)
    assert_problem(report(system, reporter, "comment", on_private), 404)
    assert filed(system, reporter) == []


def test_a_followers_only_video_is_reported_by_followers_alone(system: System) -> None:
    # Given a followers-only video, a follower and a stranger
    owner, follower, stranger = system.anonymous_user(), system.anonymous_user(), system.anonymous_user()
    video_id = system.published_video(owner, visibility=Visibility.FOLLOWERS)
    follow = social.FollowUser(Actor(follower.user_id), owner.user_id)
    execute(
        system.ports,
        Request(follow.actor),
        streams.follows(follower.user_id),
        FOLLOWS,
        lambda state: social.decide_follow_user(state, follow, blocked_by_target=False),
    )
    # When both report it, Then the follower's report is recorded and the stranger finds nothing
    assert report(system, follower, "video", video_id).status_code == 201
    assert_problem(report(system, stranger, "video", video_id), 404)


@pytest.mark.parametrize(
    "change",
    [
        {"reason": "boring"},
        {"target_kind": "playlist"},
        {"target_id": "not-a-uuid"},
        {"note": "n" * 501},
        {"note": "bell\x07"},
        {"severity": "high"},
    ],
)
def test_a_malformed_report_is_refused(system: System, change: dict[str, Any]) -> None:
    owner, reporter = system.anonymous_user(), system.anonymous_user()
    video_id = system.published_video(owner)
    body = {"target_kind": "video", "target_id": video_id, "reason": "spam", **change}
    response = system.client.post("/v1/reports", json=body, headers=reporter.auth)
    assert_problem(response, 422)
    assert filed(system, reporter) == []


def test_reporting_needs_a_signed_in_user(system: System) -> None:
    owner = system.anonymous_user()
    body = {"target_kind": "video", "target_id": system.published_video(owner), "reason": "spam"}
    assert_problem(system.client.post("/v1/reports", json=body), 401)


def test_an_idempotency_key_replays_the_first_answer(system: System) -> None:
    owner, reporter = system.anonymous_user(), system.anonymous_user()
    video_id = system.published_video(owner)
    headers = {**reporter.auth, "Idempotency-Key": "report-1"}
    body = {"target_kind": "video", "target_id": video_id, "reason": "spam"}
    first = system.client.post("/v1/reports", json=body, headers=headers)
    again = system.client.post("/v1/reports", json=body, headers=headers)
    assert again.json() == first.json()
    assert again.json()["recorded"] is True
    assert again.headers["idempotent-replayed"] == "true"
    assert len(filed(system, reporter)) == 1
