"""Publishing later through the real routes and the real process manager: a scheduled video is its
owner's alone on every read route until the (injected) clock passes its time, then it is published
once, whatever restarts the publish schedule goes through."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from api.routers.media import RecentAnswers
from commands import streams
from domain.actors import Role
from domain.videos.events import PublishScheduled, VideoPublished
from projections import publish_schedule
from projections.registry import ALL
from read_models import projection_state
from read_models import publish_schedule as due_rows
from strom.publishing import publish_schedule as schedule_for
from tests.integration.api.harness import User
from tests.integration.api.media_world import World


class Clock:
    """Time that moves only when a test says so."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path)
    yield w
    w.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def schedule(world: World, owner: User, video_id: str, at: datetime | str, **details: Any) -> Any:
    body = {"caption": "later #sunrise", "publish_at": at if isinstance(at, str) else iso(at), **details}
    return world.client.post(f"/v1/videos/{video_id}/publish", headers=owner.auth, json=body)


def project(world: World) -> None:
    world.system.project(*ALL)


def published_events(world: World, video_id: str) -> list[VideoPublished]:
    records = world.system.store.read_stream(streams.video(video_id))
    decoded = [world.system.ports.codec.decode(r).event for r in records]
    return [e for e in decoded if isinstance(e, VideoPublished)]


# -- what the route accepts ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "said"),
    [
        (lambda now: iso(now - timedelta(hours=1)), "at least a minute"),
        (lambda now: iso(now + timedelta(seconds=20)), "at least a minute"),
        (lambda now: iso(now + timedelta(days=91)), "at most 90 days"),
        (lambda now: (now + timedelta(days=1)).replace(tzinfo=None).isoformat(), "time zone"),
        (lambda now: "tomorrow at noon", None),
        (lambda now: "0043-01-01T00:00:00Z", "at least a minute"),
        (lambda now: "0001-01-01T00:00:00+05:00", "at least a minute"),  # no UTC form at all
        (lambda now: "9999-12-31T23:59:00-05:00", "at most 90 days"),  # nor this one
    ],
    ids=["past", "too-soon", "too-far", "no-zone", "not-a-time", "year-43", "year-1", "year-9999"],
)
def test_a_publish_at_that_is_no_time_ahead_within_90_days_is_a_problem(
    world: World, at: Callable[[datetime], str], said: str | None
) -> None:
    ann = world.system.register("ann")
    video_id = world.processed(ann)
    response = schedule(world, ann, video_id, at(datetime.now(UTC)))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    if said is not None:
        assert said in response.json()["detail"]


def test_only_the_owner_schedules(world: World) -> None:
    ann, bob = world.system.register("ann"), world.system.register("bob")
    video_id = world.processed(ann)
    response = schedule(world, bob, video_id, datetime.now(UTC) + timedelta(days=1))
    assert (response.status_code, response.json()["detail"]) == (404, "video not found")


def test_a_schedule_is_answered_with_its_time_in_utc(world: World) -> None:
    ann = world.system.register("ann")
    video_id = world.processed(ann)
    response = schedule(world, ann, video_id, "2099-01-01T12:00:00+02:00")
    assert response.status_code == 422  # more than 90 days ahead
    soon = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    in_tokyo = soon.astimezone(timezone(timedelta(hours=9))).isoformat()
    response = schedule(world, ann, video_id, in_tokyo)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["published"] is False
    assert datetime.fromisoformat(body["scheduled_for"]) == soon


# -- invisible until due, then published once ------------------------------------------------------


