"""Each view as a keyboard or screen-reader user and a small phone meet it, and a picture of each
on a phone and a desktop (web/test-results/) so a change to the look can be seen in review."""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.pages import (
    DESKTOP,
    NARROW,
    PHONE,
    active_slide,
    horizontal_overflow,
    new_context,
    screenshot,
    sign_in,
    unnamed_controls,
    wait_until_playing,
)
from tests.e2e.world import Account, World


def _feed(page: Page, world: World) -> None:
    page.goto("/")
    wait_until_playing(page)


def _comments(page: Page, world: World) -> None:
    _feed(page, world)
    active_slide(page).get_by_role("button", name="Comments", exact=True).click()
    sheet = page.get_by_role("dialog", name="Comments")
    expect(sheet).to_be_visible()
    expect(sheet.get_by_label("Add a comment")).to_be_visible()


def _profile(page: Page, world: World) -> None:
    mira = world.demo["mira"]
    page.goto(f"/u/{mira.user_id}")
    expect(page.get_by_role("heading", name="Mira Okafor")).to_be_visible()
    expect(page.locator('a[href^="/v/"] img').first).to_be_visible()


def _upload(page: Page, world: World) -> None:
    page.goto("/upload")
    expect(page.get_by_label("Video file")).to_be_attached()
    expect(page.get_by_role("button", name="Upload", exact=True)).to_be_visible()


VIEWS: dict[str, Callable[[Page, World], None]] = {
    "feed": _feed,
    "comments": _comments,
    "profile": _profile,
    "upload": _upload,
}


def _signed_in_page(browser: Browser, world: World, account: Account, size: dict[str, Any]) -> Page:
    page = new_context(browser, world, **size).new_page()
    sign_in(page, account)
    return page


def test_every_control_has_a_name_and_nothing_is_wider_than_a_360px_phone(
    browser: Browser, world: World, account: Account
) -> None:
    """An icon button without a name is a silent stop for a screen reader; a page wider than the
    phone scrolls sideways under the thumb. Checked on every view, signed in (most controls)."""
    page = _signed_in_page(browser, world, account, NARROW)
    problems: dict[str, Any] = {}
    try:
        for name, open_view in VIEWS.items():
            open_view(page, world)
            if unnamed := unnamed_controls(page):
                problems[f"{name}: controls without a name"] = unnamed
            if overflow := horizontal_overflow(page):
                problems[f"{name}: wider than 360px by"] = overflow
    finally:
        page.context.close()
    assert problems == {}


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.parametrize(("size_name", "size"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_a_screenshot_of_each_view(
    browser: Browser, world: World, account: Account, size_name: str, size: dict[str, Any]
) -> None:
    """Pictures for review, taken once each view has settled (the feed playing, the sheet open);
    each view must also fit its width, the desktop one included (the app is a centred column)."""
    page = _signed_in_page(browser, world, account, size)
    try:
        for name, open_view in VIEWS.items():
            open_view(page, world)
            assert horizontal_overflow(page) == 0, f"{name} is wider than the {size_name} viewport"
            path = screenshot(page, f"{name}-{size_name}")
            assert _png_size(path.read_bytes()) == (size["viewport"]["width"], size["viewport"]["height"])
    finally:
        page.context.close()
