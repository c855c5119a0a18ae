"""The notifications inbox in a real browser, at phone and desktop sizes: a new follower lights the
nav's unread badge while the app is open, the inbox names them, opening it clears the badge, and
activity that comes later lights it again. A screenshot of the inbox goes to ``web/test-results/``."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.pages import DESKTOP, PHONE, horizontal_overflow, new_context, screenshot, sign_in
from tests.e2e.world import Account, World, wait_until

SIZES = [("phone", PHONE), ("desktop", DESKTOP)]
#: The badge polls every few seconds, and the projection may lag a moment behind.
BADGE_MS = 10_000


@pytest.fixture(params=SIZES, ids=[name for name, _ in SIZES])
def sized(request: pytest.FixtureRequest, browser: Browser, world: World) -> Iterator[tuple[str, Page]]:
    name, size = request.param
    context = new_context(browser, world, **size)
    context.set_default_timeout(15_000)
    yield name, context.new_page()
    context.close()


def test_a_new_follower_lights_the_badge_and_the_inbox_names_them(
    sized: tuple[str, Page], world: World
) -> None:
    size, page = sized
    # Given mira signed in with the app open, and ben following her
    mira, ben, cy = world.sign_up("mira"), world.sign_up("ben"), world.sign_up("cy")
    sign_in(page, mira)
    page.goto("/discover")
    world.follow(ben, mira.user_id)
    nav = page.get_by_role("navigation", name="Main")
    badge = nav.locator(".inbox-badge")
    # Then the badge shows one unread item, without a reload
    expect(badge).to_have_text("1", timeout=BADGE_MS)
    expect(nav.get_by_role("link", name=re.compile(r"Inbox.*1 unread"))).to_be_visible()
    # When she opens her inbox
    nav.get_by_role("link", name=re.compile("Inbox")).click()
    expect(page).to_have_url(f"{world.url}/inbox")
    # Then it names ben as a new follower, and the badge is cleared
    item = page.get_by_role("link", name=re.compile(rf"@{ben.handle} started following you"))
    expect(item).to_be_visible()
    expect(badge).to_be_hidden()
    assert horizontal_overflow(page) == 0
    screenshot(page, f"inbox-{size}")
    # And when cy follows her later, the badge lights again while she is elsewhere in the app
    page.goto("/discover")
    world.follow(cy, mira.user_id)
    expect(badge).to_have_text("1", timeout=BADGE_MS)
    # And the inbox groups the two followers into one item
    nav.get_by_role("link", name=re.compile("Inbox")).click()
    expect(
        page.get_by_role("link", name=re.compile(rf"@{cy.handle} and @{ben.handle} started following you"))
    ).to_be_visible()
    # And unticking new followers in the inbox's settings mutes them
    page.get_by_text("Notification settings").click()
    follows = page.get_by_label("New followers")
    expect(follows).to_be_enabled()
    with page.expect_response(
        lambda r: r.url.endswith("/notifications/settings") and r.request.method == "PUT"
    ):
        follows.uncheck()
    wait_until(lambda: muted(world, mira) == ["follow"] or None, timeout_s=10, what="follows muted")


def muted(world: World, account: Account) -> list[str]:
    with world.client() as http:
        answer = http.get("/v1/me/notifications/settings", headers=account.auth)
    answer.raise_for_status()
    kinds: list[str] = answer.json()["muted"]
    return kinds
