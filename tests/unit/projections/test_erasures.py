"""Given erasure events, then the erasure records (``read_models/erasures.py``) by erasure id."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.accounts.events import ErasureRequested
from domain.erasures import ErasureCompleted, ErasureStepCompleted
from projections.models.erasures import PROJECTOR
from read_models import erasures as model
from tests.unit.projections.world import World

ANN = "0190aaaa-bbbb-7ccc-8ddd-00000000000a"
E1 = "5b1f3c9e-0a6e-4c6b-9d7e-1f2a3b4c5d6e"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path)
    yield w
    w.close()


def test_a_requested_erasure_has_a_record_with_no_step_done(world: World) -> None:
    # Given
    world.given(ErasureRequested(ANN, ANN, E1), stream=f"user-{ANN}")
    # When
    world.project(PROJECTOR)
    # Then
    found = model.record(world.store, E1)
    assert found is not None
    assert found.requested_at is not None
    assert (found.done, found.completed_at) == ({}, None)


def test_each_step_and_the_end_are_recorded_when_they_happened_and_the_row_names_nobody(world: World) -> None:
    # Given
    world.given(ErasureRequested(ANN, ANN, E1), stream=f"user-{ANN}")
    world.given(
        ErasureStepCompleted(E1, "personal_data"),
        ErasureStepCompleted(E1, "videos"),
        ErasureCompleted(E1),
        stream=f"erasure-{E1}",
    )
    # When
    world.project(PROJECTOR)
    # Then
    found = model.record(world.store, E1)
    assert found is not None
    assert sorted(found.done) == ["personal_data", "videos"]
    assert found.completed_at is not None
    row = world.row(PROJECTOR, "erasures", erasure_id=E1)
    assert row is not None
    assert ANN not in str(row)


def test_a_replay_writes_the_same_record(world: World) -> None:
    # Given
    world.given(ErasureRequested(ANN, ANN, E1), stream=f"user-{ANN}")
    world.given(ErasureStepCompleted(E1, "personal_data"), stream=f"erasure-{E1}")
    world.project(PROJECTOR)
    before = model.record(world.store, E1)
    # When
    world.forget_checkpoint(PROJECTOR)
    world.project(PROJECTOR)
    # Then
    assert model.record(world.store, E1) == before


def test_an_erasure_recorded_before_erasures_had_ids_is_kept_under_its_events_id(world: World) -> None:
    # Given
    world.given(ErasureRequested(ANN, ANN), stream=f"user-{ANN}")
    # When
    world.project(PROJECTOR)
    # Then
    (record,) = world.events.read_stream(f"user-{ANN}")
    assert model.record(world.store, record.event_id) is not None


def test_an_unknown_erasure_has_no_record(world: World) -> None:
    world.project(PROJECTOR)
    assert model.record(world.store, E1) is None
