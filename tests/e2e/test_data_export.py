"""Someone downloads their data from their own profile: asks for it, waits while it is prepared,
and saves a zip that holds their account."""

from __future__ import annotations

import json
import zipfile

from playwright.sync_api import Page, expect

from tests.e2e.pages import sign_in
from tests.e2e.world import Account, World

#: The exporter builds in the background; on two busy cores a small account takes seconds.
PREPARED_TIMEOUT_MS = 60_000


def test_a_person_downloads_their_data_from_their_profile(page: Page, world: World, account: Account) -> None:
    # Given someone signed in, on their own profile
    sign_in(page, account)
    page.goto(f"/u/{account.user_id}")

    # When they ask for their data
    page.get_by_role("button", name="Download your data").click()

    # Then once it is prepared they are offered it
    status = page.locator(".profile-export-status")
    link = page.get_by_role("link", name="Save your data")
    expect(link).to_be_visible(timeout=PREPARED_TIMEOUT_MS)
    expect(status).to_contain_text("Your data is ready")
    # and what they save is a zip of their account, their email readable
    with page.expect_download() as saving:
        link.click()
    with zipfile.ZipFile(saving.value.path()) as archive:
        events = json.loads(archive.read("events.json"))
        profile = json.loads(archive.read("profile.json"))
    assert profile["email"] == f"{account.handle}@e2e.strom.invalid"
    assert any(e["type"] == "DataExportRequested" for e in events)
    assert saving.value.suggested_filename.startswith("strom-data-")
