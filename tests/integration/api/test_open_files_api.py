"""Bursts of requests leave the API process with the files it had: worker threads come and go, and
each used to leave its SQLite connections (and their file descriptors) open behind it."""

from __future__ import annotations

import os

from tests.integration.api.harness import System

BURSTS = 6
LIKES_A_BURST = 20
#: Descriptors a run may keep beyond the start: the connections of threads still alive.
SLACK = 12


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_bursts_of_likes_do_not_leave_files_open(system: System) -> None:
    # Given a published video and a fan, after a first like has opened what the app keeps open
    owner, fan = system.register(), system.register()
    video_id = system.published_video(owner)
    assert system.client.put(f"/v1/videos/{video_id}/like", headers=fan.auth).status_code == 200
    before = open_fds()

    # When bursts of likes and unlikes are served (each request on worker threads of its own here)
    for _ in range(BURSTS):
        for i in range(LIKES_A_BURST):
            method = system.client.delete if i % 2 == 0 else system.client.put
            assert method(f"/v1/videos/{video_id}/like", headers=fan.auth).status_code == 200

    # Then the process holds about the files it held before
    assert open_fds() - before <= SLACK
