"""Watch signals are accepted in batches and stored once per client signal, however often sent."""

from __future__ import annotations

from typing import Any

from eventstore.envelope import EventFilter
from tests.integration.api.harness import System


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


def test_a_batch_is_recorded_as_one_event_per_signal(system: System) -> None:
    viewer = system.anonymous_user()
    response = system.client.post("/v1/activity", json={"signals": signals("v1")}, headers=viewer.auth)
    assert response.status_code == 202, response.text
    assert response.json()["recorded"] == 3
    assert stored_types(system) == ["ViewStarted", "WatchProgressed", "VideoSkipped"]


def test_a_resent_batch_is_stored_once_and_a_partly_new_one_adds_only_the_new(system: System) -> None:
    # Given a batch already recorded
    viewer = system.anonymous_user()
    system.client.post("/v1/activity", json={"signals": signals("v1")}, headers=viewer.auth)
    # When the client resends it, and then sends it again with one new signal
    again = system.client.post("/v1/activity", json={"signals": signals("v1")}, headers=viewer.auth)
    mixed = [*signals("v1"), {"kind": "view_start", "client_event_id": "new", "video_id": "v2"}]
    more = system.client.post("/v1/activity", json={"signals": mixed}, headers=viewer.auth)
    # Then
    assert again.status_code == 202
    assert more.json()["recorded"] == 1
    assert len(stored_types(system)) == 4


def test_a_bad_signal_refuses_the_whole_batch_naming_it(system: System) -> None:
    viewer = system.anonymous_user()
    batch = signals("v1")
    batch[2]["watched_ms"] = 60_000  # a "quick skip" of a minute is not a skip
    response = system.client.post("/v1/activity", json={"signals": batch}, headers=viewer.auth)
    assert response.status_code == 422
    assert "signal 2" in response.json()["detail"]
    assert stored_types(system) == []


def test_malformed_batches_are_refused_before_anything_is_stored(system: System) -> None:
    viewer = system.anonymous_user()
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
