"""How the transcoding pool is sized and split: one thread per core unless configured, short clips
apart from long videos once there are two threads, short clips first where one thread serves both."""

from __future__ import annotations

import os

import pytest

from strom.settings import Settings
from workers.jobs import LONG_QUEUE, PRIORITY, QUEUES, SHORT_QUEUE
from workers.pool import Lane, lanes


def test_one_thread_serves_both_queues_short_clips_first() -> None:
    assert lanes(1) == [Lane(frozenset(QUEUES), 1)]
    assert PRIORITY[SHORT_QUEUE] < PRIORITY[LONG_QUEUE]  # dramatiq runs the lower number first


@pytest.mark.parametrize(("size", "short", "long"), [(2, 1, 1), (3, 2, 1), (8, 4, 4)])
def test_two_threads_or_more_keep_short_clips_and_long_videos_apart(size: int, short: int, long: int) -> None:
    assert lanes(size) == [Lane(frozenset({SHORT_QUEUE}), short), Lane(frozenset({LONG_QUEUE}), long)]


def test_the_pool_has_a_thread_per_core_unless_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STROM_TRANSCODE_WORKERS", raising=False)
    assert Settings().transcode_workers == (os.cpu_count() or 1)
    monkeypatch.setenv("STROM_TRANSCODE_WORKERS", "3")
    assert Settings().transcode_workers == 3
