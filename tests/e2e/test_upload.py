"""Uploading from the browser: tus in 5 MiB chunks, carried on after a reload from where the
server stopped (not from the start, and without choosing the file again), then processed,
published with what was typed before the reload, and delivered to the uploader's followers."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, Page, Request, Route, expect

from tests.e2e.pages import active_video_id, new_context, sign_in, wait_until_playing
from tests.e2e.world import Account, World

#: A few seconds of 360p on two shared cores, plus the polling of the page.
PUBLISH_TIMEOUT_MS = 180_000


def _resumed_patch(request: Request) -> bool:
    return request.method == "PATCH" and request.headers.get("upload-offset", "0") != "0"


def _status_check(request: Request) -> bool:
    return request.method == "HEAD" and "/v1/uploads/" in request.url


def test_an_upload_cut_by_a_reload_resumes_and_reaches_a_follower(
    page: Page, browser: Browser, world: World, account: Account, large_clip: Path
) -> None:
    """The first chunk goes through, the second is held (the network stalls), the page reloads:
    the client must ask the server where it stands (HEAD) and send on from that offset."""
    follower = world.sign_up("fan")
    world.follow(follower, account.user_id)
    caption = "Sent across a reload #resumable"
    sign_in(page, account)
    page.goto("/upload")

    held: list[Route] = []
    stalling = {"on": True}

    def stall_after_the_first_chunk(route: Route) -> None:
        if stalling["on"] and _resumed_patch(route.request):
            held.append(route)  # never answered: the reload cancels it
        else:
            route.continue_()

    page.route("**/v1/uploads/**", stall_after_the_first_chunk)
    page.get_by_label("Video file").set_input_files(large_clip)
    page.get_by_label("Caption").fill(caption)
    page.get_by_label("Visibility").select_option("followers")
    with page.expect_request(_resumed_patch) as second_chunk:
        page.get_by_role("button", name="Upload", exact=True).click()
    stopped_at = int(second_chunk.value.headers["upload-offset"])
    assert 0 < stopped_at < large_clip.stat().st_size
    expect(page.locator("[data-upload-status]")).to_contain_text("Uploading")
    stalling["on"] = False

    with page.expect_request(_status_check) as asked, page.expect_request(_resumed_patch) as resumed:
        page.reload()
    assert asked.value.url.startswith(second_chunk.value.url.split("?")[0])
    assert int(resumed.value.headers["upload-offset"]) == stopped_at, (
        "resumed from elsewhere than the server's offset"
    )
    status = page.locator("[data-upload-status]")
    expect(status).to_contain_text("Published", timeout=PUBLISH_TIMEOUT_MS)
    link = page.get_by_role("link", name="View your video")
    expect(link).to_have_attribute("href", re.compile(r"^/v/[0-9a-f-]+$"))
    video_id = (link.get_attribute("href") or "").removeprefix("/v/")
    details = world.video(video_id, account)
    assert details["caption"] == caption
    assert details["visibility"] == "followers"
    assert details["media"]["width"] == 360

    context = new_context(browser, world)
    try:
        watcher = context.new_page()
        sign_in(watcher, follower)
        watcher.goto("/following")
        expect(watcher.locator(f'article.slide[data-video-id="{video_id}"]')).to_be_attached()
        assert active_video_id(watcher) == video_id
        wait_until_playing(watcher)
        expect(watcher.get_by_text(caption.split(" #")[0])).to_be_visible()
    finally:
        context.close()
