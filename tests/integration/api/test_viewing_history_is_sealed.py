"""What a person watched and was served is sealed with their key: while it exists every projector
reads it as before; once they are erased, no record of their activity or served pages names a video
in clear, and the whole log still projects from the start."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

from commands import accounts as handlers
from commands.context import Request
from commands.feeds import record_feed_served
from domain.actors import Actor
from domain.feeds import RecordFeedServed, ServedItem
from eventstore.envelope import EventFilter, RecordedEvent
from migrations.runner import apply_pending
from projections.rebuild import live_or_first
from projections.registry import ALL
from projections.runner import Runner
from read_models import video_counters
from read_models.sqlite import SQLiteReadStore
from tests.integration.api.harness import System, User
from tests.integration.api.test_activity_api import signals, video


@pytest.fixture(autouse=True)
def cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(handlers, "hash_password", cheap.hash)


@pytest.fixture
def system(tmp_path: Path) -> Iterator[System]:
    s = System.with_read_side(tmp_path)
    yield s
    s.close()


def history_of(system: System, viewer: User) -> list[RecordedEvent]:
    """The viewer's watch signals and served pages, as stored."""
    found = system.store.read_all(filter=EventFilter(categories=("activity", "feeds")))
    return [r for r in found if r.stream.split("-", 1)[1].startswith(viewer.user_id)]


def served(system: System, viewer: User, video_id: str) -> None:
    page = RecordFeedServed(
        Actor(viewer.user_id), "page-1", True, (ServedItem(video_id, 0.5, "fresh", "new"),)
    )
    record_feed_served(page, ports=system.ports, request=Request(Actor(viewer.user_id)))


def project_everything(system: System, store: SQLiteReadStore) -> None:
    for projector in ALL:
        build = live_or_first(store, projector)
        Runner(projector, events=system.store, codec=system.ports.codec, store=store, build=build).run(
            until=system.store.head_position()
        )


def views_of(store: SQLiteReadStore, video_id: str) -> Any:
    row = store.get(video_counters.MODEL.table(store, video_counters.VIDEO_COUNTERS), {"video_id": video_id})
    return None if row is None else row["views"]


def test_an_erased_viewers_history_names_no_video_and_the_log_still_projects(
    system: System, tmp_path: Path
) -> None:
    # Given a viewer who watched a video and was served it, projected while their key exists
    owner, viewer = system.register(), system.register()
    video_id = video(system, owner)
    response = system.client.post("/v1/activity", json={"signals": signals(video_id)}, headers=viewer.auth)
    assert response.status_code == 202, response.text
    served(system, viewer, video_id)
    live = SQLiteReadStore(tmp_path / "live.db")
    apply_pending(live)
    project_everything(system, live)
    assert views_of(live, video_id) == 1
    history = history_of(system, viewer)
    assert [r.type for r in history] == ["ViewStarted", "WatchProgressed", "VideoSkipped", "FeedServed"]
    assert all(system.ports.codec.decode(r).event.to_data().get("video_id", video_id) for r in history)
    # When they are erased
    response = system.client.delete("/v1/me", headers=viewer.auth)
    assert response.status_code == 202, response.text
    # Then no stored record of their history holds the video's id (or its watch figures) in clear
    history = history_of(system, viewer)
    assert [r.type for r in history] == ["ViewStarted", "WatchProgressed", "VideoSkipped", "FeedServed"]
    assert [r.event_id for r in history if video_id in str(r.data) or "9000" in str(r.data)] == []
    assert [system.ports.codec.decode(r).erased for r in history] == [
        {"video_id"},
        {"video_id", "watched_ms", "position_ms", "completed", "rewatch"},
        {"video_id", "watched_ms"},
        {"items"},
    ]
    # And every projector builds afresh from the whole log, counting nothing they watched
    rebuilt = SQLiteReadStore(tmp_path / "rebuilt.db")
    apply_pending(rebuilt)
    project_everything(system, rebuilt)
    assert views_of(rebuilt, video_id) in (None, 0)
    live.close()
    rebuilt.close()
