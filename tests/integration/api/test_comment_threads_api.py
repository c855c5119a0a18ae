"""Comments posted, liked, pinned and deleted through the API, read back as threads once projected."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from projections.models.comment_threads import PROJECTOR
from tests.integration.api.harness import System, User


@pytest.fixture
def system(tmp_path: Path) -> Iterator[System]:
    s = System.with_read_side(tmp_path)
    yield s
    s.close()


def project(system: System) -> None:
    system.project(PROJECTOR)


def post(
    system: System, user: User, video_id: str, text: str, parent_id: str | None = None
) -> dict[str, Any]:
    body = {"text": text} if parent_id is None else {"text": text, "parent_id": parent_id}
    response = system.client.post(f"/v1/videos/{video_id}/comments", json=body, headers=user.auth)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def texts(page: dict[str, Any]) -> list[str | None]:
    return [item["text"] for item in page["items"]]


def test_comments_page_newest_first_with_cursors_and_top_after_likes(system: System) -> None:
    # Given
    owner, fan = system.anonymous_user(), system.anonymous_user()
    video_id = system.published_video(owner)
    ids = [post(system, fan, video_id, f"comment {n}")["comment_id"] for n in range(5)]
    liked = system.client.put(f"/v1/comments/{ids[1]}/like", headers=owner.auth)
    assert liked.status_code == 200, liked.text
    # When
    project(system)
    url = f"/v1/videos/{video_id}/comments"
    first = system.client.get(url, params={"limit": 2}).json()
    second = system.client.get(url, params={"limit": 2, "cursor": first["next_cursor"]}).json()
    third = system.client.get(url, params={"limit": 2, "cursor": second["next_cursor"]}).json()
    # Then
    assert texts(first) + texts(second) + texts(third) == [f"comment {n}" for n in (4, 3, 2, 1, 0)]
    assert third["next_cursor"] is None
    best = system.client.get(url, params={"order": "top", "limit": 1}).json()
    assert (texts(best), best["items"][0]["likes"]) == (["comment 1"], 1)
    item = first["items"][0]
    assert (item["author_id"], item["deleted"], item["erased"], item["reply_count"]) == (
        fan.user_id,
        False,
        False,
        0,
    )


def test_pinned_first_replies_oldest_first_and_a_deleted_parent_stays_with_its_replies(
    system: System,
) -> None:
    owner, fan = system.anonymous_user(), system.anonymous_user()
    video_id = system.published_video(owner)
    parent = post(system, fan, video_id, "parent")["comment_id"]
    later = post(system, fan, video_id, "later")["comment_id"]
    post(system, owner, video_id, "first reply", parent_id=parent)
    post(system, fan, video_id, "second reply", parent_id=parent)
    pinned = system.client.put(f"/v1/videos/{video_id}/pin", json={"comment_id": parent}, headers=owner.auth)
    assert pinned.status_code == 200, pinned.text
    gone = system.client.delete(f"/v1/comments/{parent}", headers=fan.auth)
    assert gone.status_code == 200, gone.text
    project(system)
    page = system.client.get(f"/v1/videos/{video_id}/comments").json()
    assert [(i["comment_id"], i["pinned"], i["deleted"], i["text"]) for i in page["items"]] == [
        (parent, True, True, None),
        (later, False, False, "later"),
    ]
    assert page["items"][0]["reply_count"] == 2
    replies = system.client.get(f"/v1/comments/{parent}/replies").json()
    assert texts(replies) == ["first reply", "second reply"]
    assert replies["next_cursor"] is None


def test_min_position_waits_for_the_projector_and_bad_input_is_refused(system: System) -> None:
    owner = system.anonymous_user()
    video_id = system.published_video(owner)
    project(system)
    created = post(system, owner, video_id, "hello")
    url = f"/v1/videos/{video_id}/comments"
    not_yet = system.client.get(url, params={"min_position": created["position"]})
    assert not_yet.status_code == 503
    assert not_yet.headers["retry-after"] == "1"
    project(system)
    caught_up = system.client.get(url, params={"min_position": created["position"]})
    assert (caught_up.status_code, texts(caught_up.json())) == (200, ["hello"])
    assert system.client.get(url, params={"cursor": "not-a-cursor"}).status_code == 400
    assert system.client.get(url, params={"order": "oldest"}).status_code == 422
    assert system.client.get(url, params={"limit": 101}).status_code == 422
    assert system.client.get("/v1/comments/not-an-id/replies").status_code == 422
