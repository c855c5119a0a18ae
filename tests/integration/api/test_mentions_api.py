"""Mentions through the real routes: "@handle" in a comment tells that person, grouped per video,
and blocks, mutes and erasure are honoured."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.api.test_notifications_api import Inbox


@pytest.fixture
def world(tmp_path: Path) -> Iterator[Inbox]:
    w = Inbox(tmp_path)
    yield w
    w.system.close()


def mentions(world: Inbox, user: Any) -> list[tuple[str, int, list[str]]]:
    found = [i for i in world.items(user) if i["kind"] == "mention"]
    return [(i["target_id"], i["count"], [a["handle"] for a in i["actors"]]) for i in found]


def test_a_comment_naming_someone_tells_them_and_a_second_one_joins_the_item(world: Inbox) -> None:
    # Given mira's video, and ben and dee naming cyd in comments on it (in any case)
    mira, ben, cyd, dee = (world.system.register(h) for h in ("mira", "ben", "cyd", "dee"))
    video = world.system.published_video(mira)
    world.act("POST", f"/v1/videos/{video}/comments", ben, text="look @CYD")
    world.act("POST", f"/v1/videos/{video}/comments", dee, text="@cyd @cyd!")
    world.project()
    # Then cyd has one unread mention item for the video, naming both, latest first
    assert mentions(world, cyd) == [(video, 2, ["dee", "ben"])]
    assert world.items(cyd)[0]["unread"] is True
    assert world.unread(cyd) == 1
    # And mira hears of two comments on her video, no mention
    assert [(i["kind"], i["count"]) for i in world.items(mira)] == [("comment", 2)]


def test_blocks_either_way_and_a_mute_keep_mentions_out(world: Inbox) -> None:
    # Given cyd blocked ben, ben blocked eva, and dee muted mentions
    mira, ben, cyd, dee, eva, fay = (
        world.system.register(h) for h in ("mira", "ben", "cyd", "dee", "eva", "fay")
    )
    video = world.system.published_video(mira)
    world.act("PUT", f"/v1/users/{ben.user_id}/block", cyd)
    world.act("PUT", f"/v1/users/{eva.user_id}/block", ben)
    world.act("PUT", "/v1/me/notifications/settings", dee, muted=["mention"])
    # When ben names cyd and eva, and fay names all three
    world.act("POST", f"/v1/videos/{video}/comments", ben, text="@cyd @eva")
    world.act("POST", f"/v1/videos/{video}/comments", fay, text="@cyd @dee @eva")
    world.project()
    # Then cyd and eva hear of fay only, and dee of nobody
    assert mentions(world, cyd) == [(video, 1, ["fay"])]
    assert mentions(world, eva) == [(video, 1, ["fay"])]
    assert mentions(world, dee) == []


def test_an_erased_author_leaves_the_mention_item(world: Inbox) -> None:
    # Given ben and dee named cyd on mira's video
    mira, ben, cyd, dee = (world.system.register(h) for h in ("mira", "ben", "cyd", "dee"))
    video = world.system.published_video(mira)
    world.act("POST", f"/v1/videos/{video}/comments", ben, text="@cyd")
    world.act("POST", f"/v1/videos/{video}/comments", dee, text="@cyd")
    world.project()
    # When ben erases his account
    world.act("DELETE", "/v1/me", ben)
    world.project()
    # Then cyd's item counts and names dee only
    assert mentions(world, cyd) == [(video, 1, ["dee"])]
