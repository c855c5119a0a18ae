"""A suspended person's videos take no engagement: every read withholds them, so a like, comment,
share or report of one is answered as for a video never made, for everyone, moderators included (as
for a video moderation hid). What was given before can still be taken back, and it all opens again
once the suspension is lifted. An erased person's videos take none either, in the while before the
erasure cascade deletes them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from projections.registry import ALL
from tests.integration.api.test_suspended_owner_reads import Suspension

ENGAGING = ("follower", "stranger", "moderator")


def engage(world: Suspension, viewer: str, kind: str) -> httpx.Response:
    user = world.user(viewer)
    video = world.public
    asks: dict[str, tuple[str, str, dict[str, Any] | None]] = {
        "like": ("PUT", f"/v1/videos/{video}/like", None),
        "comment": ("POST", f"/v1/videos/{video}/comments", {"text": "hello"}),
        "share": ("POST", f"/v1/videos/{video}/shares", {"channel": "copy_link"}),
        "report": ("POST", "/v1/reports", {"target_kind": "video", "target_id": video, "reason": "spam"}),
    }
    method, path, body = asks[kind]
    response: httpx.Response = world.system.client.request(method, path, headers=user.auth, json=body)
    return response


@pytest.fixture(scope="module", params=["suspended", "erased"])
def withheld(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Suspension]:
    """The owner suspended; or erased, with the erasure cascade that deletes their videos not run."""
    s = Suspension(tmp_path_factory.mktemp(f"{request.param}-engagement"))
    if request.param == "suspended":
        s.suspend()
    else:
        s.act("DELETE", "/v1/me", s.user("owner"))
        s.system.project(*ALL)
    yield s
    s.world.close()


@pytest.mark.parametrize("kind", ["like", "comment", "share", "report"])
@pytest.mark.parametrize("viewer", ENGAGING)
def test_their_video_takes_no_engagement_and_reads_as_never_made(
    withheld: Suspension, viewer: str, kind: str
) -> None:
    # Given a stranger's like of the video recorded before the owner was suspended or erased
    before = withheld.system.store.head_position()

    # When anyone but the owner engages with it
    response = engage(withheld, viewer, kind)

    # Then it is not found, in the words a missing video gets, and nothing is recorded
    assert response.status_code == 404, response.text
    assert response.json()["detail"] == "video not found"
    assert withheld.system.store.head_position() == before


def test_a_like_given_before_can_still_be_taken_back(withheld: Suspension) -> None:
    user = withheld.user("stranger")
    response = withheld.system.client.delete(f"/v1/videos/{withheld.public}/like", headers=user.auth)
    assert response.status_code == 200, response.text


def test_lifting_the_suspension_opens_it_to_engagement_again(tmp_path: Path) -> None:
    # Given a suspended owner, then the suspension lifted
    world = Suspension(tmp_path)
    try:
        world.suspend()
        assert engage(world, "follower", "like").status_code == 404
        world.lift()

        # When / Then people engage with the video again
        for kind in ("like", "comment", "share", "report"):
            response = engage(world, "follower", kind)
            assert response.status_code in (200, 201), (kind, response.text)
    finally:
        world.world.close()
