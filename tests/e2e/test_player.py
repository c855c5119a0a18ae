"""The player's promises in a real browser: taps pause and like, the sound choice is kept, the seek
bar seeks, only the next video's first segment is fetched ahead, data saver keeps to the lowest
rendition, and what was watched reaches the server when the page goes away."""

from __future__ import annotations

import re

from playwright.sync_api import Page, Request, expect

from tests.e2e.pages import (
    ACTIVE_SLIDE,
    ACTIVE_VIDEO,
    active_slide,
    active_video_id,
    sign_in,
    wait_until_playing,
)
from tests.e2e.world import Account, World, wait_until

#: ``/v1/media/…/videos/<video>/<upload>/<rendition>/seg-00001.m4s``
SEGMENT = re.compile(r"/videos/(?P<video>[0-9a-f-]{36})/[^/]+/(?P<rendition>[^/]+)/(?P<name>seg-\d+\.m4s)$")
#: Longer than a single tap waits for a second one.
TAP_SETTLES_MS = 400


def segments(requests: list[Request], video_id: str) -> list[tuple[str, str]]:
    """(rendition, segment name) of each segment of ``video_id`` the page asked for."""
    found = (SEGMENT.search(r.url.split("?")[0]) for r in requests)
    return [(m["rendition"], m["name"]) for m in found if m and m["video"] == video_id]


def paused(page: Page) -> bool:
    return bool(page.eval_on_selector(ACTIVE_VIDEO, "v => v.paused"))


def test_a_tap_pauses_and_resumes_and_a_double_tap_likes_with_a_heart(
    page: Page, world: World, account: Account
) -> None:
    """Tap is the only pause control on a phone; double tap is the like gesture, shown with a heart."""
    sign_in(page, account)
    page.goto("/")
    wait_until_playing(page)
    media = active_slide(page).locator(".slide-media")
    media.click()
    page.wait_for_timeout(TAP_SETTLES_MS)
    assert paused(page)
    media.click()
    page.wait_for_timeout(TAP_SETTLES_MS)
    assert not paused(page)

    video_id = active_video_id(page)
    media.dblclick()
    expect(active_slide(page).locator(".heart-burst")).to_be_attached()
    expect(active_slide(page).get_by_role("button", name="Like", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    wait_until(
        lambda: world.video(video_id, account)["liked_by_me"], timeout_s=10, what="the double-tap like"
    )


def test_unmuting_is_remembered_after_a_reload(page: Page) -> None:
    page.goto("/")
    wait_until_playing(page)
    active_slide(page).get_by_role("button", name="Unmute").click()
    assert page.eval_on_selector(ACTIVE_VIDEO, "v => v.muted") is False
    page.reload()
    wait_until_playing(page)
    assert page.eval_on_selector(ACTIVE_VIDEO, "v => v.muted") is False
    expect(active_slide(page).get_by_role("button", name="Mute")).to_be_visible()


def test_the_seek_bar_moves_the_video(page: Page) -> None:
    page.goto("/")
    wait_until_playing(page)
    active_slide(page).locator(".slide-media").click()
    page.wait_for_timeout(TAP_SETTLES_MS)
    slider = active_slide(page).get_by_role("slider", name="Seek")
    slider.focus()
    slider.press("End")
    duration = float(page.eval_on_selector(ACTIVE_VIDEO, "v => v.duration"))
    wait_until(
        lambda: page.eval_on_selector(ACTIVE_VIDEO, "v => v.currentTime") >= duration - 0.5,
        timeout_s=5,
        what="the video to seek to its end",
    )
    slider.press("Home")
    wait_until(
        lambda: page.eval_on_selector(ACTIVE_VIDEO, "v => v.currentTime") < 0.5,
        timeout_s=5,
        what="the video to seek to its start",
    )
    assert float(slider.get_attribute("aria-valuenow") or "-1") < 1


def test_only_the_next_videos_first_segment_is_fetched_ahead(page: Page) -> None:
    """Preloading the next video makes the swipe instant; fetching more would spend the viewer's data
    on videos they may never reach."""
    requests: list[Request] = []
    page.on("request", lambda request: requests.append(request))
    page.goto("/")
    wait_until_playing(page)
    following = page.locator(f"{ACTIVE_SLIDE} ~ article.slide").first
    next_id = following.get_attribute("data-video-id")
    assert next_id
    wait_until(lambda: segments(requests, next_id), timeout_s=15, what="the next video's first segment")
    page.wait_for_timeout(3_000)  # the active video goes on loading; the next one must not
    assert [name for _, name in segments(requests, next_id)] == ["seg-00001.m4s"], segments(requests, next_id)
    after = page.locator(f'article.slide[data-video-id="{next_id}"] ~ article.slide')
    for later in after.all():
        assert segments(requests, later.get_attribute("data-video-id") or "") == []


def test_data_saver_keeps_the_player_on_the_lowest_rendition(page: Page, world: World) -> None:
    page.add_init_script(
        "Object.defineProperty(navigator, 'connection', {configurable: true, value: {saveData: true,"
        " effectiveType: '4g', addEventListener() {}, removeEventListener() {}}})"
    )
    requests: list[Request] = []
    page.on("request", lambda request: requests.append(request))
    page.goto("/")
    wait_until_playing(page, after_s=2.0)
    video_id = active_video_id(page)
    renditions = world.video(video_id)["media"]["renditions"]
    assert len(renditions) > 1, "the demo videos have a ladder to choose from"
    lowest = min(renditions, key=lambda name: int(name.rstrip("p")))
    fetched = {rendition for rendition, _ in segments(requests, video_id)}
    assert fetched == {lowest}


def test_what_was_watched_reaches_the_server_when_the_page_goes_away(
    page: Page, world: World, account: Account
) -> None:
    """Signals are batched; the last batch leaves as the page hides (a keepalive request), or the
    feed would never learn from the last video someone watched before closing the app."""
    sign_in(page, account)
    page.goto("/")
    wait_until_playing(page, after_s=2.0)
    video_id = active_video_id(page)
    before = world.video(video_id)["stats"]
    page.goto("about:blank")

    def counted() -> bool:
        stats = world.video(video_id)["stats"]
        return bool(stats["views"] > before["views"] and stats["watch_ms"] > before["watch_ms"])

    wait_until(counted, timeout_s=15, what="the view and the watch time to be recorded")
