"""Blocked people do not see each other anywhere: not in the comment threads of a third person's
video, nor in anyone's follow lists. The blocker's words read as withheld to the blocked, and the
other way round; everyone else reads them as before."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from projections import registry
from tests.integration.api.harness import System, User


class World:
    def __init__(self, tmp: Path) -> None:
        self.system = System.with_read_side(tmp)
        self.client = self.system.client

    def ok(self, method: str, path: str, user: User, **body: Any) -> Any:
        response = self.client.request(method, path, headers=user.auth, json=body or None)
        assert response.status_code in (200, 201), response.text
        return response.json()

    def get(self, path: str, user: User | None = None) -> Any:
        response = self.client.get(path, headers=user.auth if user else {})
        assert response.status_code == 200, response.text
        return response.json()

    def project(self) -> None:
        self.system.project(*registry.ALL)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path)
    yield w
    w.system.close()


@pytest.mark.parametrize("blocker", ["commenter", "reader"])
def test_a_comment_reads_as_withheld_between_people_with_a_block(world: World, blocker: str) -> None:
    # Given Cy's comment on Ann's public video, and a block between Cy and Val
    ann, cy, val, dan = (world.system.register() for _ in range(4))
    video_id = world.system.published_video(ann)
    world.ok("POST", f"/v1/videos/{video_id}/comments", cy, text="cy was here")
    one, other = (cy, val) if blocker == "commenter" else (val, cy)
    world.ok("PUT", f"/v1/users/{other.user_id}/block", one)
    world.project()
    # When Val, and Dan, read the thread
    seen_by_val = world.get(f"/v1/videos/{video_id}/comments", val)["items"]
    seen_by_dan = world.get(f"/v1/videos/{video_id}/comments", dan)["items"]
    # Then Val reads it withheld, naming nobody; Dan reads it whole
    assert [(c["author_id"], c["text"], c["withheld"]) for c in seen_by_val] == [(None, None, True)]
    assert [(c["author_id"], c["text"], c["withheld"]) for c in seen_by_dan] == [
        (cy.user_id, "cy was here", False)
    ]


def test_follow_lists_leave_out_people_with_a_block_with_the_reader(world: World) -> None:
    # Given Cy and Dan follow Ann, Ann follows both, and Cy blocked Val
    ann, cy, val, dan = (world.system.register() for _ in range(4))
    for follower, followee in ((cy, ann), (dan, ann), (ann, cy), (ann, dan)):
        world.ok("PUT", f"/v1/users/{followee.user_id}/follow", follower)
    world.ok("PUT", f"/v1/users/{val.user_id}/block", cy)
    world.project()
    # Then Val finds Dan, not Cy, in Ann's lists; anyone else finds both
    for listing in ("followers", "following"):
        path = f"/v1/users/{ann.user_id}/{listing}"
        assert {u["user_id"] for u in world.get(path, val)["items"]} == {dan.user_id}, listing
        assert {u["user_id"] for u in world.get(path)["items"]} == {cy.user_id, dan.user_id}, listing
