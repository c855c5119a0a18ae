"""Discovery in a real browser, at phone and desktop sizes: the Discover tab finds a creator while
the name is being typed and shows what is trending, a hashtag tapped under a video or in a comment
opens that hashtag's page, and ``/@handle`` opens the profile. Screenshots of the search and of a
hashtag page go to ``web/test-results/``."""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.pages import AT_BOTH_SIZES, DESKTOP, PHONE, horizontal_overflow, new_context, screenshot
from tests.e2e.world import Account, World, wait_until

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


@dataclasses.dataclass(frozen=True)
class Trend:
    """A creator's video whose hashtag people engage with: what the Discover tab should show."""

    creator: Account
    video_id: str
    hashtag: str


@pytest.fixture(scope="module")
def trend(world: World, phone_clip: Path) -> Trend:
    """A fresh creator publishes a clip under a hashtag of its own, and two people like it (a like
    is what trending counts most), until ``/v1/discover`` lists both the hashtag and the creator."""
    creator = world.sign_up("trend")
    hashtag = f"golden_{secrets.token_hex(3)}"
    video_id = world.publish_clip(creator, phone_clip, f"Sunset over the bay #{hashtag.title()}")
    with world.client() as http:
        for fan in (world.sign_up("fan"), world.sign_up("fan")):
            http.put(f"/v1/videos/{video_id}/like", headers=fan.auth).raise_for_status()

        def trending() -> bool:
            found = http.get("/v1/discover").json()
            tags = [t["hashtag"] for t in found["hashtags"]]
            return hashtag in tags and creator.handle in [c["handle"] for c in found["creators"]]

        wait_until(trending, timeout_s=30, what=f"#{hashtag} and {creator.handle} trending")
    return Trend(creator, video_id, hashtag)


@AT_BOTH_SIZES
def test_the_discover_tab_shows_trending_hashtags_and_creators(
    page: Page, world: World, trend: Trend
) -> None:
    """The Discover tab draws what ``/v1/discover`` trends, and its hashtags and creators lead to
    their pages."""
    # Given a liked video under a hashtag of its own, by a creator of its own
    handle = trend.creator.handle
    # When the Discover tab is opened from the bottom navigation
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Discover").click()
    trending = page.locator(".discover-trending")
    # Then the trending hashtag and the creator show under their headings
    expect(trending.get_by_role("heading", name="Trending hashtags")).to_be_visible()
    expect(trending.get_by_role("heading", name="Creators")).to_be_visible()
    tag = trending.get_by_role("link", name=f"#{trend.hashtag}", exact=True)
    creator = trending.get_by_role("link", name=f"E2E {handle} @{handle}", exact=True)
    expect(tag).to_be_visible()
    expect(creator).to_be_visible()
    assert horizontal_overflow(page) == 0

    # When the hashtag is tapped, then its page lists the video
    tag.click()
    expect(page).to_have_url(f"{world.url}/tag/{trend.hashtag}")
    expect(page.get_by_role("heading", name=f"#{trend.hashtag}")).to_be_visible()
    expect(page.locator(f'.video-grid a[href="/v/{trend.video_id}"]')).to_be_visible()

    # When they go back and tap the creator, then the creator's profile opens at /@handle
    page.go_back()
    expect(creator).to_be_visible()
    creator.click()
    expect(page).to_have_url(f"{world.url}/@{handle}")
    expect(page.get_by_role("heading", name=f"E2E {handle}")).to_be_visible()


def comment_on(world: World, author: Account, video_id: str, text: str, parent_id: str | None = None) -> str:
    """Posts a comment (or a reply) as the sheet would, and waits until the thread lists it."""
    body = {"text": text, **({"parent_id": parent_id} if parent_id else {})}
    with world.client() as http:
        posted = http.post(f"/v1/videos/{video_id}/comments", headers=author.auth, json=body)
        posted.raise_for_status()
        comment_id: str = posted.json()["comment_id"]
        thread = f"/v1/comments/{parent_id}/replies" if parent_id else f"/v1/videos/{video_id}/comments"

        def listed() -> bool:
            answer = http.get(thread, params={"limit": 100})
            return any(item["comment_id"] == comment_id for item in answer.json()["items"])

        wait_until(listed, timeout_s=10, what=f"comment {comment_id} listed")
    return comment_id


@AT_BOTH_SIZES
def test_a_hashtag_tapped_in_a_comment_opens_its_page(page: Page, world: World, account: Account) -> None:
    """Hashtags were links only in captions: one written in a comment or a reply is tappable too,
    and opens the lower-case page the server files it under."""
    found = wait_until(
        lambda: indexed(world, "videos", MANDELBROT) or None, timeout_s=30, what="the demo video indexed"
    )
    video_id = found[0]["video_id"]
    # Given a comment and a reply on the video, each naming a hashtag in capitals, and markup
    comment_id = comment_on(world, account, video_id, f"<b>so</b> #{TAG.title()} deep")
    comment_on(world, account, video_id, "and #Zoom_In too", parent_id=comment_id)
    page.goto(f"/v/{video_id}")
    slide = page.locator(f'article.slide[data-video-id="{video_id}"]')
    slide.get_by_role("button", name="Comments", exact=True).click()
    sheet = page.get_by_role("dialog", name="Comments")
    mine = sheet.locator(f'[data-comment-id="{comment_id}"]')
    # Then the markup is text, and the reply's tag is a link to its page too
    expect(mine.locator(".comment-text").first).to_contain_text("<b>so</b>")
    mine.get_by_role("button", name="View replies (1)").click()
    expect(mine.get_by_role("link", name="#Zoom_In")).to_have_attribute("href", "/tag/zoom_in")

    # When the comment's hashtag is tapped
    mine.get_by_role("link", name=f"#{TAG.title()}").click()

    # Then the hashtag's page opens, lower-cased, listing the video, with the sheet gone
    expect(page).to_have_url(f"{world.url}/tag/{TAG}")
    expect(sheet).to_be_hidden()
    expect(page.get_by_role("heading", name=f"#{TAG}")).to_be_visible()
    expect(page.locator(f'.video-grid a[href="/v/{video_id}"]')).to_be_visible()


def test_a_handle_address_opens_the_profile(sized: tuple[str, Page], world: World) -> None:
    _, page = sized
    page.goto("/@mira")
    expect(page.get_by_role("heading", name="Mira Okafor")).to_be_visible()
    expect(page.get_by_text("@mira", exact=True)).to_be_visible()
    page.goto("/@nobody_here_at_all")
    expect(page.get_by_role("heading", name="No such person")).to_be_visible()
