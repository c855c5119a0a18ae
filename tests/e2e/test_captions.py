"""Captions in the browser, on a phone and on a desktop: the owner adds a WebVTT file from their
video's page, and the player shows its cue once CC is on, a choice kept across visits. The phone
watches a public video as a stranger; the desktop a private one as its owner, whose track comes
through a signed link that needs the bearer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.pages import (
    AT_BOTH_SIZES,
    DESKTOP,
    PHONE,
    new_context,
    screenshot,
    sign_in,
    wait_until_playing,
)
from tests.e2e.world import Account, World

CUE = "Hello from the captions"
#: The clip lasts 3 s and loops: a cue over all of it is active whenever it plays.
VTT = f"WEBVTT\n\n00:00.000 --> 00:03.000\n<script>alert(1)</script>{CUE}\n"


def cue_shown(page: Page) -> str:
    """Waits until the video's text track has an active cue and the slide draws it; returns the text."""
    page.wait_for_function(
        """() => {
            const v = document.querySelector('article.slide[data-active="true"] video');
            const track = v && v.textTracks[0];
            return !!track && track.mode !== 'disabled' && track.activeCues && track.activeCues.length > 0;
        }""",
        timeout=30_000,
    )
    drawn = page.locator('article.slide[data-active="true"] .subtitles')
    expect(drawn).to_be_visible()
    return drawn.inner_text()


def add_captions_as_owner(page: Page, video_id: str, vtt: Path) -> None:
    page.goto(f"/v/{video_id}")
    page.get_by_role("button", name="Edit captions").click()
    dialog = page.get_by_role("dialog", name="Captions")
    dialog.get_by_label("Language").fill("en")
    dialog.get_by_label("WebVTT file").set_input_files(vtt)
    dialog.get_by_role("button", name="Add captions").click()
    expect(dialog).to_be_hidden()


@pytest.mark.parametrize(
    ("size_name", "size", "visibility"), [("phone", PHONE, "public"), ("desktop", DESKTOP, "private")]
)
def test_captions_added_by_the_owner_show_in_the_player_once_cc_is_on(
    browser: Browser,
    world: World,
    account: Account,
    phone_clip: Path,
    tmp_path: Path,
    size_name: str,
    size: dict[str, Any],
    visibility: str,
) -> None:
    # Given the owner's published video (made private once listed, where the helper looks for it), and
    # captions added from its page
    caption = f"With captions on {size_name}"
    video_id = world.publish_clip(account, phone_clip, caption)
    if visibility != "public":
        edit = {"caption": caption, "hashtags": [], "visibility": visibility, "comments_allowed": True}
        with world.client() as http:
            http.put(f"/v1/videos/{video_id}", headers=account.auth, json=edit).raise_for_status()
    vtt = tmp_path / "captions.vtt"
    vtt.write_text(VTT)
    owner = new_context(browser, world, **size).new_page()
    # The viewer: a stranger on the phone (public), the owner on the desktop (private, signed)
    viewer = owner if visibility == "private" else new_context(browser, world, **size).new_page()
    try:
        sign_in(owner, account)
        add_captions_as_owner(owner, video_id, vtt)
        assert [t["lang"] for t in world.video(video_id, account)["captions"]] == ["en"]

        # When the viewer opens the video and turns CC on
        viewer.goto(f"/v/{video_id}")
        wait_until_playing(viewer)
        cc = viewer.locator('article.slide[data-active="true"] .cc-button')
        expect(cc).to_have_attribute("aria-pressed", "false")
        cc.click()

        # Then the cue becomes active and is drawn, as Strom re-wrote it (no markup)
        expect(cc).to_have_attribute("aria-pressed", "true")
        assert cue_shown(viewer) == f"alert(1){CUE}"
        screenshot(viewer, f"captions-{size_name}")

        # And the choice is kept: on the next visit the captions show at once
        viewer.reload()
        wait_until_playing(viewer)
        expect(viewer.locator('article.slide[data-active="true"] .cc-button')).to_have_attribute(
            "aria-pressed", "true"
        )
        assert CUE in cue_shown(viewer)
    finally:
        owner.context.close()
        if viewer is not owner:
            viewer.context.close()


@AT_BOTH_SIZES
def test_a_video_without_captions_offers_no_cc_button(page: Page) -> None:
    # Given the demo's videos, none with a caption track
    page.goto("/")
    wait_until_playing(page)
    # Then the playing slide draws no CC button, while its speed button is there
    slide = page.locator('article.slide[data-active="true"]')
    expect(slide.locator(".speed-button")).to_be_visible()
    expect(slide.locator(".cc-button")).to_be_hidden()
