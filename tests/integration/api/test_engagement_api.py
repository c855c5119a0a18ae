"""Likes, shares and comments through HTTP: on the actor's streams, never on the video's own."""

from __future__ import annotations

from typing import Any

import pytest

from commands import streams
from domain.access import Visibility
from domain.actors import Role
from domain.engagement import comment_likes, comments, likes, shares
from domain.events import DomainEvent
from eventstore.envelope import EventFilter
from eventstore.ids import uuid7
from tests.integration.api.harness import System, User


def stored(system: System, category: str) -> list[DomainEvent]:
    records = system.store.read_all(filter=EventFilter(categories=(category,)))
    return [system.ports.codec.decode(record).event for record in records]


def post(system: System, who: User, video_id: str, **body: Any) -> Any:
    return system.client.post(f"/v1/videos/{video_id}/comments", json=body, headers=who.auth)


def a_comment(system: System, who: User, video_id: str, text: str = "nice", **body: Any) -> str:
    response = post(system, who, video_id, text=text, **body)
    assert response.status_code == 201, response.text
    comment_id: str = response.json()["comment_id"]
    return comment_id


# -- likes -----------------------------------------------------------------------------------------


def test_liking_twice_records_one_like_and_nothing_on_the_videos_stream(system: System) -> None:
    # Given
    owner, fan = system.register(), system.register()
    video_id = system.published_video(owner)
    video_version = system.store.stream_version(streams.video(video_id))
    # When
    first = system.client.put(f"/v1/videos/{video_id}/like", headers=fan.auth)
    second = system.client.put(f"/v1/videos/{video_id}/like", headers=fan.auth)
    # Then
    assert first.status_code == second.status_code == 200, first.text
    assert first.json() == {"video_id": video_id, "liked": True, "position": second.json()["position"]}
    assert stored(system, "likes") == [likes.VideoLiked(fan.user_id, video_id)]
    assert system.store.stream_version(streams.video(video_id)) == video_version


def test_unliking_what_is_not_liked_records_nothing_and_a_like_can_be_taken_back(system: System) -> None:
    owner, fan = system.register(), system.register()
    video_id = system.published_video(owner)
    nothing = system.client.delete(f"/v1/videos/{video_id}/like", headers=fan.auth)
    assert nothing.status_code == 200
    assert nothing.json()["liked"] is False
    assert stored(system, "likes") == []
    system.client.put(f"/v1/videos/{video_id}/like", headers=fan.auth)
    system.client.delete(f"/v1/videos/{video_id}/like", headers=fan.auth)
    assert stored(system, "likes")[-1] == likes.VideoUnliked(fan.user_id, video_id)


def test_a_followers_only_video_takes_likes_from_followers_only(system: System) -> None:
    owner, fan = system.register(), system.register()
    video_id = system.published_video(owner, visibility=Visibility.FOLLOWERS)
    before = system.client.put(f"/v1/videos/{video_id}/like", headers=fan.auth)
    assert before.status_code == 404
    assert system.client.put(f"/v1/users/{owner.user_id}/follow", headers=fan.auth).status_code == 200
    after = system.client.put(f"/v1/videos/{video_id}/like", headers=fan.auth)
    assert after.status_code == 200, after.text


def test_a_private_or_unknown_video_reads_as_not_found_to_others(system: System) -> None:
    owner, stranger = system.register(), system.register()
    private = system.published_video(owner, visibility=Visibility.PRIVATE)
    for video_id in (private, str(uuid7())):
        response = system.client.put(f"/v1/videos/{video_id}/like", headers=stranger.auth)
        assert response.status_code == 404
        assert response.json()["detail"] == "video not found"
    assert system.client.put(f"/v1/videos/{private}/like", headers=owner.auth).status_code == 200


# -- shares ----------------------------------------------------------------------------------------


def test_a_video_can_be_shared_through_each_channel(system: System) -> None:
    owner, fan = system.register(), system.register()
    video_id = system.published_video(owner)
    ids = []
    for channel in shares.ShareChannel:
        response = system.client.post(
            f"/v1/videos/{video_id}/shares", json={"channel": channel.value}, headers=fan.auth
        )
        assert response.status_code == 201, response.text
        ids.append(response.json()["share_id"])
    channels = [e.channel for e in stored(system, "shares") if isinstance(e, shares.VideoShared)]
    assert channels == [c.value for c in shares.ShareChannel]
    assert len(set(ids)) == len(ids)


