"""Given standing and label events, then people's standing, their notices, and videos' labels."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from domain.accounts.events import ErasureRequested
from domain.moderation.standing import (
    AccountSuspended,
    AccountUnsuspended,
    AppealDecided,
    AppealFiled,
    ContentModerated,
    RestrictionImposed,
    RestrictionLifted,
    StrikeRecorded,
    StrikeRemoved,
)
from domain.videos.events import VideoLabelled, VideoScreened, VideoUnlabelled, VideoUploadCompleted
from projections.models.moderation_standing import PROJECTOR
from read_models import moderation_standing as model
from tests.unit.projections.world import World

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
WEEK = NOW + timedelta(days=7)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path)
    yield w
    w.close()


def test_a_restriction_is_in_the_standing_until_lifted(world: World) -> None:
    # Given
    world.given(
        RestrictionImposed("bob", "a1", "comment", WEEK.isoformat(), "mod", "heated"),
        RestrictionImposed("bob", "a2", "like", WEEK.isoformat(), "mod", "bots"),
        RestrictionLifted("bob", "a2", "like", "mod", "fine"),
    )
    # When
    world.project(PROJECTOR)
    # Then
    standing = model.standing(world.store, "bob")
    assert standing is not None
    assert [(r.capability, r.until, r.action_id) for r in standing.restrictions] == [("comment", WEEK, "a1")]
    assert standing.restrictions_at(WEEK) == []


def test_a_suspension_reads_as_suspended_until_it_ends_or_is_lifted(world: World) -> None:
    world.given(AccountSuspended("bob", "s1", WEEK.isoformat(), "mod", "spam"))
    world.given(
        AccountSuspended("cy", "s2", None, "mod", "fraud"), AccountUnsuspended("cy", "s2", "admin", "ok")
    )
    world.project(PROJECTOR)
    assert model.suspended(world.store, "bob", NOW)
    assert not model.suspended(world.store, "bob", WEEK)
    assert not model.suspended(world.store, "cy", NOW)
    assert not model.suspended(world.store, "nobody", NOW)


def test_strikes_are_kept_until_removed(world: World) -> None:
    world.given(
        StrikeRecorded("bob", "k1", "mod", "spam", WEEK.isoformat()),
        StrikeRecorded("bob", "k2", "mod", "spam", WEEK.isoformat()),
        StrikeRemoved("bob", "k1", "mod2", "appeal"),
    )
    world.project(PROJECTOR)
    standing = model.standing(world.store, "bob")
    assert standing is not None
    assert standing.strikes == [("k2", WEEK)]
    assert standing.strikes_at(NOW) == 1


def test_every_action_is_a_notice_newest_first_and_appeals_show_on_it(world: World) -> None:
    # Given a removal, its appeal and the decision
    world.given(
        ContentModerated("bob", "a1", "remove_video", "video", "v1", "mod", "nudity"),
        AppealFiled("bob", "p1", "a1", "remove_video", "video", "v1", "it is art"),
        AppealDecided("bob", "p1", "a1", "mod2", True, "art"),
    )
    # When
    world.project(PROJECTOR)
    # Then
    notices, _ = model.notices(world.store, "bob", 10)
    assert [(n.kind, n.appeal) for n in notices] == [
        ("AppealDecided", "granted"),
        ("AppealFiled", "pending"),
        ("ContentModerated", "granted"),
    ]
    removal = notices[-1]
    assert (removal.action, removal.target_id, removal.reason, removal.appealable) == (
        "remove_video",
        "v1",
        "nudity",
        True,
    )


def test_a_suspension_notice_says_until_when(world: World) -> None:
    world.given(AccountSuspended("bob", "s1", WEEK.isoformat(), "mod", "spam"))
    world.project(PROJECTOR)
    (notice,), _ = model.notices(world.store, "bob", 10)
    assert (notice.action, notice.until, notice.appealable) == ("suspend", WEEK, True)


def test_labels_are_screenings_on_the_current_upload_and_moderators_over_them(world: World) -> None:
    # Given screening labels, a moderator's label and a moderator taking one of screening's off
    world.given(
        VideoUploadCompleted("v1", "bob", "up1", 1, 1, 1, 1),
        VideoScreened("v1", "bob", "up1", "p1", "labelled", ["nudity", "sensitive"], []),
        VideoLabelled("v1", "bob", ["graphic"], "mod", "gore"),
        VideoUnlabelled("v1", "bob", ["nudity"], "mod", "a statue"),
    )
    world.project(PROJECTOR)
    assert model.labels_of(world.store, "v1") == ["graphic", "sensitive"]
    # When a new upload replaces the screened one
    world.given(VideoUploadCompleted("v1", "bob", "up2", 1, 1, 1, 1))
    world.project(PROJECTOR)
    # Then screening's labels wait for its verdict on the new upload; the moderator's stay
    assert model.labels_for(world.store, ["v1", "v2"]) == {"v1": ["graphic"], "v2": []}


def test_an_erasure_drops_the_persons_standing_and_notices_and_withholds_what_they_made(world: World) -> None:
    # Given a suspended person, and one with a strike
    world.given(AccountSuspended("bob", "s1", None, "mod", "fraud"))
    world.given(StrikeRecorded("cy", "k1", "mod", "spam", WEEK.isoformat()))
    world.project(PROJECTOR)
    # When both are erased, and a moderator's action on one lands after it
    world.given(ErasureRequested("bob", "bob"), ErasureRequested("cy", "cy"))
    world.given(StrikeRecorded("cy", "k2", "mod", "spam", WEEK.isoformat()))
    world.project(PROJECTOR)
    # Then each row says erased and nothing more, no notice is left, and what they made is withheld
    for person in ("bob", "cy"):
        found = model.standing(world.store, person)
        assert found is not None
        assert (found.erased, found.suspended, found.restrictions, found.strikes) == (True, False, [], [])
        assert model.notices(world.store, person, 10) == ([], None)
    assert model.withheld_among(world.store, ["bob", "cy", "dan"], NOW) == {"bob", "cy"}
    assert not model.suspended(world.store, "cy", NOW)


def test_a_replay_writes_the_same_rows(world: World) -> None:
    world.given(
        RestrictionImposed("bob", "a1", "comment", WEEK.isoformat(), "mod", "heated"),
        StrikeRecorded("bob", "k1", "mod", "spam", WEEK.isoformat()),
    )
    world.project(PROJECTOR)
    before = (model.standing(world.store, "bob"), model.notices(world.store, "bob", 10))
    world.forget_checkpoint(PROJECTOR)
    world.project(PROJECTOR)
    assert (model.standing(world.store, "bob"), model.notices(world.store, "bob", 10)) == before
