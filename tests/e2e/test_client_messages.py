"""What the server now says, as people meet it in the client: a suspended account's profile says it
is suspended (and tells its holder where to read why), a suspended author's comment reads as
withheld with its replies kept, a field the server refuses gets the server's message under it, and a
daily limit reached is told in words where the action was taken."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.pages import sign_in
from tests.e2e.test_moderation_pages import make_moderator
from tests.e2e.world import Account, World, wait_until

#: The moderation read model is live; on two busy cores allow seconds.
SEEN_TIMEOUT_S = 15.0


def comment(world: World, author: Account, video_id: str, text: str, parent_id: str | None = None) -> str:
    body: dict[str, Any] = {"text": text, **({"parent_id": parent_id} if parent_id else {})}
    with world.client() as http:
        answer = http.post(f"/v1/videos/{video_id}/comments", json=body, headers=author.auth)
    answer.raise_for_status()
    comment_id: str = answer.json()["comment_id"]
    return comment_id


def suspend(world: World, moderator: Account, user_id: str) -> None:
    body = {"reason": "Spam across many videos", "duration_hours": 24}
    with world.client() as http:
        answer = http.post(f"/v1/moderation/users/{user_id}/suspend", json=body, headers=moderator.auth)
    answer.raise_for_status()


def shown_suspended(world: World, user_id: str) -> bool:
    with world.client() as http:
        answer = http.get(f"/v1/users/{user_id}")
    return answer.is_success and answer.json().get("suspended") is True


def test_a_suspended_account_reads_as_suspended_and_its_comments_as_withheld(
    page: Page, world: World, account: Account
) -> None:
    # Given someone who commented on a video, with a reply under it, and was then suspended
    video_id = world.demo_videos[0]
    replier = world.sign_up("replier")
    parent = comment(world, account, video_id, "first words before the suspension")
    comment(world, replier, video_id, "a reply that stays", parent_id=parent)
    suspend(world, make_moderator(world, "mod"), account.user_id)
    wait_until(
        lambda: shown_suspended(world, account.user_id),
        timeout_s=SEEN_TIMEOUT_S,
        what="the profile to say suspended",
    )

    # When someone else opens their profile
    sign_in(page, replier)
    page.goto(f"/u/{account.user_id}")

    # Then it says the account is suspended instead of an empty grid
    expect(page.get_by_role("heading", name="This account is suspended")).to_be_visible()
    expect(page.get_by_text("No videos yet")).to_have_count(0)

    # When they open the video's comments
    page.goto(f"/v/{video_id}")
    page.get_by_role("button", name="Comments", exact=True).first.click()
    sheet = page.get_by_role("dialog", name="Comments")

    # Then the suspended author's comment reads "Comment withheld", with nothing to do on it, and its
    # reply is still there
    withheld = sheet.locator(f'[data-comment-id="{parent}"]')
    expect(withheld.locator(".comment-text").first).to_have_text("Comment withheld")
    expect(withheld.get_by_text("first words before the suspension")).to_have_count(0)
    expect(withheld.get_by_role("button", name="Reply", exact=True)).to_have_count(0)
    expect(withheld.get_by_role("button", name="Like comment")).to_have_count(0)
    withheld.get_by_role("button", name="View replies (1)").click()
    expect(withheld.get_by_text("a reply that stays")).to_be_visible()

    # And the suspended person sees on their own profile a banner pointing to their notices
    sign_in(page, account)
    page.goto(f"/u/{account.user_id}")
    banner = page.get_by_role("status").filter(has_text="Your account is suspended")
    expect(banner.get_by_role("link", name="Read the notice")).to_have_attribute("href", "/notices")


def test_a_field_the_server_refuses_shows_the_servers_message_under_that_field(page: Page) -> None:
    # Given a password the client counts as 8 characters (UTF-16 code units) and the server as 4
    page.goto("/signup")
    page.get_by_label("Handle").fill("fieldcheck_1")
    page.get_by_label("Email").fill("fieldcheck_1@e2e.strom.invalid")
    page.get_by_label("Display name").fill("Field Check")
    page.get_by_label("Password").fill("\U0001f511" * 4)

    # When the form is sent and the server refuses it in its field errors
    page.get_by_role("button", name="Create account").click()

    # Then the server's message stands under the password field, which is marked invalid
    password = page.get_by_label("Password")
    expect(password).to_have_attribute("aria-invalid", "true")
    error = page.locator(f"#{password.get_attribute('id')}-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("at least 8 characters")
    expect(page.locator(".form-problem")).to_be_hidden()


def test_a_daily_limit_reached_is_told_in_words_where_the_upload_was_started(
    page: Page, world: World, account: Account, phone_clip: Path
) -> None:
    # Given a new account that used up today's uploads (drafts count), as the server says
    with world.client() as http:
        for _ in range(100):
            answer = http.post("/v1/videos", headers=account.auth)
            if answer.status_code == 429:
                break
            answer.raise_for_status()
    assert answer.status_code == 429, "no daily limit of uploads in this world"
    allowed = answer.json()["allowed"]

    # When they start one more upload on the upload page
    sign_in(page, account)
    page.goto("/upload")
    page.get_by_label("Video file").set_input_files(phone_clip)
    page.get_by_label("Caption").fill("one too many")
    page.get_by_role("button", name="Upload", exact=True).click()

    # Then the page says the limit in words built from the problem's fields, not a bare error
    expect(page.locator("[data-upload-status]")).to_contain_text(
        f"You can upload {allowed} videos a day while your account is new; more tomorrow at 00:00 UTC"
    )
