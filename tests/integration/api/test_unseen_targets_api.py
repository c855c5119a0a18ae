"""Write routes answer a caller who may not see a video, a comment or a person exactly as they
answer for one that does not exist: the same status and the same words, and nothing recorded. So no
command tells anyone that a private video, a comment under one, or what a person who blocked them
made exists."""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from api.state import Media
from domain.access import Visibility
from eventstore.ids import uuid7
from media.storage import FileStorage
from tests.integration.api.harness import System, User

CAPTIONS = b"WEBVTT\n\n00:00.000 --> 00:01.000\nhello\n"
DETAILS = {"caption": "mine now", "hashtags": [], "visibility": "public", "comments_allowed": True}


@dataclasses.dataclass(frozen=True)
class Call:
    method: str
    path: str
    json: Any = None
    content: bytes | None = None
    headers: dict[str, str] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class Scene:
    """The owner's private video and a public one, each with the owner's comment; a stranger; a
    person the owner blocked; and a bystander's public video everyone sees."""

    system: System
    owner: User
    callers: dict[str, User]
    videos: dict[str, str]
    comments: dict[str, str]
    open_video: str
    own_videos: dict[str, str]  # each caller's own public video


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    folder = Path(tmp_path_factory.mktemp("unseen"))
    (folder / "uploads").mkdir()
    media = Media(
        storage=FileStorage(folder / "media"), uploads_dir=folder / "uploads", signing_key=b"k" * 32
    )
    system = System.with_read_side(folder, media=media)
    owner, stranger, blocked = system.anonymous_user(), system.anonymous_user(), system.anonymous_user()
    videos = {
        "private": system.published_video(owner, visibility=Visibility.PRIVATE),
        "blocking": system.published_video(owner),
    }
    comments = {name: _comment(system, owner, video_id) for name, video_id in videos.items()}
    block = system.client.put(f"/v1/users/{blocked.user_id}/block", headers=owner.auth)
    assert block.status_code == 200, block.text
    callers = {"stranger": stranger, "blocked": blocked}
    yield Scene(
        system=system,
        owner=owner,
        callers=callers,
        videos=videos,
        comments=comments,
        open_video=system.published_video(system.anonymous_user()),
        own_videos={name: system.published_video(user) for name, user in callers.items()},
    )
    system.close()


def _comment(system: System, who: User, video_id: str) -> str:
    response = system.client.post(f"/v1/videos/{video_id}/comments", json={"text": "mine"}, headers=who.auth)
    assert response.status_code == 201, response.text
    comment_id: str = response.json()["comment_id"]
    return comment_id


def _answer(scene: Scene, call: Call, caller: User) -> tuple[int, str | None]:
    """The status and the words of a refusal, which must change nothing."""
    before = scene.system.store.head_position()
    response = scene.system.client.request(
        call.method, call.path, json=call.json, content=call.content, headers={**call.headers, **caller.auth}
    )
    assert 400 <= response.status_code < 500, response.text
    assert scene.system.store.head_position() == before, f"a refused call appended events: {response.text}"
    detail: str | None = response.json().get("detail")
    return response.status_code, detail


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _upload(video_id: str) -> Call:
    metadata = f"video_id {_b64(video_id)},filename {_b64('clip.mp4')},filetype {_b64('video/mp4')}"
    headers = {"Tus-Resumable": "1.0.0", "Upload-Length": "10", "Upload-Metadata": metadata}
    return Call("POST", "/v1/uploads", headers=headers)


TOMORROW = (datetime.now(UTC) + timedelta(days=1)).isoformat()

