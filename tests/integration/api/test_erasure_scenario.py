"""Erasure end to end: a person with a profile, an avatar, public videos and their media, a draft,
comments, replies, likes and follows is erased; the cascade runs beside every projector and the
media cleanup; then no read route and no media route shows anything of them, their media is gone
from storage, the event store's files hold none of their words in clear, no live row of the read
store holds any, the log still verifies against a checkpoint signed before the erasure, and their
handle and email register again."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from typer.testing import CliRunner

from commands import accounts as handlers
from commands import streams
from domain.actors import Role
from media import keys as media_keys
from projections import registry
from projections.data_exports import DataExports
from projections.erasure_cascade import ErasureCascade
from projections.media_cleanup import MediaCleanup
from services.exports import Exports
from strom import pipeline
from strom.cli import app
from strom.erasing import erasure_cascade
from tests.erased_rows import BOOKKEEPING
from tests.integration.api.harness import User
from tests.integration.api.media_world import OBJECTS, World

HANDLE = "Erin_Secret"
EMAIL = "erin.secret@example.org"
NAME = "Erin Q. Secretperson"
BIO = "bio of erin: lives on elm street"
AVATAR = "https://cdn.example.org/avatars/erin-secret.jpg"
CAPTION = "erin sings the secret song #erinsecrettag"
COMMENT = "erin was here, commenting"
REPLY = "erin replies quietly"
NOTE = "erin reports this quietly"
WORDS = (HANDLE, HANDLE.lower(), EMAIL, NAME, BIO, AVATAR, CAPTION, "erinsecrettag", COMMENT, REPLY, NOTE)
SETTLE_S = 60.0


@pytest.fixture(autouse=True)
def cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(handlers, "hash_password", cheap.hash)


class Scenario:
    """The media world with every projector, the media cleanup and the erasure cascade."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.world = World(tmp)
        self.system = self.world.system
        self.client = self.world.client
        ports, store = self.system.ports, self.system.read_store
        self.cleanup: MediaCleanup = pipeline.media_cleanup(
            self.world.storage, events=ports.store, codec=ports.codec, store=store
        )
        self.cascade: ErasureCascade = erasure_cascade(ports, store)
        jobs = Exports(ports=ports, store=store, storage=self.world.storage, workdir=tmp / "exports")
        self.exports = DataExports(
            events=ports.store, codec=ports.codec, store=store, jobs=jobs, clock=lambda: datetime.now(UTC)
        )

    def project(self) -> None:
        self.system.project(*registry.ALL)
        self.cleanup.run(until=self.system.store.head_position())
        self.exports.settle()

    def ok(self, method: str, path: str, user: User | None = None, **body: Any) -> Any:
        headers = user.auth if user else {}
        response = self.client.request(method, path, headers=headers, json=body or None)
        assert response.status_code in (200, 201, 202), f"{method} {path}: {response.text}"
        return response.json()

    def get(self, path: str, user: User | None = None, **params: Any) -> Any:
        response = self.client.get(path, params=params, headers=user.auth if user else {})
        assert response.status_code == 200, f"{path}: {response.text}"
        return response.json()

    def status(self, path: str, user: User | None = None) -> int:
        response = self.client.get(path, headers=user.auth if user else {})
        status: int = response.status_code
        return status

    def published(self, owner: User, caption: str) -> str:
        video_id = self.world.processed(owner)
        self.ok("POST", f"/v1/videos/{video_id}/publish", owner, caption=caption, visibility="public")
        self.project()
        self.world.stock(video_id)
        return video_id

    def settle(self, erasure_id: str) -> dict[str, Any]:
        """Runs the projectors and the media cleanup while the cascade works in its own thread, until
        the erasure's record says it is complete."""
        self.cascade.start()
        try:
            deadline = time.monotonic() + SETTLE_S
            while time.monotonic() < deadline:
                self.project()
                record = self.get(f"/v1/erasures/{erasure_id}")
                if record["status"] == "completed":
                    self.project()
                    done: dict[str, Any] = record
                    return done
                time.sleep(0.05)
            raise AssertionError(f"the erasure did not complete in {SETTLE_S} s: {record}")
        finally:
            self.cascade.stop()

    def close(self) -> None:
        self.world.close()


