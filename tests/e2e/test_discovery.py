"""Discovery in a real browser, at phone and desktop sizes: the Discover tab finds a creator while
the name is being typed, a hashtag tapped under a video opens that hashtag's page, and ``/@handle``
opens the profile. Screenshots of the search and of a hashtag page go to ``web/test-results/``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.pages import DESKTOP, PHONE, horizontal_overflow, new_context, screenshot
from tests.e2e.world import World, wait_until

SIZES = [("phone", PHONE), ("desktop", DESKTOP)]
#: A demo video's caption and what it carries (strom/demo.py).
MANDELBROT, TAG = "mandelbrot", "fractals"


@pytest.fixture(params=SIZES, ids=[name for name, _ in SIZES])
def sized(request: pytest.FixtureRequest, browser: Browser, world: World) -> Iterator[tuple[str, Page]]:
    name, size = request.param
    context = new_context(browser, world, **size)
    context.set_default_timeout(15_000)
    yield name, context.new_page()
    context.close()


def indexed(world: World, kind: str, q: str) -> list[dict[str, Any]]:
    """What the search API finds now (the index is a projection: it may lag the demo a moment)."""
    with world.client() as http:
        answer = http.get("/v1/search", params={"q": q, "kind": kind})
    answer.raise_for_status()
    found: list[dict[str, Any]] = answer.json()[kind]
    return found


def test_search_finds_a_creator_while_typing(sized: tuple[str, Page], world: World) -> None:
    size, page = sized
    wait_until(lambda: indexed(world, "creators", "okafor") or None, timeout_s=30, what="mira in the index")
    # Given the Discover tab, reached from the bottom navigation
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Discover").click()
    expect(page).to_have_url(f"{world.url}/discover")
    box = page.get_by_role("searchbox", name="Search")
    # When part of a surname is typed, key by key, and nothing submitted
    with page.expect_response(lambda r: "/v1/search" in r.url and "q=Okaf&" in r.url):
        box.press_sequentially("Okaf", delay=60)
    # Then the creator shows while typing, and the arrow key reaches her
    result = page.get_by_role("link", name="Mira Okafor @mira")
    expect(result).to_be_visible()
    box.press("ArrowDown")
    expect(result).to_be_focused()
    assert horizontal_overflow(page) == 0
    screenshot(page, f"search-{size}")
    # And choosing her opens her profile at /@mira
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{world.url}/@mira")
    expect(page.get_by_role("heading", name="Mira Okafor")).to_be_visible()


def test_a_hashtag_tapped_under_a_video_opens_its_page(sized: tuple[str, Page], world: World) -> None:
    size, page = sized
    found = wait_until(
        lambda: indexed(world, "videos", MANDELBROT) or None, timeout_s=30, what="the demo video indexed"
    )
    video_id = found[0]["video_id"]
    # Given the video's own page
    page.goto(f"/v/{video_id}")
    tag = page.locator(f'article.slide[data-video-id="{video_id}"]').get_by_role("link", name=f"#{TAG}")
    # When its hashtag is tapped
    tag.first.click()
    # Then the hashtag's page lists the video
    expect(page).to_have_url(f"{world.url}/tag/{TAG}")
    expect(page.get_by_role("heading", name=f"#{TAG}")).to_be_visible()
    expect(page.locator(f'.video-grid a[href="/v/{video_id}"]')).to_be_visible()
    page.wait_for_function(  # its poster drawn, for the screenshot
        "id => document.querySelector(`.video-grid a[href='/v/${id}'] img`)?.naturalWidth > 0", arg=video_id
    )
    expect(page.get_by_role("button", name="Newest")).to_have_attribute("aria-pressed", "true")
    assert horizontal_overflow(page) == 0
    screenshot(page, f"hashtag-{size}")


def test_a_handle_address_opens_the_profile(sized: tuple[str, Page], world: World) -> None:
    _, page = sized
    page.goto("/@mira")
    expect(page.get_by_role("heading", name="Mira Okafor")).to_be_visible()
    expect(page.get_by_text("@mira", exact=True)).to_be_visible()
    page.goto("/@nobody_here_at_all")
    expect(page.get_by_role("heading", name="No such person")).to_be_visible()
