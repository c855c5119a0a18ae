"""The inbox badge is pushed, at phone and desktop sizes: while mira's app is open, ben mentioning
her in a comment, then following her, lights her badge without a reload, over the notification
stream (the client makes no poll while it is open); the inbox names the mention, and the comment
draws her handle as a link to her page. A screenshot of the inbox showing the mention goes to
``web/test-results/``.

The time a count takes to arrive is checked only as liveness (a generous bound): how fast it is
belongs to the benchmarks."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, Request, Response, expect

from tests.e2e.pages import (
    DESKTOP,
    PHONE,
    active_slide,
    horizontal_overflow,
    new_context,
    screenshot,
    sign_in,
)
from tests.e2e.world import World

SIZES = [("phone", PHONE), ("desktop", DESKTOP)]
#: Liveness only: the projection, the stream's watcher and the browser, on two busy cores.
PUSHED_MS = 10_000
STREAM = "/v1/me/notifications/stream?"
POLL = "/v1/me/notifications/unread-count"


@pytest.fixture(params=SIZES, ids=[name for name, _ in SIZES])
def sized(request: pytest.FixtureRequest, browser: Browser, world: World) -> Iterator[tuple[str, Page]]:
    name, size = request.param
    context = new_context(browser, world, **size)
    context.set_default_timeout(15_000)
    yield name, context.new_page()
    context.close()


def test_a_mention_and_a_follow_light_the_open_apps_badge_over_the_stream(
    sized: tuple[str, Page], world: World
) -> None:
    size, page = sized
    # Given mira signed in with the app open, her notification stream open
    mira, ben = world.sign_up("mira"), world.sign_up("ben")
    video = world.demo_videos[0]
    streams: list[int] = []
    polls: list[str] = []

    def seen(response: Response) -> None:
        if STREAM in response.url:
            streams.append(response.status)

    def asked(request: Request) -> None:
        if request.url.endswith(POLL):
            polls.append(request.url)

    page.on("response", seen)
    page.on("request", asked)
    sign_in(page, mira)
    with page.expect_response(lambda r: STREAM in r.url) as opened:
        page.goto("/discover")
    assert opened.value.status == 200
    nav = page.get_by_role("navigation", name="Main")
    badge = nav.locator(".inbox-badge")
    # When ben mentions her in a comment on a public video
    with world.client() as http:
        text = f"you have to see this @{mira.handle}!"
        http.post(f"/v1/videos/{video}/comments", headers=ben.auth, json={"text": text}).raise_for_status()
    sent = time.monotonic()
    # Then her badge shows it without a reload, pushed: the client never polled
    expect(badge).to_have_text("1", timeout=PUSHED_MS)
    assert time.monotonic() - sent < PUSHED_MS / 1000
    expect(nav.get_by_role("link", name=re.compile(r"Inbox.*1 unread"))).to_be_visible()
    assert polls == [], "the badge polled while its stream was open"
    # When she opens her inbox
    nav.get_by_role("link", name=re.compile("Inbox")).click()
    expect(page).to_have_url(f"{world.url}/inbox")
    # Then it names ben as having mentioned her, and the badge is cleared
    item = page.get_by_role("link", name=re.compile(rf"@{ben.handle} mentioned you"))
    expect(item).to_be_visible()
    expect(badge).to_be_hidden()
    assert horizontal_overflow(page) == 0
    screenshot(page, f"inbox-mention-{size}")
    # And the item takes her to the video, where ben's comment draws her handle as a link to her page
    item.click()
    expect(page).to_have_url(f"{world.url}/v/{video}")
    active_slide(page).get_by_role("button", name="Comments", exact=True).click()
    sheet = page.get_by_role("dialog", name="Comments")
    comment = sheet.locator("[data-comment-id]").filter(has_text=text).first
    expect(comment.get_by_role("link", name=f"@{mira.handle}", exact=True)).to_have_attribute(
        "href", f"/@{mira.handle}"
    )
    # And when ben follows her while she is elsewhere in the app, the badge lights again, pushed
    sheet.get_by_role("button", name="Close comments").click()
    nav.get_by_role("link", name="Discover").click()
    with world.client() as http:
        http.put(f"/v1/users/{mira.user_id}/follow", headers=ben.auth).raise_for_status()
    expect(badge).to_have_text("1", timeout=PUSHED_MS)
    assert polls == [], "the badge polled while its stream was open"
    assert streams.count(200) == 1, "the page was reloaded, or the stream reopened"