@pytest.fixture
def scenario(tmp_path: Path) -> Iterator[Scenario]:
    s = Scenario(tmp_path)
    yield s
    s.close()


def ids(page: dict[str, Any]) -> set[str]:
    return {item["video_id"] for item in page["items"]}


def users(page: dict[str, Any]) -> set[str]:
    return {item["user_id"] for item in page["items"]}


def texts(page: dict[str, Any]) -> list[str | None]:
    return [item["text"] for item in page["items"]]


def audit(tmp: Path, *args: str) -> str:
    env = {
        "STROM_EVENTSTORE_URL": f"sqlite:///{tmp}/events.db",
        "STROM_KEYSTORE_URL": f"sqlite:///{tmp}/keys.db",
        "STROM_AUDIT_SIGNING_KEY": str(tmp / "audit" / "signing.key"),
    }
    result = CliRunner().invoke(app, ["audit", *args], env=env)
    assert result.exit_code == 0, result.output
    return result.output


def event_store_bytes(tmp: Path) -> bytes:
    """Every file of the event store: the database, its WAL and any journal."""
    return b"".join(path.read_bytes() for path in sorted(tmp.glob("events.db*")) if path.is_file())


def read_store_rows_holding(tmp: Path, words: tuple[str, ...]) -> list[str]:
    """Each live row of the read store that holds any of ``words``, as ``table: word``. Tombstones
    (``_deleted``) are left out: they keep a deleted row's key, to hide older writes, and nothing else."""
    found: list[str] = []
    with closing(sqlite3.connect(tmp / "read.db")) as db:
        tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            columns = {row[1] for row in db.execute(f'PRAGMA table_info("{table}")')}
            live = ' WHERE "_deleted" = 0' if "_deleted" in columns else ""
            for row in db.execute(f'SELECT * FROM "{table}"{live}'):
                text = str(row).lower()
                found += [f"{table}: {word}" for word in words if word.lower() in text]
    return found


