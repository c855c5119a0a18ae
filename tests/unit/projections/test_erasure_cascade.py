"""Given events, the erasure cascade gives the commands an erasure needs, in order, once: on a real
log and read store, with the write side a recording fake."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from domain import erasures
from domain.accounts.events import ErasureRequested
from domain.decider import fold
from domain.erasures import STEPS, ErasureCompleted, ErasureStepCompleted, Step
from domain.errors import Conflict
from domain.videos.events import VideoDeleted, VideoDraftCreated
from projections.erasure_cascade import ErasureCascade
from projections.media_cleanup import NAME as MEDIA_CLEANUP
from read_models import media_by_owner, projection_state
from tests.unit.projections.world import World

ANN, BOB = "0190aaaa-bbbb-7ccc-8ddd-00000000000a", "0190aaaa-bbbb-7ccc-8ddd-00000000000b"
V1, V2, V3 = (f"0190aaaa-bbbb-7ccc-8ddd-00000000000{n}" for n in (1, 2, 3))
E1 = "5b1f3c9e-0a6e-4c6b-9d7e-1f2a3b4c5d6e"
CLAIMS = ["handle-k1", "email-k2"]


class Commands:
    """Records what the cascade asks for; the erasure records as the domain would fold them."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, ...]] = []
        self.records: dict[str, erasures.State] = {}
        self.on_record: list[str] = ["handle-legacy"]
        self.refuse: Exception | None = None
        self.recorded_at = 0
        self.erased: set[str] = set()

    def record(self, erasure_id: str) -> tuple[erasures.State, int]:
        return self.state(erasure_id), self.recorded_at

    def state(self, erasure_id: str) -> erasures.State:
        return self.records.get(erasure_id, erasures.initial)

    def complete_step(self, erasure_id: str, step: Step) -> int:
        if self.refuse is not None:
            raise self.refuse
        self.asked.append(("step", erasure_id, step.value))
        self._fold(erasure_id, ErasureStepCompleted(erasure_id, step.value))
        return 0

    def complete(self, erasure_id: str) -> None:
        self.asked.append(("complete", erasure_id))
        self._fold(erasure_id, ErasureCompleted(erasure_id))

    def erase_key(self, user_id: str) -> None:
        self.asked.append(("erase_key", user_id))

    def owner_erased(self, user_id: str) -> bool:
        return user_id in self.erased

    def delete_video(self, video_id: str) -> int:
        self.asked.append(("delete", video_id))
        return 0

    def claims_on_record(self, user_id: str) -> list[str]:
        self.asked.append(("claims_on_record", user_id))
        return self.on_record

    def release_claim(self, stream: str, user_id: str) -> int:
        self.asked.append(("release", stream, user_id))
        return 0

    def _fold(self, erasure_id: str, event: erasures.Event) -> None:
        self.records[erasure_id] = fold(erasures.evolve, self.state(erasure_id), [event])


class Cascade:
    def __init__(self, tmp: Path) -> None:
        self.world = World(tmp)
        self.commands = Commands()
        self.views = 10**9  # every projector far ahead, unless a test says otherwise
        self.pm = ErasureCascade(
            events=self.world.events,
            codec=self.world.codec,
            store=self.world.store,
            commands=self.commands,
            views_reached=lambda: self.views,
        )

    def media_cleaned_to_head(self) -> None:
        head = self.world.events.head_position()
        state = projection_state.ProjectionState(MEDIA_CLEANUP, "v1", version=1, position=head)
        projection_state.save(self.world.store, state)

    def run(self) -> None:
        self.media_cleaned_to_head()
        self.pm.run(until=self.world.events.head_position())


@pytest.fixture
def cascade(tmp_path: Path) -> Iterator[Cascade]:
    c = Cascade(tmp_path)
    yield c
    c.world.close()


def anns_videos(cascade: Cascade) -> None:
    w = cascade.world
    w.given(VideoDraftCreated(V1, ANN), stream=f"video-{V1}")
    w.given(VideoDraftCreated(V2, ANN), VideoDeleted(V2, ANN), stream=f"video-{V2}")
    w.given(VideoDraftCreated(V3, BOB), stream=f"video-{V3}")


def every_step(erasure_id: str) -> list[tuple[str, ...]]:
    return [("step", erasure_id, s.value) for s in STEPS]


def test_an_erasure_erases_the_key_deletes_the_videos_left_releases_the_claims_then_completes(
    cascade: Cascade,
) -> None:
    # Given
    anns_videos(cascade)
    cascade.world.given(ErasureRequested(ANN, ANN, E1, CLAIMS), stream=f"user-{ANN}")
    # When
    cascade.run()
    # Then
    steps = iter(every_step(E1))
    assert cascade.commands.asked == [
        ("erase_key", ANN),
        next(steps),
        ("delete", V1),
        next(steps),
        ("release", "handle-k1", ANN),
        ("release", "email-k2", ANN),
        next(steps),
        next(steps),
        next(steps),
        ("complete", E1),
    ]


def test_a_replay_of_a_completed_erasure_asks_for_nothing(cascade: Cascade) -> None:
    # Given
    anns_videos(cascade)
    cascade.world.given(ErasureRequested(ANN, ANN, E1, CLAIMS), stream=f"user-{ANN}")
    cascade.run()
    cascade.commands.asked.clear()
    # When the checkpoint is lost and the log replays
    projection_state.save(
        cascade.world.store, projection_state.ProjectionState("erasure_cascade", "v1", version=1, position=0)
    )
    cascade.run()
    # Then
    assert cascade.commands.asked == []


