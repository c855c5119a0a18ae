"""The data exports process manager on a real log, read store and media store (files and S3, moto's
server over HTTP): an archive built once however often the log is replayed, an erased person's
exports abandoned and their archives deleted, storage that fails for a while retried, a build that
cannot succeed recorded failed, and ``strom run`` doing it all in the background."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.state import AppState
from commands import accounts as account_handlers
from commands import streams
from commands.aggregates import ACCOUNT
from commands.context import Ports, Request
from commands.handling import execute
from domain import accounts
from domain.actors import Actor
from eventstore.codec import EventCodec
from eventstore.envelope import NewEvent, StreamState
from eventstore.ids import uuid7
from eventstore.keystore import SQLiteKeyStore
from eventstore.sealing import Sealer
from eventstore.sqlite import SQLiteEventStore
from media.storage import MediaStorage
from migrations.runner import apply_pending
from projections import data_export_jobs, following
from projections.data_exports import DataExports
from read_models import data_exports as rows
from read_models import projection_state
from read_models.sqlite import SQLiteReadStore
from services.exports import Exports
from strom.serve import build_app
from strom.settings import Settings
from strom.wiring import open_read_store
from tests.contract.test_media_storage import ADAPTERS, s3_endpoint

__all__ = ["s3_endpoint"]  # the fixture, for the S3 adapter


@pytest.fixture(params=sorted(ADAPTERS))
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> MediaStorage:
    return ADAPTERS[request.param](request, tmp_path)


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


class Flaky:
    """Media storage whose ``put_file`` fails the first ``failures`` times."""

    def __init__(self, storage: MediaStorage, failures: int) -> None:
        self.storage, self.failures = storage, failures

    def put_file(self, key: str, source: Path) -> None:
        if self.failures:
            self.failures -= 1
            raise OSError("storage away")
        self.storage.put_file(key, source)

    def __getattr__(self, name: str) -> object:
        return getattr(self.storage, name)


class World:
    def __init__(self, tmp: Path, storage: MediaStorage) -> None:
        self.keys = SQLiteKeyStore(tmp / "keys.db")
        self.events = SQLiteEventStore(tmp / "events.db")
        self.ports = Ports(store=self.events, codec=EventCodec(Sealer(self.keys)), keys=self.keys)
        self.read_store = SQLiteReadStore(tmp / "read.db")
        apply_pending(self.read_store)
        self.storage = storage
        self.clock = Clock(datetime(2030, 1, 1, tzinfo=UTC))
        self.tmp = tmp

    def manager(self, storage: MediaStorage | None = None) -> DataExports:
        jobs = Exports(
            ports=self.ports,
            store=self.read_store,
            storage=storage or self.storage,
            workdir=self.tmp / "exports",
            clock=self.clock,
        )
        return DataExports(
            events=self.events, codec=self.ports.codec, store=self.read_store, jobs=jobs, clock=self.clock
        )

    def person(self) -> str:
        user_id = str(uuid7())
        cmd = accounts.RegisterUser(user_id, f"p{user_id[-8:]}", f"{user_id[-8:]}@example.com", "h", "P")
        execute(
            self.ports,
            Request(Actor(user_id)),
            streams.user(user_id),
            ACCOUNT,
            lambda s: accounts.decide_register(s, cmd),
        )
        return user_id

    def ask(self, user_id: str) -> str:
        export_id = str(uuid7())
        cmd = accounts.RequestDataExport(Actor(user_id), export_id)
        account_handlers.request_data_export(cmd, ports=self.ports, request=Request(Actor(user_id)))
        return export_id

    def erase(self, user_id: str) -> None:
        cmd = accounts.RequestErasure(Actor(user_id), user_id)
        account_handlers.request_erasure(cmd, ports=self.ports, request=Request(Actor(user_id)))

    def export(self, user_id: str, export_id: str) -> rows.Export:
        found = rows.find(self.read_store, user_id, export_id)
        assert found is not None
        return found

    def archives(self, user_id: str) -> list[str]:
        return self.storage.keys(f"exports/{user_id}")

    def close(self) -> None:
        self.events.close()
        self.keys.close()
        self.read_store.close()


@pytest.fixture
def world(tmp_path: Path, storage: MediaStorage) -> Iterator[World]:
    w = World(tmp_path, storage)
    yield w
    w.close()


def test_replaying_the_log_builds_nothing_twice(world: World) -> None:
    # Given an export built and recorded ready
    ann = world.person()
    export_id = world.ask(ann)
    world.manager().settle()
    before = world.export(ann, export_id)
    head = world.events.head_position()
    archive = world.storage.read(f"exports/{ann}/{export_id}.zip")

    # When the process manager runs over the whole log again, as after lost checkpoints
    for name in ("data_exports", data_export_jobs.BUILDER):
        projection_state.save(world.read_store, projection_state.ProjectionState(name, following.BUILD))
    world.clock.now += timedelta(hours=1)
    world.manager().settle()

    # Then nothing new is recorded, the archive is the same, and the row too
    assert world.events.head_position() == head
    assert world.storage.read(f"exports/{ann}/{export_id}.zip") == archive
    assert world.export(ann, export_id) == before
    assert before.status == "ready"


def test_an_erased_persons_exports_are_abandoned_and_their_archives_deleted(world: World) -> None:
    # Given a ready export, and one asked for but not built yet
    ann, bob = world.person(), world.person()
    built = world.ask(ann)
    world.manager().settle()
    waiting = world.ask(ann)
    kept = world.ask(bob)

    # When she is erased before the second is built
    world.erase(ann)
    world.manager().settle()

    # Then neither is downloadable, no archive of hers is left, no row of the exporter names her,
    # and Bob's export is untouched
    assert [rows.find(world.read_store, ann, e) for e in (built, waiting)] == [None, None]
    assert world.archives(ann) == []
    for table in rows.TABLES:
        if table is not rows.EXPORT_ERASED:
            assert [r for r in world.read_store.scan(table) if ann in r.values()] == [], table.name
    assert list(rows.streams_of(world.read_store, bob))
    assert world.export(bob, kept).status == "ready"
    assert len(world.archives(bob)) == 1
    assert world.events.stream_version(streams.export(waiting)) == 0  # abandoned, never ready


def test_storage_that_fails_for_a_while_is_retried_until_the_export_is_ready(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given storage that fails twice
    monkeypatch.setattr(data_export_jobs, "RETRY_FIRST_S", 0.01)
    ann = world.person()
    export_id = world.ask(ann)
    flaky = Flaky(world.storage, failures=2)

    # When the process manager runs
    world.manager(flaky).settle()  # type: ignore[arg-type]

    # Then
    assert flaky.failures == 0
    assert world.export(ann, export_id).status == "ready"


def test_a_build_that_keeps_failing_is_recorded_failed_and_the_next_export_goes_on(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given storage that fails longer than the builder tries, then a second export
    monkeypatch.setattr(data_export_jobs, "RETRY_FIRST_S", 0.001)
    ann, bob = world.person(), world.person()
    doomed, later = world.ask(ann), world.ask(bob)
    flaky = Flaky(world.storage, failures=data_export_jobs.BUILD_ATTEMPTS)

    # When
    world.manager(flaky).settle()  # type: ignore[arg-type]

    # Then the first failed, saying so, and the second was built
    failed = world.export(ann, doomed)
    assert (failed.status, failed.reason) == ("failed", data_export_jobs.GAVE_UP)
    assert world.export(bob, later).status == "ready"


def test_an_export_whose_history_cannot_be_read_fails(world: World) -> None:
    # Given an event of hers of a type this code does not know
    ann = world.person()
    strange = NewEvent(type="SomethingNew", data={"user_id": ann})
    world.events.append(streams.shares(ann), [strange], StreamState.ANY)
    export_id = world.ask(ann)
    # When
    world.manager().settle()
    # Then
    assert world.export(ann, export_id).status == "failed"
    assert world.archives(ann) == []


def test_strom_run_builds_an_export_in_the_background(tmp_path: Path) -> None:
    # Given the app as `strom run` builds it, its process managers running
    settings = Settings(
        data_dir=tmp_path,
        eventstore_url=f"sqlite:///{tmp_path}/events.db",
        readstore_url=f"sqlite:///{tmp_path}/read.db",
        keystore_url=f"sqlite:///{tmp_path}/keys.db",
        media_url=f"file://{tmp_path}/media",
        uploads_dir=tmp_path / "uploads",
    )
    read_store = open_read_store(settings)
    apply_pending(read_store)
    read_store.close()
    with TestClient(build_app(settings, with_projectors=True)) as client:
        state: AppState = client.app.state.strom  # type: ignore[attr-defined]
        assert state.read_store is not None
        world = World.__new__(World)
        world.ports = state.ports

        # When someone asks for their data
        ann = world.person()
        export_id = world.ask(ann)

        # Then it becomes ready
        deadline = time.monotonic() + 20
        while (found := rows.find(state.read_store, ann, export_id)) is None or found.status != "ready":
            assert time.monotonic() < deadline, "the export was not built"
            time.sleep(0.05)


def test_an_event_the_tracker_cannot_read_stops_it_loudly_where_it_is(world: World) -> None:
    # Given an export's event whose data does not fit its type, after an export asked for
    ann = world.person()
    world.ask(ann)
    asked_at = world.events.head_position()
    broken = NewEvent(type="DataExportReady", data={"export_id": "e1"})
    at = world.events.append(streams.export("e1"), [broken], StreamState.ANY).position

    # When the tracker follows the log
    manager = world.manager()
    manager.tracker.follow()  # returns once it stopped

    # Then it stopped at that event, saying why, its checkpoint before it
    state = projection_state.load(world.read_store, "data_exports", following.BUILD, version=1)
    assert (state.status, state.error_position, state.position) == ("failed", at, asked_at)
    assert "DataExportReady" in str(state.error)
