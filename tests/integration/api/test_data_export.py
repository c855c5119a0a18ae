"""Data export end to end: two people deal with each other, one asks for their data, the process
manager builds the archive, its owner downloads it through a signed link that expires, and the
archive is deleted once its lifetime has passed."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from api.routers import exports as export_routes
from projections.data_exports import DataExports
from services.exports import Exports
from tests.integration.api.harness import User
from tests.integration.api.media_world import World

LIFETIME = timedelta(days=7)
SOURCE = b"the original upload"  # what media_world stores as each video's source


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, by: timedelta) -> None:
        self.now += by


class Exporting:
    """The media world with the data exports process manager, both on one movable clock."""

    def __init__(self, tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.world = World(tmp)
        self.system = self.world.system
        self.client = self.world.client
        self.clock = Clock(datetime.now(UTC).replace(microsecond=0))
        monkeypatch.setattr(export_routes, "wall_clock", lambda: self.clock().timestamp())
        jobs = Exports(
            ports=self.system.ports,
            store=self.system.read_store,
            storage=self.world.storage,
            workdir=tmp / "exports",
            lifetime=LIFETIME,
            clock=self.clock,
        )
        self.manager = DataExports(
            events=self.system.store,
            codec=self.system.ports.codec,
            store=self.system.read_store,
            jobs=jobs,
            clock=self.clock,
        )

    def ask(self, user: User) -> tuple[str, int]:
        response = self.client.post("/v1/me/export", headers=user.auth)
        assert response.status_code == 202, response.text
        body = response.json()
        return body["export_id"], body["position"]

    def status(self, user: User, export_id: str, status: int = 200) -> dict[str, Any]:
        response = self.client.get(f"/v1/me/exports/{export_id}", headers=user.auth)
        assert response.status_code == status, response.text
        body: dict[str, Any] = response.json()
        return body

    def download(self, url: str) -> Any:
        return self.client.get(url)


@pytest.fixture
def exporting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Exporting]:
    e = Exporting(tmp_path, monkeypatch)
    yield e
    e.world.close()


def archive_files(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def two_people_who_deal_with_each_other(e: Exporting) -> tuple[User, User, list[str]]:
    """Ann has two videos; Bob has one. Each follows, likes and comments on the other's videos."""
    ann, bob = e.system.register("ann_export"), e.system.register("bob_export")
    hers = [e.world.video(ann), e.world.video(ann)]
    his = e.world.video(bob)
    for me, them, video in ((ann, bob, his), (bob, ann, hers[0])):
        e.world.act("PUT", f"/v1/users/{them.user_id}/follow", me)
        e.world.act("PUT", f"/v1/videos/{video}/like", me)
    e.world.act("POST", f"/v1/videos/{his}/comments", ann, text="ann writes on bob's clip")
    e.world.act("POST", f"/v1/videos/{hers[0]}/comments", bob, text="bob writes on ann's clip")
    e.world.act("PUT", "/v1/me/profile", ann, display_name="Ann Exporter", bio="I like exports")
    return ann, bob, hers


def test_an_export_holds_all_of_the_persons_data_and_nothing_of_anyone_elses(exporting: Exporting) -> None:
    e = exporting
    # Given two people who dealt with each other
    ann, bob, hers = two_people_who_deal_with_each_other(e)

    # When Ann asks for her data, it is pending at once
    export_id, position = e.ask(ann)
    e.manager.tracker.run(until=position)
    assert e.status(ann, export_id)["status"] == "pending"
    # and ready once the process manager has built it
    e.manager.settle()
    export = e.status(ann, export_id)
    assert export["status"] == "ready"
    response = e.download(export["download_url"])

    # Then the archive is hers, whole and as announced
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"].startswith('attachment; filename="strom-data-')
    assert export["size_bytes"] == len(response.content)
    files = archive_files(response.content)
    events = json.loads(files["events.json"])
    # every event of hers, decrypted (her email and names readable)
    text = files["events.json"].decode()
    for readable in ("ann_export@example.com", "Ann_Export", "Ann Exporter", "ann writes on bob's clip"):
        assert readable in text
    assert {"UserRegistered", "ProfileChanged", "UserFollowed", "VideoLiked", "CommentPosted"} <= {
        ev["type"] for ev in events
    }
    assert bob.user_id not in {ev["actor"] for ev in events}
    # her videos' sources, byte for byte
    for video_id in hers:
        assert files[f"videos/{video_id}/source.bin"] == SOURCE
    # and not a byte of Bob's: his handle, email, name, what he wrote
    everything = b"".join(files.values())
    for his in ("bob_export", "Bob_Export", "bob writes on ann's clip"):
        assert his.encode() not in everything
    assert json.loads(files["profile.json"])["display_name"] == "Ann Exporter"