def test_a_share_needs_a_known_channel_and_a_visible_video(system: System) -> None:
    owner, fan = system.register(), system.register()
    video_id = system.published_video(owner)
    private = system.published_video(owner, visibility=Visibility.PRIVATE)
    url = f"/v1/videos/{video_id}/shares"
    for body in ({"channel": "carrier_pigeon"}, {}, {"channel": "sms", "note": "x"}):
        assert system.client.post(url, json=body, headers=fan.auth).status_code == 422, body
    hidden = system.client.post(f"/v1/videos/{private}/shares", json={"channel": "sms"}, headers=fan.auth)
    assert hidden.status_code == 404
    assert stored(system, "shares") == []


def test_a_share_retried_with_its_idempotency_key_counts_once(system: System) -> None:
    owner, fan = system.register(), system.register()
    video_id = system.published_video(owner)
    headers = {**fan.auth, "Idempotency-Key": "share-1"}
    first = system.client.post(f"/v1/videos/{video_id}/shares", json={"channel": "sms"}, headers=headers)
    again = system.client.post(f"/v1/videos/{video_id}/shares", json={"channel": "sms"}, headers=headers)
    assert again.json() == first.json()
    assert len(stored(system, "shares")) == 1


# -- comments --------------------------------------------------------------------------------------


def test_comments_and_replies_thread_one_level_deep(system: System) -> None:
    # Given
    owner, fan = system.register(), system.register()
    video_id = system.published_video(owner)
    video_version = system.store.stream_version(streams.video(video_id))
    # When a comment is posted, answered, and the answer answered
    response = post(system, fan, video_id, text="first!")
    top = response.json()["comment_id"]
    reply = a_comment(system, owner, video_id, "thanks", parent_id=top)
    reply_to_reply = a_comment(system, fan, video_id, "welcome", parent_id=reply)
    # Then the last one hangs under the top-level comment and remembers what it answered
    assert response.status_code == 201
    assert response.json() == {
        "comment_id": top,
        "state": "posted",
        "note": None,
        "position": response.json()["position"],
    }
    posted = {e.comment_id: e for e in stored(system, "comment") if isinstance(e, comments.CommentPosted)}
    assert (posted[top].parent_id, posted[top].reply_to_id) == (None, None)
    assert (posted[reply].parent_id, posted[reply].reply_to_id) == (top, top)
    assert (posted[reply_to_reply].parent_id, posted[reply_to_reply].reply_to_id) == (top, reply)
    assert system.store.stream_version(streams.video(video_id)) == video_version


def test_a_reply_to_an_unknown_comment_is_not_found(system: System) -> None:
    owner = system.register()
    video_id = system.published_video(owner)
    assert post(system, owner, video_id, text="hi", parent_id=str(uuid7())).status_code == 404


def test_a_video_with_comments_off_refuses_comments(system: System) -> None:
    owner, fan = system.register(), system.register()
    video_id = system.published_video(owner, comments_allowed=False)
    response = post(system, fan, video_id, text="hello?")
    assert response.status_code == 409
    assert "turned off" in response.json()["detail"]
    assert stored(system, "comment") == []


def test_only_the_author_edits_a_comment_and_to_anyone_else_it_is_not_found(system: System) -> None:
    owner, author = system.register(), system.register()
    video_id = system.published_video(owner)
    comment_id = a_comment(system, author, video_id, "tpyo")
    edited = system.client.put(f"/v1/comments/{comment_id}", json={"text": "typo"}, headers=author.auth)
    by_owner = system.client.put(f"/v1/comments/{comment_id}", json={"text": "mine"}, headers=owner.auth)
    assert edited.status_code == 200, edited.text
    assert edited.json()["comment_id"] == comment_id
    assert (by_owner.status_code, by_owner.json()["detail"]) == (404, "comment not found")
    assert stored(system, "comment")[-1] == comments.CommentEdited(
        comment_id, video_id, author.user_id, "typo", None
    )


