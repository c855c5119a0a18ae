"""Signing up, out and in through the client's own forms, as a new person does."""

from __future__ import annotations

import secrets

from playwright.sync_api import Page, expect

from tests.e2e.pages import stored_session


def test_sign_up_sign_out_and_sign_in_again_through_the_forms(page: Page) -> None:
    """A new account is signed in straight away; signing out forgets the session (the nav says
    "Sign in" again) and the sign-in form brings back the same person."""
    handle = f"form_{secrets.token_hex(4)}"
    password = f"{handle}-password"
    nav = page.get_by_role("navigation", name="Main")

    page.goto("/signup")
    page.get_by_label("Handle", exact=True).fill(handle)
    page.get_by_label("Email").fill(f"{handle}@e2e.strom.invalid")
    page.get_by_label("Display name").fill(f"Form {handle}")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Create account").click()
    expect(nav.get_by_role("link", name="Profile")).to_be_visible()
    session = stored_session(page)
    assert session is not None, "signed up but no session was kept"
    user_id = session["userId"]

    nav.get_by_role("link", name="Profile").click()
    expect(page.get_by_text(f"@{handle}")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(nav.get_by_role("link", name="Sign in")).to_be_visible()
    assert stored_session(page) is None

    nav.get_by_role("link", name="Sign in").click()
    page.get_by_label("Handle or email").fill(handle)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(nav.get_by_role("link", name="Profile")).to_be_visible()
    again = stored_session(page)
    assert again is not None
    assert again["userId"] == user_id
