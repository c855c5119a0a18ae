"""Watch signals are accepted in batches and stored once per client signal, however often sent,
and only about videos the viewer may see, as far as they could have happened."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from domain.access import Visibility
from eventstore.envelope import EventFilter
from projections.models.profiles import PROJECTOR as PROFILES
from projections.models.video_details import PROJECTOR as VIDEO_DETAILS
from tests.integration.api.harness import System, User


@pytest.fixture
def system(tmp_path: Path) -> Iterator[System]:
    """The API with a read side, since the activity route asks the access policy."""
    s = System.with_read_side(tmp_path)
    yield s
    s.close()


@pytest.fixture
def owner(system: System) -> User:
    return system.register()


def video(system: System, owner: User, visibility: Visibility = Visibility.PUBLIC) -> str:
    """A published video of 15 s (the harness's upload), projected so the policy knows it."""
    video_id = system.published_video(owner, visibility=visibility)
    system.project(VIDEO_DETAILS, PROFILES)
    return video_id


def signals(video_id: str, prefix: str = "s") -> list[dict[str, Any]]:
    return [
        {"kind": "view_start", "client_event_id": f"{prefix}1", "video_id": video_id},
        {
            "kind": "progress",
            "client_event_id": f"{prefix}2",
            "video_id": video_id,
            "watched_ms": 9000,
            "position_ms": 9000,
            "completed": True,
        },
        {"kind": "skip", "client_event_id": f"{prefix}3", "video_id": video_id, "watched_ms": 800},
    ]


def stored_types(system: System) -> list[str]:
    return [e.type for e in system.store.read_all(filter=EventFilter(categories=("activity",)))]


def test_a_batch_is_recorded_as_one_event_per_signal(system: System, owner: User) -> None:
    viewer = system.register()
    batch = signals(video(system, owner))
    response = system.client.post("/v1/activity", json={"signals": batch}, headers=viewer.auth)
    assert response.status_code == 202, response.text
    assert response.json()["recorded"] == 3
    assert stored_types(system) == ["ViewStarted", "WatchProgressed", "VideoSkipped"]


def test_a_resent_batch_is_stored_once_and_a_partly_new_one_adds_only_the_new(
    system: System, owner: User
) -> None:
    # Given a batch already recorded
    viewer = system.register()
    v1, v2 = video(system, owner), video(system, owner)
    system.client.post("/v1/activity", json={"signals": signals(v1)}, headers=viewer.auth)
    # When the client resends it, and then sends it again with one new signal
    again = system.client.post("/v1/activity", json={"signals": signals(v1)}, headers=viewer.auth)
    mixed = [*signals(v1), {"kind": "view_start", "client_event_id": "new", "video_id": v2}]
    more = system.client.post("/v1/activity", json={"signals": mixed}, headers=viewer.auth)
    # Then
    assert again.status_code == 202
    assert more.json()["recorded"] == 1
    assert len(stored_types(system)) == 4


def test_a_bad_signal_refuses_the_whole_batch_naming_it(system: System, owner: User) -> None:
    viewer = system.register()
    batch = signals(video(system, owner))
    batch[2]["watched_ms"] = 60_000  # a "quick skip" of a minute is not a skip
    response = system.client.post("/v1/activity", json={"signals": batch}, headers=viewer.auth)
    assert response.status_code == 422
    assert "signal 2" in response.json()["detail"]
    assert stored_types(system) == []


def test_malformed_batches_are_refused_before_anything_is_stored(system: System) -> None:
    viewer = system.register()
    bad_bodies: list[Any] = [
        {"signals": []},
        {"signals": [{"kind": "teleport", "client_event_id": "a", "video_id": "v"}]},
        {"signals": [{"kind": "view_start", "client_event_id": "a b", "video_id": "v"}]},
        {"signals": [{"kind": "skip", "client_event_id": "a", "video_id": "v", "watched_ms": "100"}]},
        {"signals": [{"kind": "view_start", "client_event_id": "a", "video_id": "v", "extra": 1}]},
        {"signals": signals("v")[:1] * 501},
        [1, 2, 3],
    ]
    for body in bad_bodies:
        response = system.client.post("/v1/activity", json=body, headers=viewer.auth)
        assert response.status_code == 422, body
        assert response.headers["content-type"] == "application/problem+json"
    assert stored_types(system) == []


def test_signals_need_a_signed_in_viewer(system: System) -> None:
    response = system.client.post("/v1/activity", json={"signals": signals("v1")})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


# -- only what the viewer may see, only what could have happened -------------------------------------


def test_signals_about_videos_the_viewer_may_not_see_are_refused_and_not_stored(
    system: System, owner: User
) -> None:
    # Given someone else's private and followers-only videos, and an id no video has
    viewer = system.register()
    private, followers = video(system, owner, Visibility.PRIVATE), video(system, owner, Visibility.FOLLOWERS)
    unknown = "0190f0f0-0000-7000-8000-000000000000"
    batch = signals(private, "p") + signals(followers, "f") + signals(unknown, "u")
    # When the viewer reports watching them
    response = system.client.post("/v1/activity", json={"signals": batch}, headers=viewer.auth)
    # Then nothing is recorded, and each signal is named as refused
    assert response.status_code == 202, response.text
    assert response.json()["recorded"] == 0
    assert {r["client_event_id"] for r in response.json()["refused"]} == {s["client_event_id"] for s in batch}
    assert stored_types(system) == []


def test_the_owner_may_report_watching_their_own_private_video(system: System, owner: User) -> None:
    private = video(system, owner, Visibility.PRIVATE)
    response = system.client.post("/v1/activity", json={"signals": signals(private)}, headers=owner.auth)
    assert (response.json()["recorded"], response.json()["refused"]) == (3, [])


def test_more_watch_time_than_one_play_is_refused_and_the_rest_recorded(system: System, owner: User) -> None:
    # Given a 15 s video
    viewer, video_id = system.register(), video(system, owner)
    batch = signals(video_id)
    batch[1]["watched_ms"] = 3 * 3_600_000  # three hours of a 15 s clip in one signal
    # When
    response = system.client.post("/v1/activity", json={"signals": batch}, headers=viewer.auth)
    # Then the impossible signal is refused, the others stored
    assert [r["client_event_id"] for r in response.json()["refused"]] == ["s2"]
    assert stored_types(system) == ["ViewStarted", "VideoSkipped"]


def test_a_burst_of_view_starts_of_one_video_counts_only_a_few(system: System, owner: User) -> None:
    viewer, video_id = system.register(), video(system, owner)
    burst = [{"kind": "view_start", "client_event_id": f"v{i}", "video_id": video_id} for i in range(250)]
    response = system.client.post("/v1/activity", json={"signals": burst}, headers=viewer.auth)
    assert response.json()["recorded"] == 3
    assert len(response.json()["refused"]) == 247