def test_the_download_link_works_until_it_expires(exporting: Exporting) -> None:
    e = exporting
    # Given a ready export
    ann = e.system.register("ann_link")
    export_id, _ = e.ask(ann)
    e.manager.settle()
    export = e.status(ann, export_id)
    link, link_expires = export["download_url"], datetime.fromisoformat(export["download_expires_at"])
    assert timedelta(minutes=10) < link_expires - e.clock() <= timedelta(minutes=15)

    # When the link is used just before it expires, it works
    e.clock.now = link_expires - timedelta(seconds=1)
    assert e.download(link).status_code == 200
    # Then at its expiry it is refused, and an altered one always is
    e.clock.now = link_expires
    expired = e.download(link)
    assert expired.status_code == 403
    assert expired.headers["content-type"] == "application/problem+json"
    assert e.download(link.replace("token=", "token=x")).status_code == 403
    # while a fresh link, asked for now, works again
    assert e.download(e.status(ann, export_id)["download_url"]).status_code == 200


def test_a_download_link_stops_working_once_the_session_it_was_made_in_ends(exporting: Exporting) -> None:
    e = exporting
    # Given a ready export, and a link to it taken in each of two sessions of hers
    ann = e.system.register("ann_revoke")
    other = e.system.sign_in(ann.user_id)
    export_id, _ = e.ask(ann)
    e.manager.settle()
    taken, kept = e.status(ann, export_id)["download_url"], e.status(other, export_id)["download_url"]
    assert e.download(taken).status_code == 200
    # When the first session signs out
    assert e.client.post("/v1/auth/sign-out", headers=ann.auth).status_code in (200, 204)
    # Then its link is refused, and the other session's link still works
    refused = e.download(taken)
    assert refused.status_code == 403
    assert "session" in refused.json()["detail"]
    assert e.download(kept).status_code == 200
    # and a link cannot be moved to another session of hers
    moved = taken.replace(taken.split("session=")[1], kept.split("session=")[1])
    assert e.download(moved).status_code == 403


def test_someone_else_never_sees_an_export(exporting: Exporting) -> None:
    e = exporting
    # Given Ann's ready export
    ann, bob = e.system.register("ann_own"), e.system.register("bob_nosy")
    export_id, _ = e.ask(ann)
    e.manager.settle()
    # When Bob asks for it, or lists his own
    problem = e.status(bob, export_id, status=404)
    listed = e.client.get("/v1/me/exports", headers=bob.auth).json()
    # Then it does not exist for him
    assert problem["status"] == 404
    assert listed["items"] == []
    # and without signing in, nobody reads it
    assert e.client.get(f"/v1/me/exports/{export_id}").status_code == 401


def test_the_archive_is_deleted_once_its_lifetime_has_passed(exporting: Exporting) -> None:
    e = exporting
    # Given a ready export, its archive in media storage
    ann = e.system.register("ann_expiry")
    export_id, _ = e.ask(ann)
    e.manager.settle()
    ready = e.status(ann, export_id)
    assert e.world.storage.keys(f"exports/{ann.user_id}") == [f"exports/{ann.user_id}/{export_id}.zip"]
    link = ready["download_url"]

    # When a day before its end the sweeper comes by, nothing happens
    e.clock.advance(LIFETIME - timedelta(days=1))
    e.manager.settle()
    assert e.status(ann, export_id)["status"] == "ready"
    # Then once its lifetime has passed, the archive is gone and the export says so
    e.clock.advance(timedelta(days=1))
    e.manager.settle()
    assert e.world.storage.keys(f"exports/{ann.user_id}") == []
    expired = e.status(ann, export_id)
    assert (expired["status"], expired["download_url"]) == ("expired", None)
    assert e.download(link).status_code == 403  # the link's own expiry passed long ago


def test_exports_are_listed_newest_first_with_fresh_links(exporting: Exporting) -> None:
    e = exporting
    # Given two exports, the second not built yet
    ann = e.system.register("ann_list")
    first, _ = e.ask(ann)
    e.manager.settle()
    second, position = e.ask(ann)
    # When listed once the request is seen
    e.manager.tracker.run(until=position)
    response = e.client.get("/v1/me/exports", params={"min_position": position}, headers=ann.auth)
    # Then
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    items = response.json()["items"]
    assert [(i["export_id"], i["status"]) for i in items] == [(second, "pending"), (first, "ready")]
    assert items[0]["download_url"] is None
    assert items[1]["download_url"].startswith(f"/v1/exports/{first}/archive?token=")
