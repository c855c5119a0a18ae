"""A data export after it was asked for (``export-<id>``): ready once, failed, expired after its
lifetime, abandoned when its holder is erased; and which events an export holds at all."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from domain.accounts.export_scope import owner_in, people_of
from domain.accounts.exports import (
    EXPORTER,
    AbandonExport,
    AbandonReason,
    DataExportAbandoned,
    DataExportExpired,
    DataExportFailed,
    DataExportReady,
    Event,
    ExpireExport,
    RecordExportFailed,
    RecordExportReady,
    State,
    Status,
    decide_abandon,
    decide_expire,
    decide_record_failed,
    decide_record_ready,
    evolve,
    initial,
)
from domain.actors import Actor, Role
from domain.decider import fold
from domain.errors import Conflict, InvalidCommand, NotAllowed
from domain.events import event_from_data

READY_AT = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
EXPIRES_AT = READY_AT + timedelta(days=7)
SHA = "ab" * 32
KEY = "exports/ann/e1.zip"
READY = DataExportReady("e1", "ann", KEY, 1234, SHA, READY_AT.isoformat(), EXPIRES_AT.isoformat())


def given(*events: Event) -> State:
    return fold(evolve, initial, events)


def ready(**changes: object) -> RecordExportReady:
    fields: dict[str, object] = {
        "actor": EXPORTER,
        "export_id": "e1",
        "user_id": "ann",
        "object_key": KEY,
        "size_bytes": 1234,
        "sha256": SHA,
        "ready_at": READY_AT,
        "expires_at": EXPIRES_AT,
    }
    return RecordExportReady(**{**fields, **changes})  # type: ignore[arg-type]


def expire(now: datetime) -> ExpireExport:
    return ExpireExport(EXPORTER, "e1", "ann", now)


ABANDON = AbandonExport(EXPORTER, "e1", "ann", AbandonReason.ERASED)


# -- ready -----------------------------------------------------------------------------------------


def test_a_pending_export_becomes_ready_with_its_archive() -> None:
    # Given an export just asked for
    state = given()
    # When the exporter records its archive
    events = decide_record_ready(state, ready())
    # Then
    assert events == [READY]
    after = fold(evolve, state, events)
    assert (after.status, after.object_key, after.expires_at) == (Status.READY, KEY, EXPIRES_AT)


@pytest.mark.parametrize(
    "before",
    [(READY,), (DataExportFailed("e1", "ann", "x"),), (READY, DataExportExpired("e1", "ann", "t"))],
    ids=["ready", "failed", "expired"],
)
def test_an_export_is_never_ready_twice(before: tuple[Event, ...]) -> None:
    # Given an export settled already; When a second archive is announced; Then it is refused
    with pytest.raises(Conflict):
        decide_record_ready(given(*before), ready(sha256="cd" * 32))


@pytest.mark.parametrize(
    "changes",
    [
        {"sha256": "not-hex"},
        {"size_bytes": -1},
        {"object_key": ""},
        {"expires_at": READY_AT},
        {"ready_at": READY_AT.replace(tzinfo=None)},
        {"user_id": ""},
    ],
)
def test_a_ready_export_needs_a_whole_description_of_its_archive(changes: dict[str, object]) -> None:
    with pytest.raises(InvalidCommand):
        decide_record_ready(given(), ready(**changes))


def test_only_the_exporter_records_what_happens_to_an_export() -> None:
    for actor in (Actor("ann"), Actor("root", Role.ADMIN)):
        with pytest.raises(NotAllowed):
            decide_record_ready(given(), ready(actor=actor))


def test_an_export_belongs_to_the_one_account_that_asked() -> None:
    # Given ann's ready export; When it is expired as bob's; Then it is refused
    with pytest.raises(InvalidCommand):
        decide_expire(given(READY), ExpireExport(EXPORTER, "e1", "bob", EXPIRES_AT))


# -- failed ----------------------------------------------------------------------------------------


def test_a_pending_export_may_fail_once_and_says_why() -> None:
    # Given
    state = given()
    # When
    events = decide_record_failed(state, RecordExportFailed(EXPORTER, "e1", "ann", "  storage\naway "))
    # Then the reason is one line, and failing again records nothing
    assert events == [DataExportFailed("e1", "ann", "storage away")]
    assert (
        decide_record_failed(fold(evolve, state, events), RecordExportFailed(EXPORTER, "e1", "ann", "x"))
        == []
    )


def test_a_ready_export_does_not_fail() -> None:
    with pytest.raises(Conflict):
        decide_record_failed(given(READY), RecordExportFailed(EXPORTER, "e1", "ann", "late"))


# -- expired ---------------------------------------------------------------------------------------


def test_a_ready_export_expires_once_its_lifetime_has_passed() -> None:
    # Given a ready export; When its time is up
    events = decide_expire(given(READY), expire(EXPIRES_AT))
    # Then it expires, once
    assert events == [DataExportExpired("e1", "ann", EXPIRES_AT.isoformat())]
    assert decide_expire(given(READY, *events), expire(EXPIRES_AT + timedelta(hours=1))) == []


def test_an_export_does_not_expire_early() -> None:
    with pytest.raises(Conflict):
        decide_expire(given(READY), expire(EXPIRES_AT - timedelta(seconds=1)))


@pytest.mark.parametrize("before", [(), (DataExportFailed("e1", "ann", "x"),)], ids=["pending", "failed"])
def test_only_a_ready_export_expires(before: tuple[Event, ...]) -> None:
    with pytest.raises(Conflict):
        decide_expire(given(*before), expire(EXPIRES_AT))


# -- abandoned -------------------------------------------------------------------------------------


@pytest.mark.parametrize("before", [(), (READY,)], ids=["pending", "ready"])
def test_an_erased_holders_pending_or_ready_export_is_abandoned(before: tuple[Event, ...]) -> None:
    # Given; When the holder is erased; Then
    events = decide_abandon(given(*before), ABANDON)
    assert events == [DataExportAbandoned("e1", "ann", AbandonReason.ERASED.value)]
    assert fold(evolve, given(*before), events).status is Status.ABANDONED


@pytest.mark.parametrize(
    "before",
    [
        (DataExportFailed("e1", "ann", "x"),),
        (READY, DataExportExpired("e1", "ann", "t")),
        (DataExportAbandoned("e1", "ann", "the account was erased"),),
    ],
    ids=["failed", "expired", "abandoned"],
)
def test_an_export_without_an_archive_left_has_nothing_to_abandon(before: tuple[Event, ...]) -> None:
    assert decide_abandon(given(*before), ABANDON) == []


def test_an_abandoned_export_is_never_ready() -> None:
    with pytest.raises(Conflict):
        decide_record_ready(given(DataExportAbandoned("e1", "ann", "the account was erased")), ready())


def test_export_events_survive_their_storage_format() -> None:
    for event in (READY, DataExportFailed("e1", "ann", "x"), DataExportExpired("e1", "ann", "t")):
        data = json.loads(json.dumps(event.to_data()))
        assert event_from_data(event.event_type, data) == event


# -- whose an event is -----------------------------------------------------------------------------


def test_an_event_belongs_to_its_streams_person_its_actor_and_its_subject() -> None:
    # Given a video of ann's hidden by a moderator
    hidden = {"video_id": "v1", "owner_id": "ann", "moderator_id": "mod", "reason": "spam"}
    # Then it is ann's and the moderator's, not anyone else's
    assert people_of(hidden, actor="mod", subject=None, stream_owner=None) == {"ann", "mod"}


def test_someone_elses_act_that_names_you_is_not_yours() -> None:
    # Given bob's like of ann's video, bob's follow of ann, bob's report of ann
    like = {"user_id": "bob", "video_id": "ann-video"}
    follow = {"follower_id": "bob", "followee_id": "ann"}
    report = {"reporter_id": "bob", "target_owner_id": "ann", "target_id": "ann", "note": {"$sealed": "x"}}
    # Then each is bob's alone
    for data in (like, follow, report):
        assert people_of(data, actor="bob", subject="bob" if data is report else None, stream_owner=None) == {
            "bob"
        }


def test_an_event_that_names_no_owner_belongs_to_whom_its_stream_does() -> None:
    # Given a comment of ann's deleted by a moderator (the deletion names no author)
    deleted = {"comment_id": "c1", "video_id": "v1", "deleted_by": "mod", "deleted_as": "moderator"}
    # Then it is ann's (her comment's stream) and the moderator's
    assert owner_in(deleted) is None
    assert people_of(deleted, actor="mod", subject=None, stream_owner="ann") == {"ann", "mod"}


def test_systems_and_the_anonymous_caller_are_nobody() -> None:
    data = {"video_id": "v1", "owner_id": "ann"}
    assert people_of(data, actor="system:media-pipeline", subject=None, stream_owner=None) == {"ann"}
    assert people_of({"fingerprint": "f"}, actor="anonymous", subject=None, stream_owner=None) == set()
