"""The public transparency page as anyone meets it: a video is reported and a moderator removes it;
the page, reached from the profile menu, shows that month's counts in tables a screen reader can
walk (captions, row and column headers), fits a phone, and is usable by keyboard."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, expect

from tests.e2e.pages import horizontal_overflow, screenshot, sign_in, unnamed_controls
from tests.e2e.test_moderation_pages import SEEN_TIMEOUT_MS, make_moderator, report, tab_to
from tests.e2e.world import World, wait_until


def this_month(world: World) -> dict[str, Any] | None:
    """The current month of the public report, as the API answers it."""
    month = datetime.now(UTC).strftime("%Y-%m")
    with world.client() as http:
        answer = http.get("/v1/transparency", params={"month": month})
    if answer.status_code == 503:  # the read model is still being built
        return None
    answer.raise_for_status()
    found: dict[str, Any] = answer.json()["items"][0]
    return found


def figure(page: Page, caption: str, row: str) -> Locator:
    """The figure (last cell) of the row headed ``row`` in the table captioned ``caption``."""
    table = page.get_by_role("table", name=caption)
    return (
        table.get_by_role("row")
        .filter(has=page.get_by_role("rowheader", name=row, exact=True))
        .locator("td")
        .last
    )


def test_a_report_and_a_removal_show_in_the_months_counts(page: Page, world: World, phone_clip: Path) -> None:
    # Given a video reported as spam and removed by a moderator, which resolves its case
    owner, reporter = world.sign_up("owner"), world.sign_up("reporter")
    video_id = world.publish_clip(owner, phone_clip, "A clip someone will report")
    report(world, reporter, video_id, "spam", "The same clip again and again")
    moderator = make_moderator(world, "mod")
    with world.client() as http:
        removed = http.post(
            f"/v1/moderation/cases/video-{video_id}/resolve",
            json={"action": "remove_video", "reason": "Spam"},
            headers=moderator.auth,
        )
    removed.raise_for_status()
    counts = wait_until(
        lambda: (
            month
            if (month := this_month(world))
            and month["reports"].get("spam", 0) >= 1
            and month["actions"].get("remove_video", 0) >= 1
            and month["median_time_to_action"] is not None
            else None
        ),
        timeout_s=SEEN_TIMEOUT_MS / 1000,
        what="the report and the removal counted in this month's report",
    )

    # When someone opens the report from their profile's menu
    sign_in(page, reporter)
    page.goto(f"/u/{reporter.user_id}")
    page.get_by_role("link", name="Transparency report").click()

    # Then this month's counts are there, each in its table
    expect(page.get_by_role("heading", name="Transparency report")).to_be_visible()
    counts = this_month(world) or counts  # the month as it stands now (other tests report too)
    expect(figure(page, "Reports by reason", "Spam")).to_have_text(str(counts["reports"]["spam"]))
    expect(figure(page, "Who filed the reports", "People")).to_have_text(str(counts["reports_by"]["manual"]))
    expect(figure(page, "Actions by kind", "Remove video")).to_have_text(
        str(counts["actions"]["remove_video"])
    )
    expect(figure(page, "Automatic and manual actions", "Moderators")).to_have_text(
        str(counts["actions_by"]["manual"])
    )
    expect(figure(page, "Appeal outcomes", "Granted")).to_have_text(str(counts["appeals"].get("granted", 0)))
    median = counts["median_time_to_action"]
    expect(figure(page, "Median time from first report to action", "Cases settled")).to_have_text(
        str(median["of"])
    )
    expect(figure(page, "Median time from first report to action", "Median")).to_contain_text("about")
    # And the tables say what each header heads
    table = page.get_by_role("table", name="Actions by kind")
    expect(table.get_by_role("columnheader")).to_have_text(["Action", "Taken by", "Count"])
    expect(table.locator("th[scope=row]").first).to_be_visible()

    # And the month is chosen by keyboard; the page fits a phone and names every control
    tab_to(page, "Month")
    expect(page.get_by_label("Month")).to_be_focused()
    assert unnamed_controls(page) == []
    assert horizontal_overflow(page) == 0
    screenshot(page, "transparency-phone")
