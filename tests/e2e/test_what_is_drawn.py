"""What the feed draws, measured as drawn, on a phone and on a desktop: the seek bar fills as the video
plays and shows its thumb, a portrait video fills its slide with the sound button on the picture, the
reason reads over a bright video, a toast keeps off the caption and the rail, and no page logs an
error (a missing icon included)."""

from __future__ import annotations

from dataclasses import astuple

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.e2e.layout import box, clipped_by, contrast_over_white, picture
from tests.e2e.pages import ACTIVE_VIDEO, AT_BOTH_SIZES, active_slide, wait_until_playing
from tests.e2e.world import World

#: Every test here runs at a phone's size and at a desktop's.
pytestmark = AT_BOTH_SIZES
#: Longer than a single tap waits for a second one.
TAP_SETTLES_MS = 400
#: WCAG AA for small text.
READABLE = 4.5


def portrait_video(world: World) -> str:
    for video_id in world.demo_videos:
        media = world.video(video_id)["media"]
        if media["height"] > media["width"]:
            return video_id
    raise AssertionError("the demo has no portrait video")


def test_the_seek_bar_draws_how_far_the_video_played_and_shows_its_thumb(page: Page) -> None:
    page.goto("/")
    wait_until_playing(page, after_s=1.0)
    active_slide(page).locator(".slide-media").click()
    page.wait_for_timeout(TAP_SETTLES_MS)
    played = page.eval_on_selector(ACTIVE_VIDEO, "v => v.currentTime / v.duration")
    slider = active_slide(page).get_by_role("slider", name="Seek")
    track, fill = box(slider.locator(".seek-track")), box(slider.locator(".seek-fill"))
    assert played > 0.05
    assert fill.width / track.width == pytest.approx(played, abs=0.03)

    slider.hover()
    thumb = slider.locator(".seek-thumb")
    expect(thumb).to_have_css("opacity", "1")
    assert clipped_by(thumb) is None
    drawn = box(thumb)
    assert (drawn.left + drawn.right) / 2 == pytest.approx(track.left + played * track.width, abs=2)


def test_a_portrait_video_fills_its_slide_and_the_sound_button_sits_on_the_picture(
    page: Page, world: World
) -> None:
    page.goto(f"/v/{portrait_video(world)}")
    wait_until_playing(page)
    slide = active_slide(page)
    shown = picture(slide.locator("video"))
    assert astuple(shown) == pytest.approx(astuple(box(slide)), abs=1), "the picture leaves bars in its slide"
    assert shown.contains(box(slide.get_by_role("button", name="Unmute")))
    assert shown.contains(box(slide.locator(".rail")))


def test_the_reason_for_a_video_reads_over_the_brightest_picture(page: Page) -> None:
    page.goto("/")
    reason = active_slide(page).locator(".slide-reason")
    expect(reason).to_be_visible()
    assert contrast_over_white(reason) >= READABLE


def test_a_toast_keeps_off_the_caption_the_rail_and_the_sound_button(page: Page) -> None:
    page.goto("/")
    slide = active_slide(page)
    caption = slide.locator(".slide-caption")
    expect(caption).to_be_visible()
    slide.get_by_role("button", name="Share").click()  # says the link was copied, or shows it
    toast = page.locator(".toast").first
    expect(toast).to_be_visible()
    drawn = box(toast)
    for covered in (slide.locator(".slide-info"), slide.locator(".rail"), slide.locator(".mute-button")):
        assert not drawn.overlaps(box(covered)), f"the toast covers {covered}"


def test_no_page_logs_an_error_and_each_has_an_icon(page: Page, world: World) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(_said(m)) if m.type == "error" else None)
    for path in ("/", "/signin", "/upload", f"/u/{world.demo['mira'].user_id}"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
    icon = page.locator("link[rel='icon']").get_attribute("href")
    assert icon is not None, "the page names no icon"
    with world.client() as http:
        answer = http.get(icon)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("image/")
    page.wait_for_timeout(500)  # a late message still counts
    assert errors == []


def _said(message: ConsoleMessage) -> str:
    return f"{message.text} ({message.location.get('url', '')})"
