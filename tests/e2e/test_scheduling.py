"""Publishing later from the browser, on a phone and on a desktop: the upload form's date-time field
takes the person's own time, the server records the UTC moment it names, and the owner sees the
video scheduled on its page and on their profile, while nobody else finds it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.pages import DESKTOP, PHONE, new_context, screenshot, sign_in
from tests.e2e.world import Account, World

#: A few seconds of 360p on two shared cores, plus the polling of the page.
PUBLISH_TIMEOUT_MS = 180_000
#: The browser's own zone, not UTC, so a time sent as typed (without its offset) would be caught.
ZONE = "America/Sao_Paulo"


@pytest.mark.parametrize(("size_name", "size"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_a_video_scheduled_from_the_upload_form_shows_as_scheduled_to_its_owner_alone(
    browser: Browser, world: World, account: Account, phone_clip: Path, size_name: str, size: dict[str, Any]
) -> None:
    # Given the owner on the upload page, in São Paulo
    context = new_context(browser, world, **size, timezone_id=ZONE)
    page = context.new_page()
    try:
        sign_in(page, account)
        page.goto("/upload")
        local = (datetime.now(ZoneInfo(ZONE)) + timedelta(days=2)).replace(
            hour=18, minute=30, second=0, microsecond=0
        )
        expected = local.astimezone(UTC)

        # When they choose a clip, a caption and a time two days ahead in their own time, and upload
        page.get_by_label("Video file").set_input_files(phone_clip)
        page.get_by_label("Caption").fill(f"Later, on {size_name} #scheduled")
        page.get_by_label("Publish at (optional)").fill(local.strftime("%Y-%m-%dT%H:%M"))
        page.get_by_role("button", name="Upload and schedule").click()

        # Then the upload ends scheduled, not published
        status = page.locator("[data-upload-status]")
        expect(status).to_contain_text("Scheduled for", timeout=PUBLISH_TIMEOUT_MS)
        screenshot(page, f"schedule-upload-{size_name}")
        link = page.get_by_role("link", name="View your video")
        expect(link).to_have_attribute("href", re.compile(r"^/v/[0-9a-f-]+$"))
        video_id = (link.get_attribute("href") or "").removeprefix("/v/")

        # And the server holds the UTC moment the local time names
        details = world.video(video_id, account)
        assert details["state"] == "draft"
        assert datetime.fromisoformat(details["schedule"]["publish_at"]) == expected
        assert details["caption"] is None or details["caption"] == ""  # not published: no details yet

        # And its page tells the owner when it will go out, with a way to call it off
        link.click()
        note = page.locator(".slide-scheduled")
        expect(note).to_contain_text("Scheduled for")
        expect(page.get_by_role("button", name="Cancel schedule")).to_be_visible()
        screenshot(page, f"schedule-video-{size_name}")

        # And their profile lists it
        page.goto(f"/u/{account.user_id}")
        scheduled = page.get_by_role("region", name="Scheduled")
        expect(scheduled.get_by_role("link", name=re.compile("^Scheduled for"))).to_have_attribute(
            "href", f"/v/{video_id}"
        )
        screenshot(page, f"schedule-profile-{size_name}")
    finally:
        context.close()

    # While nobody else finds it
    with httpx.Client(base_url=world.url) as http:
        assert http.get(f"/v1/videos/{video_id}").status_code == 404
    assert video_id not in world.videos_of(account.user_id)
