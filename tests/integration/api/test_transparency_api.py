"""The transparency report as the API answers it: public to everyone, signed in or not, counting
what moderation did through the real commands, and a bad month refused as a problem."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from domain.actors import Role
from projections.models import transparency
from tests.integration.api.harness import System


@pytest.fixture
def system(tmp_path: Path) -> Iterator[System]:
    s = System.with_read_side(tmp_path)
    yield s
    s.close()


def ok(response: Any) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def test_everyone_reads_the_counts_of_what_moderation_did(system: System) -> None:
    # Given a report, its case resolved with a removal, and an appeal denied
    bob, ann = system.register(), system.register()
    mod, mod2 = system.register(role=Role.MODERATOR), system.register(role=Role.MODERATOR)
    video = system.published_video(bob)
    report = {"target_kind": "video", "target_id": video, "reason": "spam"}
    assert system.client.post("/v1/reports", json=report, headers=ann.auth).status_code == 201
    resolution = {"action": "remove_video", "reason": "spam"}
    resolved = system.client.post(
        f"/v1/moderation/cases/video-{video}/resolve", json=resolution, headers=mod.auth
    )
    action_id = ok(resolved)["action_id"]
    appeal = {"action_id": action_id, "statement": "it is not spam"}
    assert system.client.post("/v1/me/appeals", json=appeal, headers=bob.auth).status_code == 201
    decision = {"granted": False, "reason": "it is"}
    ok(
        system.client.post(
            f"/v1/moderation/users/{bob.user_id}/appeals/{action_id}/decide", json=decision, headers=mod2.auth
        )
    )
    system.project(transparency.PROJECTOR)
    month = datetime.now(UTC).strftime("%Y-%m")
    # When anyone asks, signed in or not, in any role
    answers = [
        ok(system.client.get("/v1/transparency", headers=headers)) for headers in ({}, ann.auth, mod.auth)
    ]
    # Then all read the same month's counts
    assert answers[0] == answers[1] == answers[2]
    (item,) = answers[0]["items"]
    assert item["month"] == month
    assert item["reports"] == {"spam": 1}
    assert item["reports_by"] == {"automatic": 0, "manual": 1}
    assert item["actions"] == {"remove_video": 1}
    assert item["actions_by"] == {"automatic": 0, "manual": 1}
    assert item["appeals"] == {"filed": 1, "granted": 0, "denied": 1}
    assert item["median_time_to_action"]["of"] == 1
    # And one month by name, the same
    assert ok(system.client.get(f"/v1/transparency?month={month}"))["items"] == [item]


@pytest.mark.parametrize("query", ["month=2026-13", "month=2026-1", "month=march", "months=0", "months=999"])
def test_a_bad_month_is_refused_as_a_problem(system: System, query: str) -> None:
    response = system.client.get(f"/v1/transparency?{query}")
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"


def test_a_month_with_nothing_reads_as_zeros(system: System) -> None:
    system.project(transparency.PROJECTOR)
    (item,) = ok(system.client.get("/v1/transparency?month=2020-02"))["items"]
    assert (item["reports"], item["appeals"]["filed"], item["median_time_to_action"]) == ({}, 0, None)
