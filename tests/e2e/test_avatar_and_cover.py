"""A creator's pictures in a real browser, at phone and desktop sizes: uploading a profile picture
(a file the server refuses first, its reason shown as the server gives it), seeing it on the profile
and removing it; and choosing a video's cover with the keyboard on the scrubber, until the video's
poster is the chosen frame. Screenshots go to ``web/test-results/``."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.clips import ffmpeg
from tests.e2e.pages import (
    DESKTOP,
    PHONE,
    horizontal_overflow,
    new_context,
    screenshot,
    sign_in,
    unnamed_controls,
)
from tests.e2e.world import World, wait_until

SIZES = [("phone", PHONE), ("desktop", DESKTOP)]
#: The server makes a cover in a second or two; two busy cores and polling take longer.
COVER_TIMEOUT_MS = 60_000


@pytest.fixture(params=SIZES, ids=[name for name, _ in SIZES])
def sized(request: pytest.FixtureRequest, browser: Browser, world: World) -> Iterator[tuple[str, Page]]:
    name, size = request.param
    context = new_context(browser, world, **size)
    context.set_default_timeout(15_000)
    refused: list[str] = []
    context.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    yield name, context.new_page()
    context.close()
    assert not refused, f"the page broke its Content-Security-Policy: {refused}"


@pytest.fixture(scope="module")
def red_then_blue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A portrait clip, red for its first second and blue for the three after: a frame tells its time."""
    path = tmp_path_factory.mktemp("clips") / "red-then-blue.mp4"
    graph = (
        "color=c=red:s=360x640:r=30:d=1,format=yuv420p[r];"
        "color=c=blue:s=360x640:r=30:d=3,format=yuv420p[b];[r][b]concat=n=2:v=1:a=0[out]"
    )
    ffmpeg("-filter_complex", graph, "-map", "[out]", "-c:v", "libx264", str(path))
    return path


def a_photo(tmp_path: Path) -> Path:
    path = tmp_path / "me.jpg"
    picture = Image.new("RGB", (800, 600), (30, 140, 90))
    picture.paste((240, 200, 40), (300, 200, 500, 400))
    picture.save(path, "JPEG")
    return path


def colour_at_middle(world: World, url: str, viewer: dict[str, str]) -> tuple[int, ...]:
    with httpx.Client(base_url=world.url, timeout=30.0) as http:
        served = http.get(url, headers=viewer)
    served.raise_for_status()
    found: Any = Image.open(io.BytesIO(served.content)).convert("RGB").getpixel((180, 320))
    return tuple(found)


def test_the_owner_uploads_a_picture_sees_it_and_removes_it(
    sized: tuple[str, Page], world: World, tmp_path: Path
) -> None:
    size, page = sized
    account = world.sign_up("pic")
    sign_in(page, account)
    page.goto(f"/u/{account.user_id}")
    picker = page.get_by_role("region", name="Profile picture")
    expect(picker).to_be_visible()
    chooser = picker.get_by_label("Choose a picture")
    upload = picker.get_by_role("button", name="Upload picture")

    # Given a text file named like a picture, sent anyway: the server's reason is shown as it says it
    chooser.set_input_files({"name": "me.png", "mimeType": "image/png", "buffer": b"just words\n" * 30})
    upload.click()
    expect(picker.get_by_role("alert")).to_contain_text("not a JPEG, PNG or WebP picture")

    # When a real photo is chosen: it is previewed, and sent from the keyboard
    chooser.set_input_files(str(a_photo(tmp_path)))
    expect(picker.get_by_role("img", name="Preview of the chosen picture")).to_be_visible()
    expect(picker.get_by_role("alert")).to_be_hidden()
    upload.focus()
    page.keyboard.press("Enter")

    # Then the profile shows it, made square by the server, drawn from the media path
    expect(page.locator("#toasts")).to_contain_text("Picture saved", timeout=30_000)
    avatar = page.locator("header.profile-head img.avatar")
    page.wait_for_function(
        "() => { const i = document.querySelector('header.profile-head img.avatar');"
        " return !!i && i.complete && i.naturalWidth === 320 && i.naturalHeight === 320; }"
    )
    assert (avatar.get_attribute("src") or "").startswith(f"/v1/media/avatars/{account.user_id}/")
    assert unnamed_controls(page) == []
    assert horizontal_overflow(page) == 0
    expect(page.locator("#toasts .toast")).to_have_count(0, timeout=10_000)  # not over the picture
    screenshot(page, f"avatar-{size}")

    # And removing it takes the profile back to its initial
    page.get_by_role("region", name="Profile picture").get_by_role("button", name="Remove picture").click()
    expect(page.locator("header.profile-head .avatar-initial")).to_be_visible()
    expect(page.locator("header.profile-head img.avatar")).to_have_count(0)


def test_the_owner_chooses_a_cover_frame_with_the_keyboard_and_the_poster_becomes_it(
    sized: tuple[str, Page], world: World, red_then_blue: Path
) -> None:
    size, page = sized
    # Given a published video whose poster processing took from its red first second
    account = world.sign_up("cover")
    video_id = world.publish_clip(account, red_then_blue, f"colours {size}")
    before = world.video(video_id, account)["playback"]["poster"]
    assert colour_at_middle(world, before, account.auth)[0] > 150, "the first poster is not red"

    # When its owner opens the cover chooser and moves the scrubber by keyboard to 2.5 s
    sign_in(page, account)
    page.goto(f"/v/{video_id}/cover")
    slider = page.get_by_role("slider", name="Cover frame")
    expect(slider).to_be_visible()
    page.wait_for_function("() => (document.querySelector('video.cover-preview')?.readyState ?? 0) >= 1")
    slider.focus()
    slider.press("Home")
    slider.press("PageUp")
    slider.press("PageUp")
    for _ in range(5):
        slider.press("ArrowRight")
    expect(page.locator("output.cover-readout")).to_have_text("0:02.5")
    expect(slider).to_have_attribute("aria-valuetext", "0:02.5 of 0:04.0")
    # Then the preview shows that moment
    page.wait_for_function(
        "() => { const v = document.querySelector('video.cover-preview');"
        " return !!v && Math.abs(v.currentTime - 2.5) < 0.2 && !v.seeking && v.readyState >= 2; }"
    )
    assert unnamed_controls(page) == []
    assert horizontal_overflow(page) == 0
    screenshot(page, f"cover-{size}")

    # When it is saved
    page.get_by_role("button", name="Save cover").click()
    status = page.locator("p.cover-status")
    expect(status).to_have_text("Cover saved: the frame at 0:02.5", timeout=COVER_TIMEOUT_MS)

    # Then the video's poster is a new picture, the blue frame, and the page shows it
    def new_poster() -> str | None:
        poster: str = world.video(video_id, account)["playback"]["poster"]
        return poster if poster != before else None

    after = wait_until(new_poster, timeout_s=10, what="the new poster")
    assert "/covers/" in after
    assert colour_at_middle(world, after, account.auth)[2] > 150, "the cover is not the blue frame"
    page.wait_for_function(
        "() => { const i = document.querySelector('img.cover-current');"
        " return !!i && i.complete && i.naturalWidth > 0; }"
    )
    expect(page.locator("#toasts .toast")).to_have_count(0, timeout=10_000)
    screenshot(page, f"cover-saved-{size}")
