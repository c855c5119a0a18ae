"""The moderation projections give the same queue, cases, standing, notices and labels on SQLite and
on a real Cassandra node, and a replay after a lost checkpoint counts every report once on both."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from domain.engagement.likes import VideoLiked
from domain.moderation.cases import CaseDismissed, CaseEscalated, CaseResolved
from domain.moderation.standing import AccountSuspended, AppealFiled, ContentModerated, RestrictionImposed
from domain.reports import ReportFiled
from domain.videos.events import VideoHidden, VideoLabelled, VideoScreened, VideoUploadCompleted
from projections.models import moderation_queue, moderation_standing
from read_models import moderation_queue as queue
from read_models import moderation_standing as standing
from read_models.port import ReadStore
from tests.contract.read_store_backends import OPENERS
from tests.unit.projections.world import World

V1 = "0190aaaa-bbbb-7ccc-8ddd-000000000001"
V2 = "0190aaaa-bbbb-7ccc-8ddd-000000000002"
LATER = (datetime.now(UTC) + timedelta(days=7)).replace(microsecond=0)


@pytest.fixture(params=sorted(OPENERS))
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    with OPENERS[request.param](tmp_path) as store:
        w = World(tmp_path, read_store=_migrated(store))
        yield w
        w.events.close()
        w.keys.close()


def _migrated(store: ReadStore) -> ReadStore:
    from migrations.runner import apply_pending

    apply_pending(store)
    return store


def _history(world: World) -> None:
    world.given(
        ReportFiled("r1", "ann", "video", V1, "bob", "spam", "a note"),
        ReportFiled("r2", "cy", "video", V1, "bob", "hate"),
        ReportFiled("r3", "ann", "video", V2, "bob", "nudity"),
        *(VideoLiked(f"fan{n}", V2) for n in range(3)),
        CaseEscalated(f"video-{V1}", "mod", "legal"),
        VideoHidden(V2, "bob", "mod", "nudity"),
        CaseResolved(f"video-{V2}", "mod", "a1", "remove_video", "bob", "nudity"),
        ContentModerated("bob", "a1", "remove_video", "video", V2, "mod", "nudity"),
        AppealFiled("bob", "p1", "a1", "remove_video", "video", V2, "art"),
        RestrictionImposed("bob", "a2", "comment", LATER.isoformat(), "mod", "heated"),
        AccountSuspended("cy", "s1", None, "mod", "fraud"),
        VideoUploadCompleted(V1, "bob", "up1", 1, 1, 1, 1),
        VideoScreened(V1, "bob", "up1", "p1", "labelled", ["sensitive"], []),
        VideoLabelled(V1, "bob", ["ad"], "mod", "sponsored"),
        CaseDismissed(f"video-{V1}", "admin", "fine"),
    )


def _answers(world: World) -> dict[str, Any]:
    store = world.store
    return {
        "open": queue.queue(store, "open", "any", 10)[0],
        "appeal": queue.queue(store, "open", "appeal", 10)[0],
        "dismissed": queue.queue(store, "dismissed", "hate", 10)[0],
        "case": queue.case(store, f"video-{V1}"),
        "reports": queue.reports(store, f"video-{V1}", 10)[0],
        "history": [(e.kind, e.reason) for e in queue.history(store, f"video-{V2}", 10)[0]],
        "standing": standing.standing(store, "bob"),
        "suspended": standing.suspended(store, "cy", datetime.now(UTC)),
        "notices": [(n.kind, n.appeal) for n in standing.notices(store, "bob", 10)[0]],
        "labels": standing.labels_of(store, V1),
    }


def test_the_same_events_give_the_same_answers_and_a_replay_counts_once(world: World) -> None:
    # Given a history projected once
    _history(world)
    world.project(moderation_queue.PROJECTOR)
    world.project(moderation_standing.PROJECTOR)
    first = _answers(world)
    # When the checkpoints are lost and everything is delivered again
    world.forget_checkpoint(moderation_queue.PROJECTOR)
    world.forget_checkpoint(moderation_standing.PROJECTOR)
    world.project(moderation_queue.PROJECTOR)
    world.project(moderation_standing.PROJECTOR)
    # Then nothing changed, and the answers are the expected ones
    assert _answers(world) == first
    assert [(c.case_id, c.priority) for c in first["open"]] == [(f"video-{V2}", 300)]
    assert [c.case_id for c in first["appeal"]] == [f"video-{V2}"]
    assert [c.case_id for c in first["dismissed"]] == [f"video-{V1}"]
    assert (first["case"].state, first["case"].reports) == ("dismissed", 2)
    assert [r.note for r in first["reports"]] == ["a note", None]
    assert first["history"] == [("VideoHidden", "nudity"), ("CaseResolved", "nudity"), ("AppealFiled", None)]
    assert [r.capability for r in first["standing"].restrictions] == ["comment"]
    assert first["suspended"] is True
    assert first["notices"] == [
        ("RestrictionImposed", None),
        ("AppealFiled", "pending"),
        ("ContentModerated", "pending"),
    ]
    assert first["labels"] == ["ad", "sensitive"]
