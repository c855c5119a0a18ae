"""Operators see the process managers (``transcode_requests``, ``media_cleanup``) as they see the
projectors: their checkpoint and lag in ``strom projections status`` and in ``/metrics``."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.state import AppState
from commands import videos as handlers
from commands.context import Request
from domain import videos
from domain.actors import Actor
from eventstore.ids import uuid7
from migrations.runner import apply_pending
from projections import process_managers, registry
from read_models import live, projection_state
from read_models.port import ReadStore
from services.leases import MANAGERS, Lease
from strom import pipeline, project_cli
from strom.cli import app
from strom.ports import ports_for
from strom.serve import build_app
from strom.settings import Settings
from strom.wiring import open_event_store, open_key_store, open_read_store
from tests.integration.pipeline_world import PipelineWorld

STORES = (("EVENTSTORE", "events.db"), ("READSTORE", "read.db"), ("KEYSTORE", "keys.db"))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    configured = Settings(
        data_dir=tmp_path,
        eventstore_url=f"sqlite:///{tmp_path}/events.db",
        readstore_url=f"sqlite:///{tmp_path}/read.db",
        keystore_url=f"sqlite:///{tmp_path}/keys.db",
        media_url=f"file://{tmp_path}/media",
        uploads_dir=tmp_path / "uploads",
    )
    store = open_read_store(configured)
    apply_pending(store)
    store.close()
    return configured


@pytest.fixture
def world(tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[PipelineWorld]:
    """A write side on the files ``strom`` opens through its settings."""
    for name, file in STORES:
        monkeypatch.setenv(f"STROM_{name}_URL", f"sqlite:///{tmp_path / file}")
    monkeypatch.setenv("STROM_DATA_DIR", str(tmp_path))
    w = PipelineWorld(tmp_path)
    yield w
    w.close()


def draft_and_delete(world: PipelineWorld) -> None:
    video_id, request = str(uuid7()), Request(world.owner)
    handlers.create_draft(videos.CreateDraft(world.owner, video_id), ports=world.ports, request=request)
    handlers.delete_video(videos.DeleteVideo(world.owner, video_id), ports=world.ports, request=request)


def test_status_shows_each_process_manager_its_checkpoint_and_lag(
    world: PipelineWorld, settings: Settings
) -> None:
    # Given a media cleanup that caught up with the log, and a transcode process manager never run
    draft_and_delete(world)
    store = open_read_store(settings)
    cleanup = pipeline.media_cleanup(world.storage, events=world.store, codec=world.ports.codec, store=store)
    head = cleanup.run(until=world.store.head_position())
    store.close()
    draft_and_delete(world)  # two events it has not seen

    # When
    result = CliRunner().invoke(app, ["projections", "status"])

    # Then both are listed, marked as process managers, with checkpoint and lag
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line.split() for line in result.stdout.splitlines()}
    assert lines["media_cleanup"][:4] == ["media_cleanup", "v1", str(head), "2"]
    assert lines["media_cleanup"][-3:] == ["running", "(process", "manager)"]
    assert lines["transcode_requests"] == [
        "transcode_requests", "-", "0", str(head + 2), "-", "never", "run", "(process", "manager)"
    ]  # fmt: skip
    assert "process managers run by nobody (no process holds their lease)" in result.stdout


def test_status_names_the_process_that_holds_the_process_managers_lease(
    world: PipelineWorld, settings: Settings
) -> None:
    # Given a process holding the process managers' lease
    store = open_read_store(settings)
    try:
        assert Lease(store, MANAGERS, 30, holder="managers-7f9c:412:3be1").take() is True
    finally:
        store.close()
    # When
    result = CliRunner().invoke(app, ["projections", "status"])
    # Then operators see which process runs them
    assert result.exit_code == 0, result.output
    assert "process managers run by managers-7f9c:412:3be1" in result.stdout


def gauges(text: str, metric: str) -> dict[str, float]:
    prefix = f'{metric}{{projector="'
    lines = [line[len(prefix) :] for line in text.splitlines() if line.startswith(prefix)]
    return {name: float(value) for name, _, value in (line.partition('"} ') for line in lines)}


def test_metrics_report_each_process_managers_checkpoint_and_lag(settings: Settings) -> None:
    # Given the app as `strom run` builds it, its process managers running
    with TestClient(build_app(settings, with_projectors=True)) as client:
        state: AppState = client.app.state.strom  # type: ignore[attr-defined]
        owner, video_id = Actor(str(uuid7())), str(uuid7())

        # When events they watch are appended
        handlers.create_draft(videos.CreateDraft(owner, video_id), ports=state.ports, request=Request(owner))
        head = state.ports.store.head_position()

        # Then each one's lag falls to zero, and its checkpoint reaches the head
        managers = ("transcode_requests", "media_cleanup")
        deadline = time.monotonic() + 10
        while True:
            text = client.get("/metrics").text
            lags, checkpoints = (
                gauges(text, "strom_projection_lag_events"),
                gauges(text, "strom_projection_checkpoint"),
            )
            if all(lags.get(m) == 0 and checkpoints.get(m, 0) >= head for m in managers):
                break
            assert time.monotonic() < deadline, (lags, checkpoints)
            time.sleep(0.05)
    assert "profiles" in checkpoints  # the projectors are reported beside them


def test_strom_project_gives_its_process_managers_the_projectors_read_store(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the read store the projectors of `strom project` use, and a count of stores opened
    opened: list[Settings] = []

    def counted(given: Settings) -> ReadStore:
        opened.append(given)
        return open_read_store(given)

    monkeypatch.setattr(project_cli, "open_read_store", counted)
    events, keys, store = open_event_store(settings), open_key_store(settings), open_read_store(settings)
    try:
        # When its process managers are made
        managers = project_cli._process_managers(settings, ports_for(settings, events, keys), store)
        # Then they share that store: on Cassandra each store opened is a session of its own
        assert len(managers) == 4  # the broker is memory://: no job-asking managers
        assert opened == []
    finally:
        store.close()
        events.close()
        keys.close()


def test_each_process_manager_says_whether_its_threads_still_run(settings: Settings) -> None:
    """What the lease waits on before it starts a fresh copy (``services.leases``), on the real ones."""
    events, keys, store = open_event_store(settings), open_key_store(settings), open_read_store(settings)
    try:
        managers = project_cli._process_managers(settings, ports_for(settings, events, keys), store)
        assert not any(m.alive for m in managers)  # never started
        for manager in managers:
            manager.start()
        assert all(m.alive for m in managers)
        for manager in managers:
            manager.stop()
        assert not any(m.alive for m in managers)
    finally:
        store.close()
        events.close()
        keys.close()


# -- where they run --------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
#: The process managers that run with a ``memory://`` broker, each writing a checkpoint once caught up.
UNBROKERED = ("media_cleanup", "data_exports", "erasure_cascade", "publish_schedule")


@contextlib.contextmanager
def strom(words: list[str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``strom <words>`` in a process of its own on the test's stores, stopped as a deployment stops
    it (SIGTERM), which it must survive cleanly."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "strom", *words], cwd=ROOT, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        yield process
    finally:
        process.terminate()
        code = process.wait(30)
    assert code == 0, log.read_text()


def wait_until(reached: Callable[[], bool], process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while not reached():
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.1)


def projector_checkpoints(store: ReadStore) -> list[int]:
    builds = [(p.name, live.live_build(store, p.name)) for p in registry.ALL]
    return [0 if b is None else projection_state.checkpoint_of(store, n, b.label) for n, b in builds]


def manager_checkpoints(store: ReadStore) -> list[int]:
    found = process_managers.checkpoints(store)
    return [found[name] for name in UNBROKERED]


def test_process_managers_run_in_strom_manage_and_not_beside_projectors_told_no_managers(
    world: PipelineWorld, settings: Settings, tmp_path: Path
) -> None:
    # Given a log the projectors and every process manager would read past
    draft_and_delete(world)
    head = world.store.head_position()
    store = open_read_store(settings)
    try:
        # When `strom project --no-managers` catches up with it
        log = tmp_path / "project.log"
        with strom(["project", "--no-managers"], log) as process:
            wait_until(lambda: min(projector_checkpoints(store)) >= head, process, log)
        # Then no process manager ran beside the projectors
        assert set(process_managers.checkpoints(store).values()) == {0}

        # When `strom manage` runs
        log = tmp_path / "manage.log"
        with strom(["manage"], log) as process:
            # Then each process manager catches up with the log there
            wait_until(lambda: min(manager_checkpoints(store)) >= head, process, log)
    finally:
        store.close()


def test_a_second_strom_manage_stands_by_and_takes_over_when_the_first_is_killed(
    world: PipelineWorld, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given `strom manage` running the process managers, with a lease of a few seconds
    monkeypatch.setenv("STROM_MANAGERS_LEASE_S", "3")
    draft_and_delete(world)
    store = open_read_store(settings)
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    with first_log.open("wb") as output:
        first = subprocess.Popen(
            [sys.executable, "-m", "strom", "manage"], cwd=ROOT, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        head = world.store.head_position()
        wait_until(lambda: min(manager_checkpoints(store)) >= head, first, first_log)
        assert "holding the process managers' lease" in first_log.read_text()
        # When a second `strom manage` starts beside it
        with strom(["manage"], second_log) as second:
            # Then it stands by, running none of them
            wait_until(lambda: "standing by" in second_log.read_text(), second, second_log)
            assert "holding" not in second_log.read_text()
            # When the first is killed outright, and the log grows
            first.kill()
            first.wait(30)
            draft_and_delete(world)
            head = world.store.head_position()
            # Then the second takes the lease over, and its process managers catch up with the log
            wait_until(lambda: min(manager_checkpoints(store)) >= head, second, second_log)
            assert "holding the process managers' lease" in second_log.read_text()
    finally:
        if first.poll() is None:
            first.kill()
            first.wait(30)
        store.close()
