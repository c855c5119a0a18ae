"""The moderation pages as moderators and the people they act on meet them: two reports put a video
in the queue, a moderator removes it from its case page by keyboard alone, its owner reads the notice
and appeals, another moderator grants the appeal and the video is back; and nobody else gets in."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.pages import (
    DESKTOP,
    PHONE,
    SESSION_KEY,
    horizontal_overflow,
    screenshot,
    sign_in,
    unnamed_controls,
)
from tests.e2e.world import ROOT, Account, World, server_env, wait_until

#: The projections behind the queue and the notices are live; on two busy cores allow seconds.
SEEN_TIMEOUT_MS = 15_000
#: How many Tab presses may separate one control from the next one wanted.
MAX_TABS = 60


def make_moderator(world: World, prefix: str) -> Account:
    """A new person made a moderator by the operator's command, then signed in again (the grant
    ends their sessions). An attached world's stores are the ones this shell's STROM_* name."""
    account = world.sign_up(prefix)
    attached = world.log.name == "attached.log"
    env = dict(os.environ) if attached else server_env(world.folder)
    command = [sys.executable, "-m", "strom", "users", "grant-role", account.handle, "moderator"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return world.sign_in(account.handle, account.handle * 2)


def sign_in_staff(page: Page, account: Account) -> None:
    """As a sign-in would leave it for a moderator: the session with its role, so the client shows
    staff their links."""
    page.goto("/healthz")
    session = {**account.session(), "role": "moderator"}
    page.evaluate("([key, value]) => localStorage.setItem(key, value)", [SESSION_KEY, json.dumps(session)])


def report(world: World, reporter: Account, video_id: str, reason: str, note: str) -> None:
    body = {"target_kind": "video", "target_id": video_id, "reason": reason, "note": note}
    with world.client() as http:
        http.post("/v1/reports", json=body, headers=reporter.auth).raise_for_status()


def queued_case(world: World, moderator: Account, case_id: str, **query: str) -> dict[str, Any] | None:
    with world.client() as http:
        answer = http.get("/v1/moderation/queue", params=query, headers=moderator.auth)
    answer.raise_for_status()
    return next((c for c in answer.json()["items"] if c["case_id"] == case_id), None)


def video_state(world: World, video_id: str, viewer: Account) -> str:
    state: str = world.video(video_id, viewer)["state"]
    return state


def tab_to(page: Page, name: str) -> None:
    """Presses Tab until the focused control is called ``name`` (its aria-label, label or text)."""
    for _ in range(MAX_TABS):
        focused = page.evaluate(
            """() => {
                const el = document.activeElement;
                if (!el || el === document.body) return '';
                const label = el.getAttribute('aria-label')
                    || (el.labels && el.labels[0] ? el.labels[0].textContent : '')
                    || el.textContent || '';
                return label.trim();
            }"""
        )
        if focused == name:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"no control called {name!r} within {MAX_TABS} Tab presses")


def test_a_reported_video_is_removed_by_keyboard_appealed_and_restored(
    page: Page, world: World, phone_clip: Path
) -> None:
    # Given a video reported by two people, and two moderators
    owner = world.sign_up("owner")
    video_id = world.publish_clip(owner, phone_clip, "A clip someone will report")
    reporters = list(world.demo.values())
    report(world, reporters[0], video_id, "spam", "Posted the same clip ten times")
    report(world, reporters[1], video_id, "violence", "Hard to watch")
    first, second = make_moderator(world, "mod"), make_moderator(world, "mod")
    case_id = f"video-{video_id}"
    wait_until(
        lambda: (queued_case(world, first, case_id) or {}).get("reports") == 2,
        timeout_s=SEEN_TIMEOUT_MS / 1000,
        what="the case with both reports in the queue",
    )

    # When the first moderator opens the queue from their profile
    sign_in_staff(page, first)
    page.goto(f"/u/{first.user_id}")
    page.get_by_role("link", name="Moderation queue").click()

    # Then the video's case is listed with both reports
    item = page.locator(f'[data-case-id="{case_id}"]')
    expect(item).to_be_visible()
    expect(item.locator('[data-fact="reports"]')).to_have_text("2")
    expect(item.get_by_role("list", name="Reasons")).to_contain_text("spam")

    # When they open the case and remove the video, with the keyboard alone
    case_link = item.get_by_role("link")
    expect(case_link).to_have_text(f"Video by @{owner.handle}")
    tab_to(page, f"Video by @{owner.handle}")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Video case")).to_be_visible()
    expect(page.get_by_text("Posted the same clip ten times")).to_be_visible()
    # (a dialog closed with Escape gives the keyboard back to the button that opened it)
    tab_to(page, "Dismiss")
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog", name="Dismiss this case")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_role("button", name="Dismiss")).to_be_focused()
    tab_to(page, "Remove video")
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Remove this video")
    expect(dialog).to_be_visible()
    # a reason is required: sending without one is stopped and says so
    tab_to(page, "Remove video")
    page.keyboard.press("Enter")
    expect(dialog.get_by_text("Give a reason")).to_be_visible()
    expect(dialog.get_by_label("Reason")).to_be_focused()
    page.keyboard.type("Repeated spam, as both reports say")
    tab_to(page, "Remove video")
    page.keyboard.press("Enter")

    # Then the case is resolved with the removal and its reason in the history, and the video is hidden
    expect(dialog).to_be_hidden()
    expect(page.locator("[data-case-state]")).to_have_text("Resolved", timeout=SEEN_TIMEOUT_MS)
    expect(page.get_by_role("region", name="History")).to_contain_text("Repeated spam, as both reports say")
    assert video_state(world, video_id, owner) == "hidden"
    assert unnamed_controls(page) == []
    assert horizontal_overflow(page) == 0
    screenshot(page, "moderation-case-phone")

    # When they strike the owner from the account's standing page, then take the strike back
    page.get_by_role("link", name="Account standing of the person who posted it").click()
    page.get_by_role("button", name="Strike").click()
    page.get_by_role("dialog", name="Record a strike").get_by_label("Reason").fill("Spam, again")
    page.get_by_role("dialog").get_by_role("button", name="Record strike").click()
    strikes = page.get_by_role("region", name="Strikes (1)")
    expect(strikes).to_be_visible(timeout=SEEN_TIMEOUT_MS)
    strikes.get_by_role("button", name="Remove strike 1").click()
    page.get_by_role("dialog", name="Remove this strike").get_by_label("Reason").fill("Counted twice")
    page.get_by_role("dialog").get_by_role("button", name="Remove strike").click()

    # Then the standing says so each time
    expect(page.get_by_role("region", name="Strikes (0)")).to_contain_text(
        "No strikes", timeout=SEEN_TIMEOUT_MS
    )

    # When the owner reads their notices and appeals
    sign_in(page, owner)
    page.goto("/notices")
    notice = page.locator('li.notice[data-action="remove_video"]')
    expect(notice).to_contain_text("Your video was removed", timeout=SEEN_TIMEOUT_MS)
    expect(notice).to_contain_text("Repeated spam, as both reports say")
    notice.get_by_role("button", name="Appeal: Your video was removed").click()
    appeal = page.get_by_role("dialog", name="Appeal")
    appeal.get_by_label("Your statement").fill("It is one clip, posted once")
    appeal.get_by_role("button", name="Send appeal").click()

    # Then the notice says the appeal is pending, and reads whole on a phone and on a desktop
    expect(notice.locator("[data-appeal]")).to_have_text("Appeal pending: a moderator will decide")
    assert unnamed_controls(page) == []
    screenshot(page, "notice-phone")
    page.set_viewport_size(DESKTOP["viewport"])
    expect(notice).to_contain_text("Repeated spam, as both reports say")
    assert horizontal_overflow(page) == 0
    screenshot(page, "notice-desktop")
    page.set_viewport_size(PHONE["viewport"])

    # When the second moderator finds the appeal in the queue and grants it
    sign_in_staff(page, second)
    page.goto("/moderation?reason=appeal")
    page.locator(f'[data-case-id="{case_id}"] a').click()
    expect(page.get_by_text("It is one clip, posted once")).to_be_visible()
    page.get_by_role("button", name="Grant appeal").click()
    decision = page.get_by_role("dialog", name="Grant the appeal")
    decision.get_by_label("Reason").fill("One upload, not spam")
    decision.get_by_role("button", name="Grant appeal").click()

    # Then the video is back, and its owner reads that their appeal was granted
    expect(decision).to_be_hidden()
    expect(page.get_by_role("region", name="History")).to_contain_text("granted", timeout=SEEN_TIMEOUT_MS)
    wait_until(
        lambda: video_state(world, video_id, owner) == "listed",
        timeout_s=SEEN_TIMEOUT_MS / 1000,
        what="the video listed again",
    )
    sign_in(page, owner)
    page.goto("/notices")
    expect(page.locator('li.notice[data-action="remove_video"] [data-appeal]')).to_have_text("Appeal granted")


def test_someone_who_is_not_staff_is_not_allowed_in_the_queue(page: Page, account: Account) -> None:
    # Given someone signed in who is not a moderator, on their profile
    sign_in(page, account)
    page.goto(f"/u/{account.user_id}")

    # Then they see a link to their notices but none to the queue
    expect(page.get_by_role("link", name="Notices")).to_be_visible()
    expect(page.get_by_role("link", name="Moderation queue")).to_have_count(0)

    # When they open the queue anyway
    page.goto("/moderation")

    # Then they are told plainly they are not allowed
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