def test_an_erased_person_leaves_nothing_identifying_and_their_handle_and_email_register_again(
    scenario: Scenario,
) -> None:
    s = scenario
    # Given Erin, with a profile and an avatar, two public videos with media, and a draft
    erin = s.system.register(HANDLE)
    bob, carol, dave = s.system.register(), s.system.register(), s.system.register()
    s.ok("PUT", "/v1/me/profile", erin, display_name=NAME, bio=BIO, avatar_url=AVATAR)
    mine = [s.published(erin, CAPTION), s.published(erin, CAPTION)]
    draft = s.world.processed(erin)
    theirs = s.published(bob, "bob's clip #bobtag")
    folders = {video_id: s.world.folder(video_id) for video_id in mine}
    # And comments, replies, likes, follows and blocks, both ways
    on_bobs = s.ok("POST", f"/v1/videos/{theirs}/comments", erin, text=COMMENT)["comment_id"]
    bobs_on_hers = s.ok("POST", f"/v1/videos/{mine[0]}/comments", bob, text="nice one")["comment_id"]
    s.ok("POST", f"/v1/videos/{mine[0]}/comments", erin, text=REPLY, parent_id=bobs_on_hers)
    s.ok("POST", f"/v1/videos/{theirs}/comments", bob, text="thanks erin", parent_id=on_bobs)
    s.ok("PUT", f"/v1/videos/{theirs}/like", erin)
    s.ok("PUT", f"/v1/videos/{mine[0]}/like", bob)
    s.ok("PUT", f"/v1/users/{bob.user_id}/follow", erin)
    s.ok("PUT", f"/v1/users/{erin.user_id}/follow", bob)
    s.ok("PUT", f"/v1/users/{erin.user_id}/follow", carol)
    s.ok("PUT", f"/v1/users/{dave.user_id}/block", erin)
    s.ok("PUT", f"/v1/users/{erin.user_id}/block", dave)
    s.ok("PUT", "/v1/me/consent", bob, personalisation=True)
    # And an export of her data, built
    s.ok("POST", "/v1/me/export", erin)
    # And a report she filed
    s.ok("POST", "/v1/reports", erin, target_kind="video", target_id=theirs, reason="spam", note=NOTE)
    s.project()
    # And all of it shows, so what follows proves something
    profile = s.get(f"/v1/users/{erin.user_id}")
    assert (profile["handle"], profile["display_name"], profile["avatar_url"]) == (HANDLE, NAME, AVATAR)
    assert mine[0] in ids(s.get("/v1/trending"))
    assert mine[0] in ids(s.get("/v1/trending/hashtags/erinsecrettag"))
    assert set(mine) <= ids(s.get("/v1/feed/following", bob))
    assert ids(s.get("/v1/feed/for-you", bob, limit=20)) & set(mine)
    assert ids(s.get("/v1/feed/for-you", limit=20)) & set(mine)
    assert s.world.public(mine[0], "poster.jpg").status_code == 200
    assert s.world.storage.keys(f"exports/{erin.user_id}") != []
    audit(s.tmp, "checkpoint")  # signed before the erasure: the log must still match it after

    # When Erin erases her account, and the cascade runs its course
    erased = s.ok("DELETE", "/v1/me", erin)
    record = s.settle(erased["erasure_id"])

    # Then her receipt shows every step done, and names nobody
    assert [step["done"] for step in record["steps"]] == [True] * 5
    assert erin.user_id not in str(record)
    # And her profile keeps only that it was erased
    profile = s.get(f"/v1/users/{erin.user_id}")
    assert (profile["handle"], profile["display_name"], profile["bio"], profile["avatar_url"]) == (None,) * 4
    assert (profile["erased"], profile["videos"]) == (True, 0)
    assert s.get(f"/v1/users/{erin.user_id}/videos")["items"] == []
    assert users(s.get(f"/v1/users/{erin.user_id}/followers")) == set()
    assert users(s.get(f"/v1/users/{erin.user_id}/following")) == set()
    assert erin.user_id not in users(s.get(f"/v1/users/{bob.user_id}/followers"))
    assert erin.user_id not in users(s.get(f"/v1/users/{bob.user_id}/following"))
    assert erin.user_id not in users(s.get(f"/v1/users/{carol.user_id}/following"))
    # And every video of hers, the draft too, is gone from every route
    for video_id in [*mine, draft]:
        for path in (
            f"/v1/videos/{video_id}",
            f"/v1/videos/{video_id}/stats",
            f"/v1/videos/{video_id}/comments",
        ):
            assert s.status(path) == 404, path
            assert s.status(path, bob) == 404, path
    for video_id, folder in folders.items():
        for name in OBJECTS:
            assert s.status(f"/v1/media/{folder}/{name}") == 404, f"{video_id}/{name}"
    listed = (
        ids(s.get("/v1/trending"))
        | ids(s.get("/v1/trending/hashtags/erinsecrettag"))
        | ids(s.get("/v1/feed/following", bob))
        | ids(s.get("/v1/feed/for-you", bob, limit=100))
        | ids(s.get("/v1/feed/for-you", carol, limit=100))
        | ids(s.get("/v1/feed/for-you", limit=100))
    )
    assert listed.isdisjoint([*mine, draft])
    # And what she wrote on Bob's video reads as erased; the thread around it stays
    comments = s.get(f"/v1/videos/{theirs}/comments")
    assert COMMENT not in str(comments)
    (hers,) = [c for c in comments["items"] if c["comment_id"] == on_bobs]
    assert (hers["text"], hers["erased"], hers["deleted"], hers["author_id"]) == (None, True, True, None)
    assert erin.user_id not in str(comments)
    assert texts(s.get(f"/v1/comments/{on_bobs}/replies")) == ["thanks erin"]
    assert s.get(f"/v1/videos/{theirs}/stats")["likes"] == 1  # an anonymous total
    # And her report stands for moderators, naming nobody
    moderator = s.system.register(role=Role.MODERATOR)
    (report,) = s.get(f"/v1/moderation/cases/video-{theirs}", moderator)["reports"]
    assert (report["reporter_id"], report["note"], report["note_erased"]) == (None, None, True)
    # And her media and her export's archive are gone from storage
    assert s.world.storage.keys(f"exports/{erin.user_id}") == []
    for video_id in [*mine, draft]:
        assert [key for prefix in media_keys.of_video(video_id) for key in s.world.storage.keys(prefix)] == []
    # And no file of the event store holds any of her words in clear
    stored = event_store_bytes(s.tmp).lower()
    assert [word for word in WORDS if word.lower().encode() in stored] == []
    # And no live row of the read store holds any of them: a deleted video's kept state has no hashtags
    assert read_store_rows_holding(s.tmp, WORDS) == []
    # nor any byte of its files, tombstones and WAL included (a tombstone keeps its key: a hashtag)
    read_bytes = b"".join(p.read_bytes() for p in sorted(s.tmp.glob("read.db*")) if p.is_file()).lower()
    assert [word for word in WORDS if word.lower().encode() in read_bytes] == []
    # And her id stays only in bookkeeping: no live row says whom she followed, liked or blocked, or
    # who followed or blocked her
    holding = {
        found.split(":")[0].rsplit("_v", 1)[0] for found in read_store_rows_holding(s.tmp, (erin.user_id,))
    }
    assert holding <= BOOKKEEPING, holding - BOOKKEEPING
    # And the log is whole: every chain verifies, and it matches the checkpoint signed before
    assert "OK" in audit(s.tmp, "verify", "--all")
    # And her handle and email are anyone's again
    again = s.client.post(
        "/v1/accounts",
        json={
            "handle": HANDLE.lower(),
            "email": EMAIL.upper(),
            "password": "another good one",
            "display_name": "New",
        },
    )
    assert again.status_code == 201, again.text
    assert handlers.find_user_id(HANDLE, ports=s.system.ports) == again.json()["user_id"]
    assert s.system.store.stream_version(streams.erasure(erased["erasure_id"])) == 5


