"""Given reports, actions, screening verdicts and appeals, then the monthly transparency report: its
counts exact under replay, and the median time to action bucketed within its stated bound."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from domain.engagement.comments import CommentHeld
from domain.events import DomainEvent
from domain.moderation.cases import CaseDismissed, CaseResolved
from domain.moderation.standing import AppealDecided, AppealFiled, ContentModerated, StrikeRecorded
from domain.reports import ReportFiled
from domain.videos.events import VideoScreened
from eventstore.envelope import Metadata, StreamState
from projections.models.transparency import PROJECTOR
from read_models import transparency as model
from tests.unit.projections.world import World

MARCH = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
APRIL = datetime(2026, 4, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(params=[1, 3], ids=["one runner", "three partitions"])
def world(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[World]:
    """Every scenario projected by one runner, and by three partitions one after another."""
    w = World(tmp_path, parts=request.param)
    yield w
    w.close()


def at(world: World, when: datetime, *events: DomainEvent) -> None:
    meta = Metadata(occurred_at=when.isoformat())
    world.events.append("test-1", [world.codec.encode(e, meta) for e in events], StreamState.ANY)


def report(reporter: str, target: str, reason: str = "spam") -> ReportFiled:
    return ReportFiled(f"r-{reporter}-{target}", reporter, "video", target, "bob", reason)


def resolved(target: str, action_id: str = "a1") -> CaseResolved:
    return CaseResolved(f"video-{target}", "mod", action_id, "remove_video", "bob", "spam")


def removed(target: str, action_id: str = "a1") -> ContentModerated:
    return ContentModerated("bob", action_id, "remove_video", "video", target, "mod", "spam")


def test_a_month_counts_reports_actions_and_appeals_by_kind(world: World) -> None:
    # Given a month of reports by people and by screening, actions and appeals
    at(world, MARCH, report("ann", "v1"), report("cy", "v1", "nudity"), report("system:screening", "v2"))
    at(world, MARCH, VideoScreened("v2", "bob", "u1", "p1", "held", [], [], 0.9))
    at(world, MARCH, CommentHeld("c1", "v1", "ann", "hm"))
    at(world, MARCH, removed("v1"), StrikeRecorded("bob", "s1", "mod", "spam", APRIL.isoformat()))
    at(world, MARCH, AppealFiled("bob", "ap1", "a1", "remove_video", "video", "v1", "no"))
    at(world, MARCH, AppealDecided("bob", "ap1", "a1", "mod2", False, "stands"))
    at(world, APRIL, report("dee", "v3"))
    # When
    world.project(PROJECTOR)
    # Then March reads as it happened
    march = model.month(world.store, "2026-03")
    assert march.reports == {"nudity": 1, "spam": 2}
    assert march.reports_by == {"automatic": 1, "manual": 2}
    assert march.actions == {"hold_comment": 1, "hold_video": 1, "remove_video": 1, "strike": 1}
    assert march.actions_by == {"automatic": 2, "manual": 2}
    assert march.appeals == {"filed": 1, "granted": 0, "denied": 1}
    # And April only its own; the latest months come newest first
    assert model.month(world.store, "2026-04").reports == {"spam": 1}
    assert model.latest_months(world.store, 12) == ["2026-04", "2026-03"]
    # And a month with nothing reads as zeros
    empty = model.month(world.store, "2025-01")
    assert (empty.reports, empty.actions_by, empty.median_time_to_action) == (
        {},
        {"automatic": 0, "manual": 0},
        None,
    )


def test_the_time_to_action_runs_from_the_first_report_to_the_resolution(world: World) -> None:
    # Given three cases resolved after 10 minutes, 1 hour and 5 hours, and one dismissed
    for target, waited in (("v1", 600), ("v2", 3600), ("v3", 18000)):
        at(world, MARCH, report("ann", target))
        at(world, MARCH + timedelta(seconds=60), report("cy", target))  # a later report moves nothing
        at(world, MARCH + timedelta(seconds=waited), resolved(target))
    at(world, MARCH, report("ann", "v4"))
    at(world, MARCH + timedelta(days=2), CaseDismissed("video-v4", "mod", "fine"))
    # When
    world.project(PROJECTOR)
    # Then the median is the hour's, within the bucket's bound, and names its bucket
    median = model.month(world.store, "2026-03").median_time_to_action
    assert median is not None
    assert median.of == 3
    assert median.low_s <= 3600 < median.high_s
    assert abs(median.seconds - 3600) / 3600 <= 2 ** (1 / 16) - 1


def test_a_case_reported_again_after_it_closed_waits_from_its_new_first_report(world: World) -> None:
    at(world, MARCH, report("ann", "v1"))
    at(world, MARCH + timedelta(seconds=100), resolved("v1"))
    at(world, MARCH + timedelta(days=1), report("cy", "v1"))
    at(world, MARCH + timedelta(days=1, seconds=100), resolved("v1", "a2"))
    world.project(PROJECTOR)
    median = model.month(world.store, "2026-03").median_time_to_action
    assert median is not None
    assert (median.of, median.low_s <= 100 < median.high_s) == (2, True)


def test_replaying_the_log_counts_nothing_twice(world: World) -> None:
    # Given a projected month
    at(world, MARCH, report("ann", "v1"), removed("v1"))
    at(world, MARCH + timedelta(minutes=5), resolved("v1"))
    world.project(PROJECTOR)
    before = model.month(world.store, "2026-03")
    # When the checkpoint is lost and everything comes again
    world.forget_checkpoint(PROJECTOR)
    world.project(PROJECTOR)
    # Then
    assert model.month(world.store, "2026-03") == before
    assert before.reports == {"spam": 1}
    assert before.actions == {"remove_video": 1}


@pytest.mark.parametrize("seconds", [0.2, 1, 59, 3600, 86400 * 3, 86400 * 90])
def test_a_bucket_holds_its_duration_within_the_stated_bound(seconds: float) -> None:
    bucket = model.bucket_of(timedelta(seconds=seconds))
    low, high = model.bucket_bounds(bucket)
    assert low <= seconds < high
    if bucket:
        assert math.isclose(high / low, 2 ** (1 / model.STEPS))
        assert abs(model.bucket_value(bucket) - seconds) / seconds <= 2 ** (1 / 16) - 1 + 1e-9


def test_an_even_count_averages_the_two_middle_buckets() -> None:
    one, two = model.bucket_of(timedelta(seconds=10)), model.bucket_of(timedelta(seconds=1000))
    median = model.median_of({one: 1, two: 1})
    assert median is not None
    assert median.seconds == pytest.approx((model.bucket_value(one) + model.bucket_value(two)) / 2)
    assert (median.low_s, median.high_s) == (model.bucket_bounds(one)[0], model.bucket_bounds(two)[1])
