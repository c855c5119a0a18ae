"""The served app (as `strom run` builds it) reports each projector's lag in /metrics."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from migrations.runner import apply_pending
from strom.serve import build_app
from strom.settings import Settings
from strom.wiring import open_read_store


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    configured = Settings(
        data_dir=tmp_path,
        eventstore_url=f"sqlite:///{tmp_path}/events.db",
        readstore_url=f"sqlite:///{tmp_path}/read.db",
        keystore_url=f"sqlite:///{tmp_path}/keys.db",
    )
    store = open_read_store(configured)
    apply_pending(store)
    store.close()
    return configured


def _lags(text: str) -> dict[str, float]:
    prefix = 'strom_projection_lag_events{projector="'
    lines = [line[len(prefix) :] for line in text.splitlines() if line.startswith(prefix)]
    return {name: float(value) for name, _, value in (line.partition('"} ') for line in lines)}


def test_metrics_report_projection_lag_that_falls_to_zero_once_projected(settings: Settings) -> None:
    app = build_app(settings, with_projectors=True)
    with TestClient(app) as client:
        response = client.post(
            "/v1/accounts",
            json={
                "handle": "ann",
                "email": "ann@example.com",
                "password": "correct horse battery",
                "display_name": "Ann",
            },
        )
        assert response.status_code == 201, response.text
        deadline = time.monotonic() + 10
        while (lags := _lags(client.get("/metrics").text)).get("profiles", 1) != 0:
            assert time.monotonic() < deadline, lags
            time.sleep(0.05)
    assert {"video_counters", "comment_threads", "profiles"} <= set(lags)
