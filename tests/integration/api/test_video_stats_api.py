"""A like through the API is in the video's stats for a query that passes its position."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from projections.models.video_counters import PROJECTOR
from projections.supervisor import Supervisor
from tests.integration.api.harness import System


@pytest.fixture
def system(tmp_path: Path) -> Iterator[System]:
    s = System.with_read_side(tmp_path)
    supervisor = Supervisor([PROJECTOR], events=s.store, codec=s.ports.codec, store=s.read_store)
    supervisor.start()
    yield s
    supervisor.stop()
    s.close()


def test_a_like_is_counted_for_a_query_that_waits_for_its_position(system: System) -> None:
    # Given
    owner, fan = system.anonymous_user(), system.anonymous_user()
    video_id = system.published_video(owner)
    system.project()  # the access policy's read models know the video
    # When
    liked = system.client.put(f"/v1/videos/{video_id}/like", headers=fan.auth).json()
    stats = system.client.get(f"/v1/videos/{video_id}/stats", params={"min_position": liked["position"]})
    # Then
    assert stats.status_code == 200
    assert stats.json()["likes"] == 1


def test_watch_signals_give_average_watch_time_and_completion_rate(system: System) -> None:
    video_id = system.published_video(system.anonymous_user())
    system.project()  # the access policy's read models know the video
    viewer = system.anonymous_user()
    signals = [
        {
            "kind": "progress",
            "client_event_id": "a",
            "video_id": video_id,
            "watched_ms": 4000,
            "position_ms": 4000,
            "completed": True,
        },
        {
            "kind": "progress",
            "client_event_id": "b",
            "video_id": video_id,
            "watched_ms": 2000,
            "position_ms": 2000,
        },
    ]
    recorded = system.client.post("/v1/activity", json={"signals": signals}, headers=viewer.auth).json()
    stats = system.client.get(
        f"/v1/videos/{video_id}/stats", params={"min_position": recorded["position"]}
    ).json()
    assert (stats["average_watch_ms"], stats["completion_rate"]) == (3000.0, 0.5)


def test_a_position_the_projector_never_reaches_is_a_503_after_the_bounded_wait(system: System) -> None:
    response = system.client.get(
        "/v1/videos/0190aaaa-bbbb-7ccc-8ddd-000000000001/stats", params={"min_position": 10**9}
    )
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"


def test_an_unknown_video_is_404_and_a_bad_id_is_422(system: System) -> None:
    system.project()
    assert system.client.get("/v1/videos/0190aaaa-bbbb-7ccc-8ddd-000000000009/stats").status_code == 404
    assert system.client.get("/v1/videos/not-an-id/stats").status_code == 422