#: Every write route that names a video, as a call on ``video_id``.
ON_VIDEOS: dict[str, Callable[[str], Call]] = {
    "choose a cover": lambda v: Call("PUT", f"/v1/videos/{v}/cover", {"at_ms": 0}),
    "put captions": lambda v: Call(
        "PUT", f"/v1/videos/{v}/captions/en", content=CAPTIONS, headers={"Content-Type": "text/vtt"}
    ),
    "remove captions": lambda v: Call("DELETE", f"/v1/videos/{v}/captions/en"),
    "publish": lambda v: Call("POST", f"/v1/videos/{v}/publish", {"caption": "mine now"}),
    "schedule": lambda v: Call("POST", f"/v1/videos/{v}/publish", {"caption": "x", "publish_at": TOMORROW}),
    "cancel a schedule": lambda v: Call("DELETE", f"/v1/videos/{v}/schedule"),
    "edit": lambda v: Call("PUT", f"/v1/videos/{v}", DETAILS),
    "unpublish": lambda v: Call("POST", f"/v1/videos/{v}/unpublish"),
    "delete": lambda v: Call("DELETE", f"/v1/videos/{v}"),
    "pin": lambda v: Call("PUT", f"/v1/videos/{v}/pin", {"comment_id": str(uuid7())}),
    "unpin": lambda v: Call("DELETE", f"/v1/videos/{v}/pin"),
    "hide": lambda v: Call("POST", f"/v1/videos/{v}/hide", {"reason": "spam"}),
    "restore": lambda v: Call("POST", f"/v1/videos/{v}/restore", {"reason": "fine"}),
    "release": lambda v: Call("POST", f"/v1/videos/{v}/release", {"reason": "fine"}),
    "upload": _upload,
    "like": lambda v: Call("PUT", f"/v1/videos/{v}/like"),
    "share": lambda v: Call("POST", f"/v1/videos/{v}/shares", {"channel": "copy_link"}),
    "comment": lambda v: Call("POST", f"/v1/videos/{v}/comments", {"text": "hi"}),
    "report": lambda v: Call(
        "POST", "/v1/reports", {"target_kind": "video", "target_id": v, "reason": "spam"}
    ),
}

#: Every write route that names a comment, as a call by ``caller`` on ``comment_id``.
ON_COMMENTS: dict[str, Callable[[Scene, str, str], Call]] = {
    "edit": lambda s, who, c: Call("PUT", f"/v1/comments/{c}", {"text": "mine now"}),
    "delete": lambda s, who, c: Call("DELETE", f"/v1/comments/{c}"),
    "like": lambda s, who, c: Call("PUT", f"/v1/comments/{c}/like"),
    "report": lambda s, who, c: Call(
        "POST", "/v1/reports", {"target_kind": "comment", "target_id": c, "reason": "spam"}
    ),
    "reply": lambda s, who, c: Call(
        "POST", f"/v1/videos/{s.open_video}/comments", {"text": "hi", "parent_id": c}
    ),
    "pin on one's own video": lambda s, who, c: Call(
        "PUT", f"/v1/videos/{s.own_videos[who]}/pin", {"comment_id": c}
    ),
}

#: Who may not see what: a stranger the private video, the blocked person both of the owner's.
UNSEEN = [("stranger", "private"), ("blocked", "private"), ("blocked", "blocking")]


@pytest.mark.parametrize(("caller", "target"), UNSEEN)
@pytest.mark.parametrize("route", sorted(ON_VIDEOS))
def test_a_video_the_caller_may_not_see_is_answered_as_one_that_does_not_exist(
    scene: Scene, route: str, caller: str, target: str
) -> None:
    # Given a video the caller may not see, and an id no video has
    who, call = scene.callers[caller], ON_VIDEOS[route]
    # When the caller acts on each
    unseen = _answer(scene, call(scene.videos[target]), who)
    missing = _answer(scene, call(str(uuid7())), who)
    # Then the answers cannot be told apart
    assert unseen == missing


@pytest.mark.parametrize(("caller", "target"), UNSEEN)
@pytest.mark.parametrize("route", sorted(ON_COMMENTS))
def test_a_comment_under_a_video_the_caller_may_not_see_is_answered_as_one_that_does_not_exist(
    scene: Scene, route: str, caller: str, target: str
) -> None:
    who, call = scene.callers[caller], ON_COMMENTS[route]
    unseen = _answer(scene, call(scene, caller, scene.comments[target]), who)
    missing = _answer(scene, call(scene, caller, str(uuid7())), who)
    assert unseen == missing
    assert unseen[0] == 404


@pytest.mark.parametrize(
    "call",
    [
        lambda u: Call("POST", "/v1/reports", {"target_kind": "user", "target_id": u, "reason": "spam"}),
        lambda u: Call("PUT", f"/v1/users/{u}/follow"),
    ],
    ids=["report", "follow"],
)
def test_a_person_who_blocked_the_caller_is_answered_as_one_that_does_not_exist(
    scene: Scene, call: Callable[[str], Call]
) -> None:
    blocked = scene.callers["blocked"]
    unseen = _answer(scene, call(scene.owner.user_id), blocked)
    missing = _answer(scene, call(str(uuid7())), blocked)
    assert unseen == missing == (404, "user not found")