def test_the_video_owner_and_a_moderator_may_delete_comments_a_stranger_finds_none(system: System) -> None:
    owner, author, stranger = system.register(), system.register(), system.register()
    moderator = system.register(role=Role.MODERATOR)
    video_id = system.published_video(owner)
    first, second = a_comment(system, author, video_id), a_comment(system, author, video_id)
    assert system.client.delete(f"/v1/comments/{first}", headers=stranger.auth).status_code == 404
    assert system.client.delete(f"/v1/comments/{first}", headers=owner.auth).status_code == 200
    assert system.client.delete(f"/v1/comments/{second}", headers=moderator.auth).status_code == 200
    assert system.client.delete(f"/v1/comments/{second}", headers=moderator.auth).status_code == 409
    deleted = [e for e in stored(system, "comment") if isinstance(e, comments.CommentDeleted)]
    assert [(e.comment_id, e.deleted_as) for e in deleted] == [(first, "video_owner"), (second, "moderator")]


@pytest.mark.parametrize(
    "text",
    [
        "'; DROP TABLE events; --",
        '<script>alert("x")</script> &amp; <b>bold</b>',
        "🎉🔥 ça marche 👍🏽 🇩🇪 日本語",
        "two\nlines",
        "\U0001f469\U0001f3fd\u200d\U0001f4bb \u2764\ufe0f\u200d\U0001f525",  # zero-width joiner sequences
    ],
)
def test_comment_text_is_stored_and_read_back_exactly_as_sent(system: System, text: str) -> None:
    owner = system.register()
    video_id = system.published_video(owner)
    comment_id = a_comment(system, owner, video_id, text)
    (record,) = system.store.read_stream(streams.comment(comment_id))
    event = system.ports.codec.decode(record).event
    assert isinstance(event, comments.CommentPosted)
    assert event.text == text
    assert text not in str(record.data)  # sealed with the author's key, not stored in the clear


@pytest.mark.parametrize(
    "body",
    [
        {"text": "bell\x07"},
        {"text": "right-to-left \u202e override"},
        {"text": "x" * 2000},
        {"text": ""},
        {"text": "   "},
        {"text": "hi", "mood": "happy"},
        {"text": "hi", "parent_id": "not-an-id"},
        {"text": 42},
        {},
    ],
)
def test_malformed_comments_are_refused_before_anything_is_stored(system: System, body: Any) -> None:
    owner = system.register()
    video_id = system.published_video(owner)
    response = post(system, owner, video_id, **body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert stored(system, "comment") == []


def test_an_edit_is_held_to_the_same_rules(system: System) -> None:
    owner = system.register()
    video_id = system.published_video(owner)
    comment_id = a_comment(system, owner, video_id)
    for body in ({"text": "x" * 2000}, {"text": "nul\x00"}, {"text": "ok", "extra": 1}):
        response = system.client.put(f"/v1/comments/{comment_id}", json=body, headers=owner.auth)
        assert response.status_code == 422, body
    assert len(stored(system, "comment")) == 1


def test_a_comment_retried_with_its_idempotency_key_is_posted_once(system: System) -> None:
    owner = system.register()
    video_id = system.published_video(owner)
    headers = {**owner.auth, "Idempotency-Key": "comment-1"}
    url = f"/v1/videos/{video_id}/comments"
    first = system.client.post(url, json={"text": "once"}, headers=headers)
    again = system.client.post(url, json={"text": "once"}, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert len(stored(system, "comment")) == 1
    other = system.client.post(url, json={"text": "twice?"}, headers=headers)
    assert other.status_code == 422  # the same key for a different request


# -- comment likes ---------------------------------------------------------------------------------


def test_a_comment_is_liked_once_and_a_deleted_one_takes_no_likes(system: System) -> None:
    owner, fan = system.register(), system.register()
    video_id = system.published_video(owner)
    comment_id = a_comment(system, owner, video_id)
    url = f"/v1/comments/{comment_id}/like"
    assert [system.client.put(url, headers=fan.auth).status_code for _ in range(2)] == [200, 200]
    assert system.client.delete(url, headers=fan.auth).json()["liked"] is False
    assert stored(system, "commentlikes") == [
        comment_likes.CommentLiked(fan.user_id, comment_id),
        comment_likes.CommentUnliked(fan.user_id, comment_id),
    ]
    system.client.delete(f"/v1/comments/{comment_id}", headers=owner.auth)
    assert system.client.put(url, headers=fan.auth).status_code == 409
    assert system.client.put(f"/v1/comments/{uuid7()}/like", headers=fan.auth).status_code == 404


def test_engagement_needs_a_signed_in_user(system: System) -> None:
    owner = system.register()
    video_id = system.published_video(owner)
    assert system.client.put(f"/v1/videos/{video_id}/like").status_code == 401
    assert system.client.post(f"/v1/videos/{video_id}/comments", json={"text": "hi"}).status_code == 401