def reads(world: World, video_id: str, owner: User, viewer: User | None) -> dict[str, bool]:
    """Whether each read route shows the video to ``viewer`` (None: anonymous)."""
    client, auth = world.client, viewer.auth if viewer else {}

    def listed(path: str, key: str = "items", **params: Any) -> bool:
        response = client.get(path, params=params, headers=auth)
        assert response.status_code == 200, f"{path}: {response.text}"
        return video_id in {item["video_id"] for item in response.json()[key]}

    seen = {
        "details": client.get(f"/v1/videos/{video_id}", headers=auth).status_code == 200,
        "stats": client.get(f"/v1/videos/{video_id}/stats", headers=auth).status_code == 200,
        "comments": client.get(f"/v1/videos/{video_id}/comments", headers=auth).status_code == 200,
        "profile": listed(f"/v1/users/{owner.user_id}/videos"),
        "for_you": listed("/v1/feed/for-you", limit=50),
        "trending": listed("/v1/trending"),
        "hashtag": listed("/v1/hashtags/sunrise"),
        "search": listed("/v1/search", key="videos", q="later", kind="videos"),
        "media": world.public(video_id, "master.m3u8").status_code == 200,
    }
    if viewer is not None:
        seen["following"] = listed("/v1/feed/following")
    return seen


def test_a_scheduled_video_is_on_no_read_route_until_its_time_then_on_every_one(
    world: World, clock: Clock
) -> None:
    # Given ann's processed video, bob following her, and its publication scheduled for an hour on
    ann, bob = world.system.register("ann"), world.system.register("bob")
    world.act("PUT", f"/v1/users/{ann.user_id}/follow", bob)
    video_id = world.processed(ann)
    at = clock.now + timedelta(hours=1)
    assert schedule(world, ann, video_id, at).status_code == 200
    project(world)
    world.stock(video_id)
    publisher = schedule_for(world.system.ports, world.system.read_store, clock=clock)

    # When the publish schedule looks a second before its time
    clock.now = at - timedelta(seconds=1)
    assert publisher.settle() == 0
    project(world)

    # Then nobody but ann finds it anywhere, and ann sees it scheduled
    assert not any(reads(world, video_id, ann, None).values())
    assert not any(reads(world, video_id, ann, bob).values())
    own = world.client.get(f"/v1/videos/{video_id}", headers=ann.auth).json()
    assert own["state"] == "draft"
    assert datetime.fromisoformat(own["schedule"]["publish_at"]) == at
    listed = world.client.get(f"/v1/users/{ann.user_id}/scheduled", headers=ann.auth).json()["items"]
    assert [(i["video_id"], i["failed"]) for i in listed] == [(video_id, None)]

    # When its time has come (and bob likes it, which makes it trend; the public media path's
    # remembered "not public" is forgotten, as it would be within seconds)
    clock.now = at
    assert publisher.settle() == 1
    world.act("PUT", f"/v1/videos/{video_id}/like", bob)
    world.client.app.state.public_videos = RecentAnswers()  # type: ignore[attr-defined]
    project(world)

    # Then it is published with the scheduled details, and everyone finds it
    assert all(reads(world, video_id, ann, None).values()), reads(world, video_id, ann, None)
    assert all(reads(world, video_id, ann, bob).values()), reads(world, video_id, ann, bob)
    details = world.client.get(f"/v1/videos/{video_id}").json()
    assert details["caption"] == "later #sunrise"
    assert details["schedule"] is None
    assert world.client.get(f"/v1/users/{ann.user_id}/scheduled", headers=ann.auth).json()["items"] == []
    assert len(published_events(world, video_id)) == 1


