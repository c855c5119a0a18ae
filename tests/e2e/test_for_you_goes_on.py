"""For You as a person who turned personalisation on meets it: it comes back after a reload with what
they have not watched, never offers what they watched and liked before turning it on, says they are
caught up (not that nothing was published) once they watched everything, and offers Follow as soon
as they sign in."""

from __future__ import annotations

import itertools
import re
import time
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.pages import AT_BOTH_SIZES, active_slide, active_video_id, sign_in, wait_until_playing
from tests.e2e.world import Account, World, wait_until

#: Every test here runs at a phone's size and at a desktop's.
pytestmark = AT_BOTH_SIZES

NOTHING_PUBLISHED = "Nothing has been published"
#: The projection applies an event within milliseconds; this leaves room for a busy machine.
CONSENT_APPLIES_S = 2.0
_signals = itertools.count()


def consent(world: World, account: Account) -> None:
    with world.client() as http:
        answer = http.put("/v1/me/consent", json={"personalisation": True}, headers=account.auth)
    answer.raise_for_status()


def for_you(world: World, account: Account) -> dict[str, Any]:
    """A first page of the account's For You, as the API serves it now."""
    with world.client() as http:
        answer = http.get("/v1/feed/for-you", params={"limit": 50}, headers=account.auth)
    answer.raise_for_status()
    page: dict[str, Any] = answer.json()
    return page


def watch(world: World, account: Account, video_ids: list[str]) -> None:
    signals = [
        {"client_event_id": f"e2e{next(_signals)}x{account.handle}", "video_id": v, "kind": "view_start"}
        for v in video_ids
    ]
    with world.client() as http:
        http.post("/v1/activity", json={"signals": signals}, headers=account.auth).raise_for_status()


def personalised(world: World, account: Account) -> None:
    """Turns personalisation on and waits for the recommendations projection to apply it. Nothing
    here asks for a page, which would itself change what the next page offers."""
    consent(world, account)
    time.sleep(CONSENT_APPLIES_S)


def open_for_you(page: Page) -> dict[str, Any]:
    """Opens For You; returns its first page as the client read it, which must be personalised."""
    with page.expect_response(lambda r: "/v1/feed/for-you" in r.url) as first:
        page.goto("/")
    body: dict[str, Any] = first.value.json()
    assert body["personalised"], "personalisation was not applied yet"
    return body


def test_for_you_comes_back_after_a_reload(page: Page, world: World, account: Account) -> None:
    """What a page served but the person never watched may come again: a reload is a new scroll."""
    personalised(world, account)
    sign_in(page, account)
    open_for_you(page)
    wait_until_playing(page)
    page.reload()
    wait_until_playing(page)
    expect(page.get_by_text(NOTHING_PUBLISHED)).to_have_count(0)


def watch_everything(world: World, account: Account) -> None:
    """Watches what the account's For You offers until it offers nothing more."""
    for _ in range(20):
        offered = {i["video_id"] for i in for_you(world, account)["items"]}
        if not offered:
            return
        watch(world, account, sorted(offered))
        wait_until(
            lambda: not offered & {i["video_id"] for i in for_you(world, account)["items"]},  # noqa: B023
            timeout_s=10,
            what="watched videos to leave For You",
        )
    raise AssertionError("For You kept offering videos")


def test_once_everything_was_watched_for_you_says_so_truthfully(
    page: Page, world: World, account: Account
) -> None:
    # Given a person who watched everything their For You had to offer
    personalised(world, account)
    watch_everything(world, account)
    # When they open it
    sign_in(page, account)
    page.goto("/")
    # Then it says they are caught up, not that nothing was published
    expect(page.get_by_role("heading", name="You're all caught up")).to_be_visible()
    expect(page.get_by_text(NOTHING_PUBLISHED)).to_have_count(0)


def test_a_video_watched_and_liked_before_turning_personalisation_on_is_not_offered_again(
    page: Page, world: World, account: Account
) -> None:
    sign_in(page, account)
    page.goto("/")
    wait_until_playing(page, after_s=1.0)
    liked = active_video_id(page)
    active_slide(page).locator(".slide-media").dblclick()
    wait_until(lambda: world.video(liked, account)["liked_by_me"], timeout_s=10, what="the like")
    page.goto("about:blank")  # what was watched leaves with the page

    personalised(world, account)
    open_for_you(page)
    wait_until_playing(page)
    assert active_video_id(page) != liked
    page.wait_for_timeout(1_000)  # every slide of the first page is in
    assert page.locator(f'article.slide[data-video-id="{liked}"]').count() == 0


def test_follow_is_offered_as_soon_as_someone_signs_in(page: Page, world: World, account: Account) -> None:
    """Profiles read while signed out say nothing about following; signing in must not keep them."""
    page.goto("/")
    wait_until_playing(page)
    expect(active_slide(page).get_by_role("link", name=re.compile("^Profile of "))).to_be_attached()

    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Sign in").click()
    page.get_by_label("Handle or email").fill(account.handle)
    page.get_by_label("Password").fill(account.handle * 2)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(nav.get_by_role("link", name="Profile")).to_be_visible()

    wait_until_playing(page)
    expect(active_slide(page).get_by_role("button", name=re.compile("^Follow "))).to_be_visible()
