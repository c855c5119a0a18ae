"""Video details through the real routes: act with commands, run the projectors, then read the card."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from domain.access import Visibility
from domain.actors import Role
from projections.models import profiles, video_counters, video_details
from projections.supervisor import Supervisor
from tests.integration.api.harness import System, User

UNKNOWN = "0190aaaa-bbbb-7ccc-8ddd-000000000009"


class Videos:
    """The harness's write side and a read store; ``project`` runs the projectors the route reads."""

    def __init__(self, tmp: Path) -> None:
        self.system = System.with_read_side(tmp)
        self.client = self.system.client

    def project(self) -> None:
        self.system.project(video_details.PROJECTOR, video_counters.PROJECTOR, profiles.PROJECTOR)

    def act(self, method: str, path: str, user: User, **body: Any) -> int:
        """A command through the API; its position."""
        response = self.client.request(method, path, headers=user.auth, json=body or None)
        assert response.status_code in (200, 201, 202), response.text
        position: int = response.json()["position"]
        return position

    def details(self, video_id: str, user: User | None = None, **headers: str) -> httpx.Response:
        auth = user.auth if user else {}
        response: httpx.Response = self.client.get(f"/v1/videos/{video_id}", headers={**auth, **headers})
        return response

    def card(self, video_id: str, user: User | None = None) -> Any:
        response = self.details(video_id, user)
        assert response.status_code == 200, response.text
        return response.json()

    def close(self) -> None:
        self.system.close()


@pytest.fixture
def world(tmp_path: Path) -> Iterator[Videos]:
    w = Videos(tmp_path)
    yield w
    w.close()


def watch(world: Videos, viewer: User, video_id: str, *watches: tuple[int, bool]) -> None:
    signals: list[dict[str, Any]] = [{"kind": "view_start", "client_event_id": "v", "video_id": video_id}]
    signals += [
        {
            "kind": "progress",
            "client_event_id": f"p{i}",
            "video_id": video_id,
            "watched_ms": ms,
            "position_ms": ms,
            "completed": done,
        }
        for i, (ms, done) in enumerate(watches)
    ]
    world.project()  # the activity route asks the access policy, which reads the card
    world.act("POST", "/v1/activity", viewer, signals=signals)


def test_the_card_carries_the_details_and_totals_after_likes_and_watches(world: Videos) -> None:
    # Given a published video that two fans like and one watches twice
    ann, bob, cat = (world.system.register(h) for h in ("ann", "bob", "cat"))
    video_id = world.system.published_video(ann, caption="skating #park")
    world.act("PUT", f"/v1/videos/{video_id}/like", bob)
    world.act("PUT", f"/v1/videos/{video_id}/like", cat)
    watch(world, cat, video_id, (15_000, True), (5_000, False))
    world.project()
    # When someone reads it anonymously
    card = world.card(video_id)
    # Then the card and its totals are there, and nobody is asked whether they like it
    assert (card["owner_id"], card["caption"], card["caption_erased"]) == (
        ann.user_id,
        "skating #park",
        False,
    )
    assert (card["visibility"], card["state"], card["comments_allowed"]) == ("public", "listed", True)
    assert card["published_at"] is not None
    assert card["media"]["duration_ms"] == 15_000
    assert (card["media"]["width"], card["media"]["height"]) == (1080, 1920)
    assert card["media"]["renditions"] == ["240p", "720p"]
    assert card["media"]["poster"] == f"{video_id}/poster.jpg"
    stats = card["stats"]
    assert (stats["likes"], stats["views"], stats["watch_ms"]) == (2, 1, 20_000)
    assert (stats["average_watch_ms"], stats["completion_rate"]) == (10_000.0, 0.5)
    assert card["liked_by_me"] is None


