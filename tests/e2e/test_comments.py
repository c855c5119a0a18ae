"""The comments sheet over a playing video: what someone writes, and the reply to it, are there
at once and still there when the sheet is opened again (they come from the server, not memory)."""

from __future__ import annotations

import secrets

from playwright.sync_api import Page, expect

from tests.e2e.pages import active_slide, count, sign_in, wait_until_playing
from tests.e2e.world import Account


def test_a_comment_and_a_reply_to_it_appear_and_are_there_on_reopening(page: Page, account: Account) -> None:
    """Comment, reply to it through the comment's Reply button, close, reopen: both are listed,
    the reply under its comment, and the slide's comment count has grown."""
    sign_in(page, account)
    page.goto("/")
    wait_until_playing(page)
    slide = active_slide(page)
    comments_before = count(slide.locator('[data-count="comments"]'))
    text = f"A comment from the browser {secrets.token_hex(3)}"
    reply = f"And a reply to it {secrets.token_hex(3)}"

    slide.get_by_role("button", name="Comments", exact=True).click()
    sheet = page.get_by_role("dialog", name="Comments")
    expect(sheet).to_be_visible()
    sheet.get_by_label("Add a comment").fill(text)
    sheet.get_by_role("button", name="Post", exact=True).click()
    mine = sheet.locator("[data-comment-id]").filter(has_text=text).first
    expect(mine).to_be_visible()
    expect(sheet.get_by_label("Add a comment")).to_have_value("")

    mine.get_by_role("button", name="Reply", exact=True).click()
    expect(sheet.get_by_text(f"Replying to @{account.handle}")).to_be_visible()
    sheet.get_by_label("Add a comment").fill(reply)
    sheet.get_by_role("button", name="Post", exact=True).click()
    expect(sheet.get_by_text(reply)).to_be_visible()
    expect(sheet.get_by_text(f"Replying to @{account.handle}")).to_be_hidden()

    sheet.get_by_role("button", name="Close comments").click()
    expect(sheet).to_be_hidden()
    expect(slide.locator('[data-count="comments"]')).not_to_have_text(str(comments_before))
    assert count(slide.locator('[data-count="comments"]')) > comments_before

    slide.get_by_role("button", name="Comments", exact=True).click()
    expect(sheet).to_be_visible()
    parent = sheet.locator("[data-comment-id]").filter(has_text=text).first
    expect(parent).to_be_visible()
    parent.get_by_role("button", name="View replies (1)").click()
    expect(sheet.get_by_text(reply)).to_be_visible()
