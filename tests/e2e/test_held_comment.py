"""A comment screening holds, as its author meets it in the comments sheet: told at once that it
awaits review, and shown (to them) with a plain "Held for review" mark, then and on reopening."""

from __future__ import annotations

import secrets

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.pages import active_slide, sign_in, wait_until_playing
from tests.e2e.world import WATCHED_WORDS, Account, World


def test_a_held_comment_is_marked_for_its_author_and_a_toast_says_it_awaits_review(
    page: Page, world: World, account: Account
) -> None:
    if world.log.name == "attached.log":
        pytest.skip("writes the world's watched words, which an attached server does not read")
    # Given a watched word the operator added (the server reads the file again as it changes)
    word = f"heldword{secrets.token_hex(3)}"
    with (world.folder / WATCHED_WORDS).open("a") as words:
        words.write(f"{word}\n")
    text = f"this holds a {word} in it"

    # When someone comments with it over a playing video
    sign_in(page, account)
    page.goto("/")
    wait_until_playing(page)
    slide = active_slide(page)
    slide.get_by_role("button", name="Comments", exact=True).click()
    sheet = page.get_by_role("dialog", name="Comments")
    sheet.get_by_label("Add a comment").fill(text)
    sheet.get_by_role("button", name="Post", exact=True).click()

    # Then a toast says it awaits review, and the comment is marked held, with nothing to do on it
    expect(page.locator("#toasts")).to_contain_text("held for review")
    mine = sheet.locator("[data-comment-id]").filter(has_text=text).first
    expect(mine.get_by_text("Held for review", exact=True)).to_be_visible()
    expect(mine.get_by_role("button", name="Reply")).to_have_count(0)

    # And reopened, the sheet shows it again from the server, still marked held
    sheet.get_by_role("button", name="Close comments").click()
    expect(sheet).to_be_hidden()
    slide.get_by_role("button", name="Comments", exact=True).click()
    mine = sheet.locator("[data-comment-id]").filter(has_text=text).first
    expect(mine.get_by_text("Held for review", exact=True)).to_be_visible(timeout=15_000)