def test_without_media_configured_the_card_has_no_playback_urls(world: Videos) -> None:
    ann = world.system.register("ann")
    video_id = world.system.published_video(ann)
    world.project()
    playback = world.card(video_id)["playback"]
    assert playback == {"master_playlist": None, "poster": None, "thumbnails": None, "expires_at": None}


def test_liked_by_me_answers_for_the_caller(world: Videos) -> None:
    ann, bob, cat = (world.system.register(h) for h in ("ann", "bob", "cat"))
    video_id = world.system.published_video(ann)
    world.act("PUT", f"/v1/videos/{video_id}/like", bob)
    world.act("PUT", f"/v1/videos/{video_id}/like", cat)
    world.act("DELETE", f"/v1/videos/{video_id}/like", cat)
    world.project()
    assert world.card(video_id, bob)["liked_by_me"] is True
    assert world.card(video_id, cat)["liked_by_me"] is False
    assert world.card(video_id, ann)["liked_by_me"] is False
    assert world.card(video_id)["liked_by_me"] is None
    assert world.card(video_id, bob)["stats"]["likes"] == 1


def test_the_card_carries_an_etag_and_answers_304_while_unchanged(world: Videos) -> None:
    # Given a card read once
    ann, bob = world.system.register("ann"), world.system.register("bob")
    video_id = world.system.published_video(ann)
    world.project()
    first = world.details(video_id, bob)
    etag = first.headers["ETag"]
    assert etag.startswith('"')  # strong: no W/ prefix
    assert first.headers["Vary"] == "Authorization"
    # When it is asked for again with its ETag
    again = world.details(video_id, bob, **{"If-None-Match": etag})
    # Then nothing changed: 304 with no body
    assert (again.status_code, again.content, again.headers["ETag"]) == (304, b"", etag)
    # And a like changes the card: the old ETag no longer matches
    world.act("PUT", f"/v1/videos/{video_id}/like", bob)
    world.project()
    changed = world.details(video_id, bob, **{"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert changed.json()["liked_by_me"] is True


def test_callers_who_see_different_cards_get_different_etags(world: Videos) -> None:
    ann, bob = world.system.register("ann"), world.system.register("bob")
    video_id = world.system.published_video(ann)
    world.act("PUT", f"/v1/videos/{video_id}/like", bob)
    world.project()
    tags = {world.details(video_id, who).headers["ETag"] for who in (bob, ann, None)}
    assert len(tags) == 3


def test_unknown_and_deleted_videos_are_not_found(world: Videos) -> None:
    ann = world.system.register("ann")
    video_id = world.system.published_video(ann)
    world.act("DELETE", f"/v1/videos/{video_id}", ann)
    world.project()
    for missing, who in ((UNKNOWN, None), (video_id, None), (video_id, ann)):
        response = world.details(missing, who)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"] == "video not found"


def test_a_malformed_id_is_422(world: Videos) -> None:
    response = world.details("not-an-id")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def statuses(world: Videos, video_id: str, *users: User | None) -> list[int]:
    return [world.details(video_id, user).status_code for user in users]


def test_a_private_video_is_there_for_its_owner_only(world: Videos) -> None:
    ann, bob = world.system.register("ann"), world.system.register("bob")
    mod = world.system.register("mod", Role.MODERATOR)
    video_id = world.system.published_video(ann, visibility=Visibility.PRIVATE)
    world.project()
    assert statuses(world, video_id, ann, bob, mod, None) == [200, 404, 404, 404]


def test_a_followers_only_video_is_there_for_its_owner_and_followers(world: Videos) -> None:
    ann, fan, other = (world.system.register(h) for h in ("ann", "fan", "other"))
    video_id = world.system.published_video(ann, visibility=Visibility.FOLLOWERS)
    world.act("PUT", f"/v1/users/{ann.user_id}/follow", fan)
    world.project()
    assert statuses(world, video_id, ann, fan, other, None) == [200, 200, 404, 404]
    world.act("DELETE", f"/v1/users/{ann.user_id}/follow", fan)
    world.project()
    assert statuses(world, video_id, fan) == [404]


def test_a_hidden_video_is_there_for_its_owner_and_moderators(world: Videos) -> None:
    ann, bob = world.system.register("ann"), world.system.register("bob")
    mod = world.system.register("mod", Role.MODERATOR)
    video_id = world.system.published_video(ann)
    world.act("POST", f"/v1/videos/{video_id}/hide", mod, reason="spam")
    world.project()
    assert statuses(world, video_id, ann, mod, bob, None) == [200, 200, 404, 404]
    assert world.card(video_id, ann)["state"] == "hidden"
    world.act("POST", f"/v1/videos/{video_id}/restore", mod, reason="fine after all")
    world.project()
    assert statuses(world, video_id, bob, None) == [200, 200]


def test_an_unpublished_video_is_there_for_its_owner_only(world: Videos) -> None:
    ann, bob = world.system.register("ann"), world.system.register("bob")
    video_id = world.system.published_video(ann)
    world.act("POST", f"/v1/videos/{video_id}/unpublish", ann)
    world.project()
    assert statuses(world, video_id, ann, bob, None) == [200, 404, 404]
    assert world.card(video_id, ann)["state"] == "unpublished"


def test_a_viewer_the_owner_blocked_finds_nothing(world: Videos) -> None:
    ann, bob = world.system.register("ann"), world.system.register("bob")
    video_id = world.system.published_video(ann)
    world.act("PUT", f"/v1/users/{bob.user_id}/block", ann)
    world.project()
    assert statuses(world, video_id, bob, None) == [404, 200]
    world.act("DELETE", f"/v1/users/{bob.user_id}/block", ann)
    world.project()
    assert statuses(world, video_id, bob) == [200]


def test_an_erased_owners_caption_reads_as_erased(world: Videos) -> None:
    ann = world.system.register("ann")
    video_id = world.system.published_video(ann, caption="my words")
    world.project()
    world.act("DELETE", "/v1/me", ann)
    world.project()
    card = world.card(video_id)
    assert (card["caption"], card["caption_erased"], card["state"]) == (None, True, "listed")


@pytest.fixture
def live(tmp_path: Path) -> Iterator[System]:
    """A system whose projectors run in the background, as in production."""
    s = System.with_read_side(tmp_path)
    projectors = [video_details.PROJECTOR, video_counters.PROJECTOR, profiles.PROJECTOR]
    supervisor = Supervisor(projectors, events=s.store, codec=s.ports.codec, store=s.read_store)
    supervisor.start()
    yield s
    supervisor.stop()
    s.close()


def test_a_like_is_in_the_card_for_a_query_that_waits_for_its_position(live: System) -> None:
    # Given
    owner, fan = live.anonymous_user(), live.anonymous_user()
    video_id = live.published_video(owner)
    # When
    liked = live.client.put(f"/v1/videos/{video_id}/like", headers=fan.auth).json()
    params = {"min_position": liked["position"]}
    card = live.client.get(f"/v1/videos/{video_id}", params=params, headers=fan.auth)
    # Then
    assert card.status_code == 200, card.text
    assert (card.json()["stats"]["likes"], card.json()["liked_by_me"]) == (1, True)


def test_the_owner_follows_a_draft_from_upload_to_ready(world: Videos) -> None:
    """The upload screen polls this card and publishes once it says ready."""
    ann = world.system.register("ann")
    draft = world.client.post("/v1/videos", headers=ann.auth)
    assert draft.status_code == 201, draft.text
    processed = world.system.processed_video(ann)
    world.project()
    waiting = world.card(draft.json()["video_id"], ann)["processing"]
    assert waiting == {"status": "awaiting_upload", "progress": None, "error": None}
    ready = world.card(processed, ann)
    assert ready["processing"] == {"status": "ready", "progress": 1.0, "error": None}
    assert ready["state"] == "draft"
