"""A Following feed page asks, for each of its items, whether the owner is suspended and which
labels the video carries; the answers are the same for everyone, so the API keeps them for its
shared reads' time (about a second) and a suspension reaches every feed within that time of its
projection, never later. A page asked with ``min_position`` reads none of them kept: it shows
everything up to that position."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from api import reading
from api.shared_reads import SharedReads
from commands import standing
from commands.context import Request
from domain.actors import Actor, Role
from domain.moderation import sanctions
from projections.models import following_feed, moderation_standing
from read_models.port import ReadStore
from tests.integration.api.harness import System, User

MODERATOR = Actor("moderator-1", Role.MODERATOR)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class CountedReads:
    """The read store, counting key lookups of the moderation tables."""

    def __init__(self, store: ReadStore) -> None:
        self._store = store
        self.moderation_lookups = 0

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)

    def get_many(self, table: object, keys: object) -> object:
        if any(word in str(getattr(table, "name", "")) for word in ("mod_standing", "video_labels")):
            self.moderation_lookups += 1
        return self._store.get_many(table, keys)  # type: ignore[arg-type]


def _followed(tmp_path: Path, clock: Clock) -> tuple[System, User, User, User, set[str]]:
    """A reader and a friend both following a creator's two videos, answers kept for a second."""
    system = System.with_read_side(tmp_path)
    system.state.shared_reads = SharedReads(1.0, clock=clock)
    reader, friend, creator = (system.register(h) for h in ("reader", "friend", "creator"))
    for person in (reader, friend):
        assert (
            system.client.put(f"/v1/users/{creator.user_id}/follow", headers=person.auth).status_code == 200
        )
    videos = {system.published_video(creator) for _ in range(2)}
    system.project(following_feed.PROJECTOR, moderation_standing.PROJECTOR)
    return system, reader, friend, creator, videos


def _feed(system: System, who: User, min_position: int | None = None) -> set[str]:
    params = {} if min_position is None else {"min_position": min_position}
    response = system.client.get("/v1/feed/following", headers=who.auth, params=params)
    assert response.status_code == 200, response.text
    return {item["video_id"] for item in response.json()["items"]}


def _suspend(system: System, creator: User) -> int:
    suspend = sanctions.SuspendAccount(MODERATOR, creator.user_id, "action-1", timedelta(days=1), "spam")
    outcome = standing.suspend_account(suspend, ports=system.ports, request=Request(MODERATOR))
    system.project(moderation_standing.PROJECTOR, following_feed.PROJECTOR)
    return outcome.position


def test_a_suspension_reaches_the_feed_within_the_shared_reads_time_and_lookups_are_shared(
    tmp_path: Path,
) -> None:
    # Given a reader and a friend both following a creator's two videos, answers kept for a second
    clock = Clock()
    system, reader, friend, creator, videos = _followed(tmp_path, clock)
    counted = CountedReads(system.read_store)
    system.state.read_store = counted  # type: ignore[assignment]

    def feed(who: User) -> set[str]:
        return _feed(system, who)

    # When both read their feed within the second
    assert feed(reader) == videos
    assert feed(friend) == videos
    # Then the owner's standing and the labels were looked up once for both pages
    assert counted.moderation_lookups == 2

    # When the creator is suspended and the suspension projected
    _suspend(system, creator)
    # Then a page within the same second may still show the videos
    assert feed(reader) == videos
    # And once the second has passed no feed shows them
    clock.now += 1.01
    assert feed(reader) == set()
    assert feed(friend) == set()


def test_a_page_asked_with_min_position_shows_what_came_before_it_whatever_is_kept(tmp_path: Path) -> None:
    # Given the reader's page served, its owners' standing kept for a second
    clock = Clock()
    system, reader, _, creator, videos = _followed(tmp_path, clock)
    assert _feed(system, reader) == videos
    # When the creator is suspended and the suspension projected, within the same second
    position = _suspend(system, creator)
    # Then a page asked with the suspension's position shows none of their videos
    assert _feed(system, reader, min_position=position) == set()
    # And a page asked without it may still show the standing kept from before
    assert _feed(system, reader) == videos


def test_a_page_asked_with_min_position_waits_for_the_moderation_it_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a creator suspended, the feed projected past it and moderation not yet (another process)
    monkeypatch.setattr(reading, "MAX_WAIT_S", 0.2)
    clock = Clock()
    system, reader, _, creator, _ = _followed(tmp_path, clock)
    suspend = sanctions.SuspendAccount(MODERATOR, creator.user_id, "action-1", timedelta(days=1), "spam")
    position = standing.suspend_account(suspend, ports=system.ports, request=Request(MODERATOR)).position
    system.project(following_feed.PROJECTOR)
    # When the reader asks for the page as of the suspension
    response = system.client.get("/v1/feed/following", headers=reader.auth, params={"min_position": position})
    # Then it is not served with the suspended owner's videos: not caught up yet, try again
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == "1"
    # And once moderation has caught up, the page shows none of them
    system.project(moderation_standing.PROJECTOR)
    assert _feed(system, reader, min_position=position) == set()