def test_an_erased_persons_videos_are_withheld_before_the_cascade_deletes_them(scenario: Scenario) -> None:
    # Given Erin's public video, which Bob follows her for and comments on
    s = scenario
    erin, bob = s.system.register(), s.system.register()
    video_id = s.published(erin, "erin's clip #erintag")
    s.ok("PUT", f"/v1/users/{erin.user_id}/follow", bob)
    s.ok("POST", f"/v1/videos/{video_id}/comments", bob, text="nice")
    s.project()
    assert video_id in ids(s.get("/v1/feed/following", bob))
    # When she is erased and every projector applies it, but the cascade has not deleted her videos
    s.ok("DELETE", "/v1/me", erin)
    s.project()
    # Then her video is shown to nobody, on any route
    for path in (f"/v1/videos/{video_id}", f"/v1/videos/{video_id}/stats", f"/v1/videos/{video_id}/comments"):
        assert s.status(path) == 404, path
        assert s.status(path, bob) == 404, path
    listed = (
        ids(s.get("/v1/trending"))
        | ids(s.get("/v1/trending/hashtags/erintag"))
        | ids(s.get("/v1/feed/following", bob))
        | ids(s.get("/v1/feed/for-you", bob, limit=100))
        | ids(s.get("/v1/feed/for-you", limit=100))
    )
    assert video_id not in listed


def test_an_unknown_erasure_is_a_404_problem(scenario: Scenario) -> None:
    scenario.project()
    response = scenario.client.get("/v1/erasures/5b1f3c9e-0a6e-4c6b-9d7e-1f2a3b4c5d6e")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert scenario.client.get("/v1/erasures/not-an-id").status_code == 422
