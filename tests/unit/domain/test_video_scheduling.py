"""Publishing later: the owner schedules, moves or calls off a publication; the publish schedule
publishes it when due, exactly once, checked then as any publication is."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from domain.access import Visibility
from domain.actors import Actor
from domain.errors import Conflict, InvalidCommand, NotAllowed, NotFound
from domain.screening import parse_words
from domain.videos import (
    PUBLISH_SCHEDULER,
    CancelScheduledPublish,
    Event,
    PublishScheduleCancelled,
    PublishScheduled,
    PublishWhenDue,
    ScheduledPublishingFailed,
    SchedulePublish,
    VideoDeleted,
    VideoPublished,
    VideoScreened,
    decide_cancel_scheduled_publish,
    decide_publish_video,
    decide_publish_when_due,
    decide_schedule_publish,
)
from domain.videos import PublishVideo as Publish
from tests.unit.domain.test_videos import OWNER, PROCESSED, PUBLISHED, SCREENED, STRANGER, given

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
AT = NOW + timedelta(days=1)
SCHEDULED_EVENT = PublishScheduled(
    "v1", "owner", "2030-01-02T12:00:00Z", "later #cats", ["cats"], "public", True
)
SCHEDULED: list[Event] = [*SCREENED, SCHEDULED_EVENT]


def schedule(
    at: datetime = AT, caption: str = "later #cats", actor: Actor = OWNER, **changes: Any
) -> SchedulePublish:
    return dataclasses.replace(SchedulePublish(actor, "v1", at, caption), **changes)


def due(at: datetime = AT) -> PublishWhenDue:
    return PublishWhenDue(PUBLISH_SCHEDULER, "v1", at)


# -- scheduling ------------------------------------------------------------------------------------


def test_the_owner_schedules_a_processed_screened_video_with_its_details_fixed_in_utc() -> None:
    # Given a video screening let through
    state = given(*SCREENED)
    # When its owner schedules it for tomorrow, written in another time zone
    in_berlin = AT.astimezone(timezone(timedelta(hours=1)))
    events = decide_schedule_publish(state, schedule(in_berlin), now=NOW)
    # Then the schedule is recorded in UTC, to the second, with the details checked as publishing does
    assert events == [SCHEDULED_EVENT]
    assert given(*SCHEDULED).schedule is not None
    assert not given(*SCHEDULED).published


@pytest.mark.parametrize(
    ("at", "said"),
    [
        (NOW - timedelta(seconds=1), "at least a minute"),
        (NOW + timedelta(seconds=30), "at least a minute"),
        (NOW + timedelta(days=90, seconds=1), "at most 90 days"),
        (datetime(2030, 1, 2, 12, 0), "time zone"),  # naive: which noon?
        (datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5))), "at least a minute"),  # no UTC form
        (datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-5))), "at most 90 days"),
    ],
)
def test_a_time_not_ahead_enough_too_far_or_without_a_zone_is_refused(at: datetime, said: str) -> None:
    with pytest.raises(InvalidCommand, match=said):
        decide_schedule_publish(given(*SCREENED), schedule(at), now=NOW)


def test_ninety_days_ahead_exactly_is_allowed() -> None:
    events = decide_schedule_publish(given(*SCREENED), schedule(NOW + timedelta(days=90)), now=NOW)
    assert len(events) == 1


def test_only_the_owner_schedules_and_only_what_publishing_would_accept() -> None:
    # A stranger finds no video; an unprocessed, unscreened or published video cannot be scheduled
    with pytest.raises(NotFound, match=r"^video not found$"):
        decide_schedule_publish(given(*SCREENED), schedule(actor=STRANGER), now=NOW)
    with pytest.raises(Conflict, match="schedule publishing"):
        decide_schedule_publish(given(*PROCESSED[:-1]), schedule(), now=NOW)
    with pytest.raises(Conflict, match="screened"):
        decide_schedule_publish(given(*PROCESSED), schedule(), now=NOW)
    with pytest.raises(Conflict, match="already published"):
        decide_schedule_publish(given(*PUBLISHED), schedule(), now=NOW)
    blocked = VideoScreened("v1", "owner", "up1", "p1", "blocked", [], ["h1"])
    with pytest.raises(NotAllowed, match="blocked"):
        decide_schedule_publish(given(*PROCESSED, blocked), schedule(), now=NOW)


def test_a_watched_word_in_the_details_is_refused_when_scheduling() -> None:
    with pytest.raises(InvalidCommand):
        decide_schedule_publish(
            given(*SCREENED), schedule(caption="buy spamword"), now=NOW, words=parse_words(["spamword"])
        )


def test_scheduling_again_moves_it_and_the_same_schedule_again_records_nothing() -> None:
    state = given(*SCHEDULED)
    assert decide_schedule_publish(state, schedule(), now=NOW) == []
    moved = decide_schedule_publish(state, schedule(AT + timedelta(hours=2)), now=NOW)
    assert [type(e) for e in moved] == [PublishScheduled]
    assert isinstance(moved[0], PublishScheduled)
    assert moved[0].publish_at == "2030-01-02T14:00:00Z"
    changed = decide_schedule_publish(state, schedule(visibility=Visibility.FOLLOWERS), now=NOW)
    assert len(changed) == 1


def test_publishing_now_overrides_the_schedule() -> None:
    # Given a scheduled video
    state = given(*SCHEDULED)
    # When the owner publishes it at once
    events = decide_publish_video(state, Publish(OWNER, "v1", "now"))
    # Then it is published and nothing is scheduled any more
    after = given(*SCHEDULED, *events)
    assert after.published
    assert after.schedule is None


# -- calling it off --------------------------------------------------------------------------------


def test_the_owner_calls_off_a_schedule_and_calling_off_nothing_records_nothing() -> None:
    events = decide_cancel_scheduled_publish(given(*SCHEDULED), CancelScheduledPublish(OWNER, "v1"))
    assert events == [PublishScheduleCancelled("v1", "owner", "2030-01-02T12:00:00Z")]
    assert given(*SCHEDULED, *events).schedule is None
    assert decide_cancel_scheduled_publish(given(*SCREENED), CancelScheduledPublish(OWNER, "v1")) == []
    with pytest.raises(NotFound, match=r"^video not found$"):
        decide_cancel_scheduled_publish(given(*SCHEDULED), CancelScheduledPublish(STRANGER, "v1"))
    with pytest.raises(Conflict, match="unpublish"):
        decide_cancel_scheduled_publish(given(*PUBLISHED), CancelScheduledPublish(OWNER, "v1"))


# -- when it is due --------------------------------------------------------------------------------


def test_when_due_the_video_is_published_with_the_details_scheduled() -> None:
    # Given a video scheduled for AT
    state = given(*SCHEDULED)
    # When the schedule asks at AT
    events = decide_publish_when_due(state, due(), now=AT)
    # Then it is the ordinary publication, with the scheduled details
    assert events == [VideoPublished("v1", "owner", "later #cats", ["cats"], "public", True)]
    assert given(*SCHEDULED, *events).published


def test_publishing_when_due_happens_once() -> None:
    # Given the publication is recorded
    published = [*SCHEDULED, *decide_publish_when_due(given(*SCHEDULED), due(), now=AT)]
    # When the schedule asks again (a restart, a replay)
    # Then nothing more is recorded
    assert decide_publish_when_due(given(*published), due(), now=AT + timedelta(minutes=5)) == []


@pytest.mark.parametrize(
    ("history", "asked", "now"),
    [
        (SCHEDULED, AT, AT - timedelta(seconds=1)),  # not yet
        (SCHEDULED, AT - timedelta(hours=1), AT),  # moved since
        ([*SCHEDULED, PublishScheduleCancelled("v1", "owner", "2030-01-02T12:00:00Z")], AT, AT),
        ([*SCHEDULED, VideoDeleted("v1", "owner")], AT, AT),
        (SCREENED, AT, AT),  # never scheduled
    ],
    ids=["early", "moved", "called-off", "deleted", "never"],
)
def test_a_request_that_is_not_for_the_current_due_schedule_records_nothing(
    history: list[Event], asked: datetime, now: datetime
) -> None:
    assert decide_publish_when_due(given(*history), due(asked), now=now) == []


def test_only_the_publish_schedule_publishes_when_due() -> None:
    with pytest.raises(NotAllowed):
        decide_publish_when_due(given(*SCHEDULED), PublishWhenDue(OWNER, "v1", AT), now=AT)


def test_what_publishing_refuses_when_due_is_recorded_as_failed_once() -> None:
    # Given the owner was restricted meanwhile, or a watched word was added, or screening now holds it
    held = VideoScreened("v1", "owner", "up1", "p2", "held", [], [])
    cases = [
        decide_publish_when_due(given(*SCHEDULED), due(), now=AT, barred="uploads are restricted"),
        decide_publish_when_due(given(*SCHEDULED), due(), now=AT, words=parse_words(["cats"])),
        decide_publish_when_due(given(*SCHEDULED, held), due(), now=AT),
    ]
    for events in cases:
        # Then the schedule ends, failed, saying why; the video stays unpublished
        assert [type(e) for e in events] == [ScheduledPublishingFailed]
        failed = events[0]
        assert isinstance(failed, ScheduledPublishingFailed)
        assert failed.reason
        after = given(*SCHEDULED, *events)
        assert after.schedule is None
        assert not after.published
    assert "restricted" in str(cases[0][0])


def test_an_erased_owners_details_are_not_published() -> None:
    erased = dataclasses.replace(SCHEDULED_EVENT, caption=None, hashtags=[])
    events = decide_publish_when_due(given(*SCREENED, erased), due(), now=AT)
    assert [type(e) for e in events] == [ScheduledPublishingFailed]