def test_a_cascade_restarted_part_way_takes_only_the_steps_not_recorded(cascade: Cascade) -> None:
    # Given an erasure whose first two steps were recorded before a crash
    anns_videos(cascade)
    cascade.world.given(ErasureRequested(ANN, ANN, E1, CLAIMS), stream=f"user-{ANN}")
    done = [ErasureStepCompleted(E1, Step.PERSONAL_DATA.value), ErasureStepCompleted(E1, Step.VIDEOS.value)]
    cascade.commands.records[E1] = fold(erasures.evolve, erasures.initial, done)
    # When
    cascade.run()
    # Then
    assert [a[0] for a in cascade.commands.asked] == [
        "release",
        "release",
        "step",
        "step",
        "step",
        "complete",
    ]


def test_an_erasure_recorded_before_erasures_named_claims_releases_what_can_still_be_told(
    cascade: Cascade,
) -> None:
    # Given
    cascade.world.given(ErasureRequested(ANN, ANN), stream=f"user-{ANN}")
    (record,) = cascade.world.events.read_stream(f"user-{ANN}")
    # When
    cascade.run()
    # Then: its record is named after its event
    assert ("claims_on_record", ANN) in cascade.commands.asked
    assert ("release", "handle-legacy", ANN) in cascade.commands.asked
    assert cascade.commands.asked[-1] == ("complete", record.event_id)


def test_the_media_step_waits_until_the_media_cleanup_removed_the_persons_media(cascade: Cascade) -> None:
    # Given media of ann's video the cleanup has not removed yet
    cascade.world.given(ErasureRequested(ANN, ANN, E1, []), stream=f"user-{ANN}")
    media_by_owner.drafted(cascade.world.store, ANN, V1, position=1)
    cascade.media_cleaned_to_head()
    # When the cascade runs
    runner = threading.Thread(target=cascade.pm.run, kwargs={"until": cascade.world.events.head_position()})
    runner.start()
    runner.join(timeout=0.5)
    # Then it has not passed the media step
    assert runner.is_alive()
    assert ("step", E1, "media") not in cascade.commands.asked
    # Until the media is gone
    media_by_owner.removed(cascade.world.store, ANN, V1, position=2)
    runner.join(timeout=10)
    assert not runner.is_alive()
    assert cascade.commands.asked[-1] == ("complete", E1)


def test_the_views_step_waits_until_every_projector_passed_the_cascade(cascade: Cascade) -> None:
    # Given projectors behind the erasure
    cascade.world.given(ErasureRequested(ANN, ANN, E1, []), stream=f"user-{ANN}")
    cascade.views = 0
    cascade.media_cleaned_to_head()
    runner = threading.Thread(target=cascade.pm.run, kwargs={"until": cascade.world.events.head_position()})
    # When
    runner.start()
    runner.join(timeout=0.5)
    # Then
    assert ("step", E1, "media") in cascade.commands.asked
    assert ("step", E1, "views") not in cascade.commands.asked
    cascade.views = cascade.world.events.head_position()
    runner.join(timeout=10)
    assert cascade.commands.asked[-1] == ("complete", E1)


def test_a_command_the_domain_refuses_stops_the_cascade_before_the_event(cascade: Cascade) -> None:
    # Given
    cascade.world.given(ErasureRequested(ANN, ANN, E1, []), stream=f"user-{ANN}")
    cascade.commands.refuse = Conflict("a bug")
    # When / Then
    with pytest.raises(Conflict):
        cascade.run()
    assert projection_state.load(cascade.world.store, "erasure_cascade", "v1", version=1).position == 0


def test_a_person_without_videos_or_claims_is_erased_all_the_same(cascade: Cascade) -> None:
    cascade.world.given(ErasureRequested(BOB, BOB, E1, []), stream=f"user-{BOB}")
    cascade.run()
    assert [a for a in cascade.commands.asked if a[0] == "step"] == every_step(E1)


def test_a_cascade_restarted_before_the_views_step_waits_for_what_the_steps_before_appended(
    cascade: Cascade,
) -> None:
    # Given every step but the last recorded, the record's last event far after the request
    cascade.world.given(ErasureRequested(ANN, ANN, E1, []), stream=f"user-{ANN}")
    done = [ErasureStepCompleted(E1, s.value) for s in STEPS[:-1]]
    cascade.commands.records[E1] = fold(erasures.evolve, erasures.initial, done)
    cascade.commands.recorded_at = 1_000
    cascade.views = 999
    cascade.media_cleaned_to_head()
    runner = threading.Thread(target=cascade.pm.run, kwargs={"until": cascade.world.events.head_position()})
    # When
    runner.start()
    runner.join(timeout=0.5)
    # Then the projectors must pass the record, not only the request
    assert ("step", E1, "views") not in cascade.commands.asked
    cascade.views = 1_000
    runner.join(timeout=10)
    assert cascade.commands.asked[-1] == ("complete", E1)


def test_a_draft_that_lands_after_its_owners_erasure_is_deleted_as_it_is_seen(cascade: Cascade) -> None:
    # Given ann's completed erasure, then a draft of hers from a request already in flight
    cascade.world.given(ErasureRequested(ANN, ANN, E1, []), stream=f"user-{ANN}")
    cascade.run()
    cascade.commands.erased.add(ANN)
    cascade.commands.asked.clear()
    cascade.world.given(VideoDraftCreated(V1, ANN), stream=f"video-{V1}")
    cascade.world.given(VideoDraftCreated(V3, BOB), stream=f"video-{V3}")
    # When
    cascade.run()
    # Then hers is deleted, bob's is left alone
    assert cascade.commands.asked == [("delete", V1)]