def test_the_publish_schedule_publishes_exactly_once_across_a_restart(
    world: World, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a scheduled video whose time has come
    ann = world.system.register("ann")
    video_id = world.processed(ann)
    at = clock.now + timedelta(minutes=5)
    assert schedule(world, ann, video_id, at).status_code == 200
    clock.now = at + timedelta(seconds=3)

    # When the first run publishes, then dies before it can note that it asked
    first = schedule_for(world.system.ports, world.system.read_store, clock=clock)
    real_asked = due_rows.asked

    def crash(*_: object) -> None:
        raise RuntimeError("killed between publishing and noting it")

    monkeypatch.setattr(due_rows, "asked", crash)
    with pytest.raises(RuntimeError):
        first.settle()
    monkeypatch.setattr(due_rows, "asked", real_asked)
    assert len(published_events(world, video_id)) == 1

    # And a new process starts from what the first one kept, and a third replays from the start
    again = schedule_for(world.system.ports, world.system.read_store, clock=clock)
    assert again.settle() == 1  # the row was still there: asked again
    checkpoint = projection_state.checkpoint_of(world.system.read_store, publish_schedule.NAME, "v1")
    assert checkpoint == world.system.store.head_position()  # its own checkpoint, kept across runs
    projection_state.save(
        world.system.read_store,
        projection_state.ProjectionState(publish_schedule.NAME, "v1", version=1, position=0),
    )
    replayed = schedule_for(world.system.ports, world.system.read_store, clock=clock)
    replayed.settle()

    # Then the video was published once
    assert len(published_events(world, video_id)) == 1


def test_a_schedule_moved_or_called_off_publishes_at_the_new_time_or_never(
    world: World, clock: Clock
) -> None:
    ann = world.system.register("ann")
    moved, called_off = world.processed(ann), world.processed(ann)
    first = clock.now + timedelta(hours=1)
    later = clock.now + timedelta(hours=3)
    for video_id in (moved, called_off):
        assert schedule(world, ann, video_id, first).status_code == 200
    assert schedule(world, ann, moved, later).status_code == 200
    cancelled = world.client.delete(f"/v1/videos/{called_off}/schedule", headers=ann.auth)
    assert cancelled.status_code == 200, cancelled.text
    publisher = schedule_for(world.system.ports, world.system.read_store, clock=clock)

    # At the first time: the stale rows are asked about, and nothing is published
    clock.now = first
    assert publisher.settle() == 2
    assert published_events(world, moved) == []
    assert published_events(world, called_off) == []

    # At the new time: the moved one is published, once
    clock.now = later
    assert publisher.settle() == 1
    assert len(published_events(world, moved)) == 1
    assert published_events(world, called_off) == []


def test_a_publication_refused_when_due_is_shown_to_the_owner_with_why(world: World, clock: Clock) -> None:
    # Given a schedule, and then the owner restricted from uploading by a moderator
    ann, mod = world.system.register("ann"), world.system.register("mod", Role.MODERATOR)
    video_id = world.processed(ann)
    at = clock.now + timedelta(hours=1)
    assert schedule(world, ann, video_id, at).status_code == 200
    restricted = world.client.post(
        f"/v1/moderation/users/{ann.user_id}/restrictions",
        headers=mod.auth,
        json={"capability": "upload", "duration_hours": 48, "reason": "too many reposts"},
    )
    assert restricted.status_code in (200, 201), restricted.text
    # When the time comes
    clock.now = at
    schedule_for(world.system.ports, world.system.read_store, clock=clock).settle()
    project(world)
    # Then it stays unpublished, and ann is told why
    assert published_events(world, video_id) == []
    own = world.client.get(f"/v1/videos/{video_id}", headers=ann.auth).json()
    assert own["state"] == "draft"
    assert own["schedule"]["failed"]


def test_only_the_owner_reads_their_scheduled_list(world: World) -> None:
    ann, bob = world.system.register("ann"), world.system.register("bob")
    project(world)
    assert world.client.get(f"/v1/users/{ann.user_id}/scheduled", headers=bob.auth).status_code == 403
    assert world.client.get(f"/v1/users/{ann.user_id}/scheduled").status_code == 401


def test_the_schedule_event_seals_the_owners_words(world: World) -> None:
    ann = world.system.register("ann")
    video_id = world.processed(ann)
    assert schedule(world, ann, video_id, datetime.now(UTC) + timedelta(days=1)).status_code == 200
    (record,) = [
        r
        for r in world.system.store.read_stream(streams.video(video_id))
        if r.type == PublishScheduled.event_type
    ]
    assert "later" not in str(record.data)
