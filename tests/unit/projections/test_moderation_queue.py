"""Given reports and case events, then the moderators' queue, cases, reports and history."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from domain.accounts.events import ErasureRequested, UserRegistered
from domain.engagement.likes import VideoLiked
from domain.events import DomainEvent
from domain.moderation.cases import CaseAssigned, CaseDismissed, CaseEscalated, CaseOpened, CaseResolved
from domain.moderation.standing import AppealDecided, AppealFiled, StrikeRecorded
from domain.reports import ReportFiled
from domain.videos.events import VideoHidden
from eventstore.envelope import Metadata, StreamState
from projections.models.moderation_queue import PROJECTOR
from read_models import moderation_queue as model
from tests.unit.projections.world import World

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
V1, V2 = "v1", "v2"
CASE1, CASE2 = "video-v1", "video-v2"


@pytest.fixture(params=[1, 3], ids=["one runner", "three partitions"])
def world(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[World]:
    """Every scenario projected by one runner, and by three partitions one after another."""
    w = World(tmp_path, parts=request.param)
    yield w
    w.close()


def at(world: World, when: datetime, *events: DomainEvent, stream: str = "test-1") -> None:
    """Appends the events as having happened ``when``."""
    meta = Metadata(occurred_at=when.isoformat())
    world.events.append(stream, [world.codec.encode(e, meta) for e in events], StreamState.ANY)


def registered(world: World, *users: str, days_before: int = 30) -> None:
    for user in users:
        at(world, T0 - timedelta(days=days_before), UserRegistered(user, user, f"{user}@x", None, user))


def report(reporter: str, target: str = V1, reason: str = "spam", note: str | None = None) -> ReportFiled:
    return ReportFiled(f"r-{reporter}-{target}", reporter, "video", target, "bob", reason, note)


def queue(world: World, state: str = "open", reason: str = model.ANY) -> list[tuple[str, int]]:
    cases, _ = model.queue(world.store, state, reason, 100)
    return [(c.case_id, c.priority) for c in cases]


def test_a_report_puts_its_target_in_the_queue(world: World) -> None:
    # Given an established reporter's report with a note
    registered(world, "ann")
    at(world, T0, report("ann", note="look at 0:12"))
    # When
    world.project(PROJECTOR)
    # Then the case is open, listed under any and its reason, and moderators read the note
    assert queue(world) == [(CASE1, 100)]
    assert queue(world, reason="spam") == [(CASE1, 100)]
    assert queue(world, reason="nudity") == []
    case = model.case(world.store, CASE1)
    assert case is not None
    assert (case.state, case.reports, case.reasons, case.subject_id) == ("open", 1, ["spam"], "bob")
    assert case.first_reported_at == case.last_reported_at == T0
    (found,), _ = model.reports(world.store, CASE1, 10)
    assert (found.reporter_id, found.note, found.weight) == ("ann", "look at 0:12", 1.0)


def test_reports_add_up_weighted_by_the_reporters_age(world: World) -> None:
    # Given an established reporter and one registered an hour before reporting
    registered(world, "ann")
    at(world, T0 - timedelta(hours=1), UserRegistered("new", "new", "n@x", None, "new"))
    at(world, T0, report("ann"))
    at(world, T0 + timedelta(minutes=5), report("new", reason="nudity"))
    # When
    world.project(PROJECTOR)
    # Then
    case = model.case(world.store, CASE1)
    assert case is not None
    assert (case.reports, case.reasons, case.priority) == (2, ["nudity", "spam"], 125)
    assert case.last_reported_at == T0 + timedelta(minutes=5)
    assert queue(world, reason="nudity") == [(CASE1, 125)]


def test_the_queue_is_ordered_by_priority(world: World) -> None:
    registered(world, "ann", "cy", "dee")
    at(world, T0, report("ann", V1), report("cy", V2), report("dee", V2))
    world.project(PROJECTOR)
    assert queue(world) == [(CASE2, 200), (CASE1, 100)]


def test_an_escalated_case_moves_to_the_escalated_queue(world: World) -> None:
    registered(world, "ann")
    at(world, T0, report("ann"), CaseAssigned(CASE1, "mod", "mod"), CaseEscalated(CASE1, "mod", "legal"))
    world.project(PROJECTOR)
    assert queue(world) == []
    assert queue(world, "escalated") == [(CASE1, 100)]
    case = model.case(world.store, CASE1)
    assert case is not None
    assert case.assignee_id == "mod"


def test_a_resolution_closes_the_case_and_the_history_tells_what_was_done(world: World) -> None:
    # Given
    registered(world, "ann")
    at(world, T0, report("ann"), CaseOpened(CASE1, "video", V1, "r-ann-v1"))
    at(
        world,
        T0,
        VideoHidden(V1, "bob", "mod", "nudity"),
        CaseResolved(CASE1, "mod", "a1", "remove_video", "bob", "nudity"),
    )
    # When
    world.project(PROJECTOR)
    # Then
    assert queue(world) == []
    assert queue(world, "resolved") == [(CASE1, 100)]
    entries, _ = model.history(world.store, CASE1, 10)
    assert [(e.kind, e.action, e.reason) for e in entries] == [
        ("CaseOpened", None, None),
        ("VideoHidden", "remove_video", "nudity"),
        ("CaseResolved", "remove_video", "nudity"),
    ]
    case = model.case(world.store, CASE1)
    assert case is not None
    assert (case.last_action, case.last_action_id) == ("remove_video", "a1")


def test_a_report_after_the_case_was_closed_opens_a_new_round(world: World) -> None:
    registered(world, "ann", "cy")
    at(world, T0, report("ann"), CaseResolved(CASE1, "mod", "a1", "label_video", "bob", "ad"))
    at(world, T0 + timedelta(days=1), report("cy", reason="hate"))
    world.project(PROJECTOR)
    case = model.case(world.store, CASE1)
    assert case is not None
    assert (case.state, case.reports, case.reasons) == ("open", 1, ["hate"])
    assert case.first_reported_at == T0 + timedelta(days=1)
    assert queue(world, "resolved") == []


def test_dismissals_make_a_reporters_later_reports_weigh_less(world: World) -> None:
    # Given a reporter whose five reports were all dismissed
    registered(world, "ann")
    for n in range(5):
        target = f"x{n}"
        at(world, T0, report("ann", target), CaseDismissed(f"video-{target}", "mod", "not spam"))
    # When they report again
    at(world, T0 + timedelta(hours=1), report("ann", V1))
    world.project(PROJECTOR)
    # Then that report weighs the least a report weighs
    assert queue(world) == [(CASE1, 10)]
    assert [c for c, _ in queue(world, "dismissed")] == [f"video-x{n}" for n in range(5)]


def test_a_video_spreading_rises_in_the_queue(world: World) -> None:
    registered(world, "ann", "cy")
    at(world, T0, report("ann", V1), report("cy", V2))
    at(world, T0, *(VideoLiked(f"fan{n}", V2) for n in range(7)))
    world.project(PROJECTOR)
    assert queue(world) == [(CASE2, 400), (CASE1, 100)]


def test_an_appeal_opens_the_case_again_until_it_is_decided(world: World) -> None:
    # Given a resolved case whose action is appealed
    registered(world, "ann")
    at(world, T0, report("ann"), CaseResolved(CASE1, "mod", "a1", "remove_video", "bob", "nudity"))
    at(world, T0, AppealFiled("bob", "p1", "a1", "remove_video", "video", V1, "it is art"))
    world.project(PROJECTOR)
    # Then it waits in the queue, under appeal too, with the statement
    assert queue(world, reason=model.APPEAL) == [(CASE1, 100)]
    appeal = model.appeal(world.store, "bob", "a1")
    assert appeal is not None
    assert (appeal.status, appeal.statement, appeal.case_id) == ("pending", "it is art", CASE1)
    # When decided
    at(world, T0, AppealDecided("bob", "p1", "a1", "mod2", True, "art indeed"))
    world.project(PROJECTOR)
    # Then the case is closed again and the outcome recorded
    assert queue(world, reason=model.APPEAL) == []
    assert queue(world, "resolved") == [(CASE1, 100)]
    decided = model.appeal(world.store, "bob", "a1")
    assert decided is not None
    assert (decided.status, decided.decided_by, decided.decision) == ("granted", "mod2", "art indeed")
    entries, _ = model.history(world.store, CASE1, 10)
    assert [e.kind for e in entries][-2:] == ["AppealFiled", "AppealDecided"]


def test_an_action_on_an_account_is_in_the_users_case(world: World) -> None:
    at(world, T0, StrikeRecorded("bob", "k1", "mod", "spam", (T0 + timedelta(days=90)).isoformat()))
    world.project(PROJECTOR)
    (entry,), _ = model.history(world.store, "user-bob", 10)
    assert (entry.kind, entry.action, entry.action_id) == ("StrikeRecorded", "strike", "k1")


def test_replaying_after_a_lost_checkpoint_counts_each_report_once(world: World) -> None:
    registered(world, "ann", "cy")
    at(world, T0, report("ann"), report("cy"), CaseEscalated(CASE1, "mod", "x"))
    world.project(PROJECTOR)
    before = model.case(world.store, CASE1)
    world.forget_checkpoint(PROJECTOR)
    world.project(PROJECTOR)
    assert model.case(world.store, CASE1) == before
    assert queue(world, "escalated") == [(CASE1, 200)]


def test_an_erasure_clears_the_reporters_notes_and_appeal_statements(world: World) -> None:
    registered(world, "ann")
    at(
        world,
        T0,
        report("ann", note="my words"),
        AppealFiled("ann", "p1", "a1", "strike", "user", "ann", "mine"),
    )
    world.project(PROJECTOR)
    at(world, T0, ErasureRequested("ann", "ann"))
    world.project(PROJECTOR)
    (found,), _ = model.reports(world.store, CASE1, 10)
    assert (found.note, found.note_erased) == (None, True)
    appeal = model.appeal(world.store, "ann", "a1")
    assert appeal is not None
    assert (appeal.statement, appeal.erased) == (None, True)


def test_an_erasure_unlinks_the_reporter_from_their_reports_which_still_count(world: World) -> None:
    # Given Ann reported two videos, one with Cy
    registered(world, "ann", "cy")
    at(world, T0, report("ann", V1, note="mine"), report("cy", V1), report("ann", V2))
    world.project(PROJECTOR)
    before = queue(world)
    # When Ann is erased, her case is then dismissed, and a report she sent before the erasure lands,
    # with the case it opened
    at(world, T0, ErasureRequested("ann", "ann"), CaseDismissed(CASE2, "mod", "fine"), report("ann", "v3"))
    opened = CaseOpened("video-v3", "video", "v3", "r-ann-v3")
    meta = Metadata(actor="ann", occurred_at=T0.isoformat())
    world.events.append("test-1", [world.codec.encode(opened, meta)], StreamState.ANY)
    world.project(PROJECTOR)
    # Then her reports stand and count, naming nobody, and no row links her to them or keeps her record
    assert queue(world) == [c for c in before if c[0] != CASE2]
    assert [c for c, _ in queue(world, "dismissed")] == [CASE2]
    found, _ = model.reports(world.store, CASE1, 10)
    reported = sorted((r.reporter_id or "", r.note, r.weight) for r in found)
    assert reported == [("", None, 1.0), ("cy", None, 1.0)]
    owned = (
        "mod_reporters",
        "mod_case_reporters",
        "mod_reporter_reports",
        "mod_reporter_copies",
        "mod_history",
    )
    for table in owned:
        rows = world.store.scan(world.table(PROJECTOR, table))
        assert [r for r in rows if "ann" in r.values()] == [], table
    assert model.case(world.store, "video-v3") is None
