"""Many clients at once: the history stays consistent and keyed retries apply once."""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor

import httpx

from commands import streams
from tests.integration.api.harness import System
from tests.integration.api.live_server import serving

CLIENTS = 50


def test_fifty_clients_liking_and_unliking_at_once_leave_an_alternating_history(system: System) -> None:
    # Given one viewer on fifty connections, and a published video
    owner, viewer = system.register(), system.register()
    video_id = system.published_video(owner)
    url = f"/v1/videos/{video_id}/like"

    def toggle(i: int) -> list[int]:
        with httpx.Client(base_url=base, headers=viewer.auth, timeout=30) as client:
            return [
                (client.put(url) if (i + n) % 2 == 0 else client.delete(url)).status_code for n in range(6)
            ]

    # When they all like and unlike at once
    with serving(system.app) as base, ThreadPoolExecutor(CLIENTS) as pool:
        statuses = list(itertools.chain.from_iterable(pool.map(toggle, range(CLIENTS))))
    # Then every request succeeded and the like stream strictly alternates: no double like, no lost unlike
    assert set(statuses) == {200}
    types = [e.type for e in system.store.read_stream(streams.video_like(viewer.user_id, video_id))]
    assert types[0] == "VideoLiked"
    assert all(a != b for a, b in itertools.pairwise(types))


def test_fifty_viewers_liking_at_once_each_like_once(system: System) -> None:
    owner = system.register()
    viewers = [system.anonymous_user() for _ in range(CLIENTS)]
    video_id = system.published_video(owner)

    def like_twice(token_headers: dict[str, str]) -> list[int]:
        with httpx.Client(base_url=base, headers=token_headers, timeout=30) as client:
            return [client.put(f"/v1/videos/{video_id}/like").status_code for _ in range(2)]

    with serving(system.app) as base, ThreadPoolExecutor(CLIENTS) as pool:
        statuses = list(itertools.chain.from_iterable(pool.map(like_twice, [v.auth for v in viewers])))
    assert set(statuses) == {200}
    for viewer in viewers:
        stream = system.store.read_stream(streams.video_like(viewer.user_id, video_id))
        assert [e.type for e in stream] == ["VideoLiked"]


def test_twenty_retries_of_one_keyed_request_append_one_event(system: System) -> None:
    # Given
    owner, viewer = system.register(), system.register()
    video_id = system.published_video(owner)
    headers = {**viewer.auth, "Idempotency-Key": "share-once-7f3a"}
    body = {"channel": "whatsapp"}

    def share(_: int) -> httpx.Response:
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            return client.post(f"/v1/videos/{video_id}/shares", json=body)

    # When the same request is sent twenty times, partly at once
    with serving(system.app) as base, ThreadPoolExecutor(10) as pool:
        responses = list(pool.map(share, range(20)))
    # Then each got the first answer, and one share was recorded
    assert {r.status_code for r in responses} <= {200, 201}
    assert len({r.json()["position"] for r in responses}) == 1
    shared = system.store.read_stream(streams.shares(viewer.user_id))
    assert [e.type for e in shared] == ["VideoShared"]
