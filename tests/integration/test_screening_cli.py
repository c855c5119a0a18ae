"""Operators manage the blocklist and replay screening through the ``strom`` command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from commands import videos as handlers
from commands.context import Ports, Request
from commands.screening import record_screening
from domain import videos
from domain.screening import SCREENER, Findings, Policy
from eventstore.codec import EventCodec
from eventstore.keystore import SQLiteKeyStore
from eventstore.sealing import Sealer
from eventstore.sqlite import SQLiteEventStore
from media.screening.blocklist import BlocklistFile
from tests.clips import clip
from tests.integration.pipeline_world import PipelineWorld


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "STROM_EVENTSTORE_URL": f"sqlite:///{tmp_path}/events.db",
        "STROM_KEYSTORE_URL": f"sqlite:///{tmp_path}/keys.db",
        "STROM_MEDIA_URL": f"file://{tmp_path}/media",
        "STROM_SCREENING_BLOCKLIST": f"{tmp_path}/screening/blocklist.txt",
        "STROM_SCREENING_WATCHED_WORDS": f"{tmp_path}/screening/words.txt",
    }


def strom(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "strom", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_a_clip_is_blocklisted_by_its_frames_listed_and_removed(tmp_path: Path, env: dict[str, str]) -> None:
    # Given
    bad = clip(tmp_path / "bad.mp4", seconds=3)
    # When
    added = strom(env, "screening", "blocklist", "add", str(bad), "--note", "case 17")
    again = strom(env, "screening", "blocklist", "add", str(bad))
    listed = strom(env, "screening", "blocklist", "list")
    first = listed.stdout.split()[0]
    removed = strom(env, "screening", "blocklist", "remove", first)
    # Then
    assert added.returncode == 0, added.stderr
    assert "8 added, 0 already there" in added.stdout
    assert "0 added, 8 already there" in again.stdout
    assert len(listed.stdout.splitlines()) == 8
    assert all(line.endswith("case 17") for line in listed.stdout.splitlines())
    assert removed.returncode == 0
    assert f"removed {first}" in removed.stdout
    assert len(BlocklistFile(tmp_path / "screening" / "blocklist.txt").entries()) == 7


def test_a_hash_that_is_no_hash_is_refused(env: dict[str, str]) -> None:
    refused = strom(env, "screening", "blocklist", "add", "not-a-hash-nor-a-file")
    assert refused.returncode == 2
    assert "16 hex digits" in refused.stderr


def test_replay_screens_past_uploads_under_the_current_blocklist(tmp_path: Path, env: dict[str, str]) -> None:
    # Given: an upload screened clean under an older policy, then its clip blocklisted
    world = PipelineWorld(tmp_path)
    source = clip(tmp_path / "source.mp4", seconds=3)
    video_id = world.uploaded(source)
    old = videos.RecordScreening(SCREENER, video_id, "up-1", Policy(), "old", Findings(nsfw_score=0.0))
    record_screening(old, ports=world.ports, request=Request(SCREENER))
    world.close()
    assert strom(env, "screening", "blocklist", "add", str(source)).returncode == 0
    # When
    replayed = strom(env, "screening", "replay")
    again = strom(env, "screening", "replay", "--since", "0")
    # Then
    assert replayed.returncode == 0, replayed.stderr
    assert "1 screened, 0 skipped" in replayed.stdout
    assert "0 screened, 1 skipped" in again.stdout
    keys, store = SQLiteKeyStore(tmp_path / "keys.db"), SQLiteEventStore(tmp_path / "events.db")
    try:
        ports = Ports(store=store, codec=EventCodec(Sealer(keys)), keys=keys)
        screened = videos.current_screening(handlers.current(ports, video_id))
        assert screened is not None
        assert screened.verdict == "blocked"
    finally:
        store.close()
        keys.close()
