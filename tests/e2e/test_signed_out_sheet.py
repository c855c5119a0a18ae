"""Someone not signed in who likes a video, follows its creator or comments on it is asked to sign
in over the feed, not sent away from it: after signing in they are on the same video, at the same
place, and what they asked for is done. And the player's speed control: chosen with the keyboard,
kept across visits, clear of the caption."""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import Page, expect

from tests.e2e.layout import box
from tests.e2e.pages import (
    ACTIVE_SLIDE,
    ACTIVE_VIDEO,
    AT_BOTH_SIZES,
    active_slide,
    active_video_id,
    slide_of,
    wait_for_new_active,
    wait_until_playing,
)
from tests.e2e.world import Account, World, wait_until

#: Every test here runs at a phone's size and at a desktop's.
pytestmark = AT_BOTH_SIZES

FOCUS_IN_SHEET = "() => !!document.activeElement?.closest('[role=dialog][data-sheet=signin]')"


def feed_scroll(page: Page) -> float:
    top: float = page.eval_on_selector("[data-feed]", "feed => feed.scrollTop")
    return top


def test_a_signed_out_like_signs_in_over_the_feed_and_likes_the_same_video(
    page: Page, world: World, account: Account
) -> None:
    """A like while signed out used to leave the feed for the sign-in page (and the video with
    it): the sheet keeps the person where they were and does what they asked once they are in."""
    # given: nobody signed in, the second video of the feed in view
    page.goto("/")
    wait_until_playing(page)
    first = active_video_id(page)
    page.keyboard.press("ArrowDown")
    second = wait_for_new_active(page, first)
    slide = slide_of(page, second)
    like = slide.get_by_role("button", name="Like", exact=True)
    expect(like).to_have_attribute("aria-pressed", "false")
    page.wait_for_timeout(600)  # the snap settles
    where = feed_scroll(page)

    # when: they tap Like, then close the sheet with Escape
    like.click()
    sheet = page.get_by_role("dialog", name="Sign in to Strom")
    expect(sheet).to_be_visible()
    # then: the sheet is over the same page, its first labelled field has the cursor
    assert page.url == f"{world.url}/", page.url
    expect(sheet.get_by_label("Handle or email")).to_be_focused()
    page.keyboard.press("Escape")
    expect(sheet).to_be_hidden()
    expect(like).to_be_focused()
    expect(like).to_have_attribute("aria-pressed", "false")

    # when: they tap Like again and sign in with a wrong password, by keyboard only
    like.click()
    expect(sheet).to_be_visible()
    page.keyboard.type(account.handle)
    page.keyboard.press("Tab")
    page.keyboard.type("not-the-password")
    page.keyboard.press("Enter")
    # then: the server's refusal is shown in the sheet, and Tab never leaves it
    expect(sheet.get_by_role("alert")).to_have_text("Wrong handle, email or password.")
    expect(sheet.get_by_label("Password")).to_be_focused()
    for _ in range(6):
        page.keyboard.press("Tab")
        assert page.evaluate(FOCUS_IN_SHEET), "Tab left the sign-in sheet"

    # when: they sign in with the right password
    sheet.get_by_label("Password").fill(account.handle * 2)
    sheet.get_by_label("Password").press("Enter")

    # then: the sheet closes, the same video is in view at the same place, and it is liked
    expect(sheet).to_be_hidden()
    assert page.url == f"{world.url}/", page.url
    assert active_video_id(page) == second
    assert abs(feed_scroll(page) - where) < 2, (feed_scroll(page), where)
    expect(like).to_have_attribute("aria-pressed", "true")

    def recorded() -> bool:
        seen = world.video(second, account)
        return seen["liked_by_me"] is True

    wait_until(recorded, timeout_s=10, what="the like asked for before signing in to be recorded")


def second_slide_in_view(page: Page) -> tuple[str, float]:
    """Signed out, the feed moved on to its second video and settled there: its id and the scroll."""
    page.goto("/")
    wait_until_playing(page)
    first = active_video_id(page)
    page.keyboard.press("ArrowDown")
    second = wait_for_new_active(page, first)
    page.wait_for_timeout(600)  # the snap settles
    return second, feed_scroll(page)


def sign_in_over(page: Page, world: World, account: Account) -> None:
    """The sign-in sheet is open over the feed (the address unchanged); signs in through it."""
    sheet = page.get_by_role("dialog", name="Sign in to Strom")
    expect(sheet).to_be_visible()
    assert page.url == f"{world.url}/", page.url
    sheet.get_by_label("Handle or email").fill(account.handle)
    sheet.get_by_label("Password").fill(account.handle * 2)
    sheet.get_by_label("Password").press("Enter")
    expect(sheet).to_be_hidden()


def test_a_signed_out_follow_signs_in_over_the_feed_and_follows_that_creator(
    page: Page, world: World, account: Account
) -> None:
    """The "+" asks a signed-out person to sign in over the feed, then follows the creator of the
    video they were watching (and the button says so) without leaving it."""
    # given: nobody signed in, the second video of the feed in view, its creator's "+" on the rail
    second, where = second_slide_in_view(page)
    owner = world.video(second)["owner_id"]
    slide = slide_of(page, second)
    follow = slide.locator(".rail-follow")
    expect(follow).to_have_attribute("aria-label", re.compile(r"^Follow \w"))
    handle = (follow.get_attribute("aria-label") or "").removeprefix("Follow ")

    # when: they tap "+" and sign in over the feed
    follow.click()
    sign_in_over(page, world, account)

    # then: the same video is in view at the same place, and its creator is followed
    assert page.url == f"{world.url}/", page.url
    assert active_video_id(page) == second
    assert abs(feed_scroll(page) - where) < 2, (feed_scroll(page), where)
    expect(slide.locator(".rail-follow")).to_have_attribute("aria-label", f"Unfollow {handle}")
    asked = "the follow asked for before signing in"
    wait_until(lambda: owner in world.followed_by(account), timeout_s=10, what=asked)


def test_a_signed_out_comment_signs_in_over_the_feed_and_comments_on_the_same_video(
    page: Page, world: World, account: Account
) -> None:
    """Writing a comment signed out asks to sign in over the feed; the comments of the video they
    were watching then come back with a place to write, and what they post is on that video."""
    # given: nobody signed in, the second video of the feed in view, its comments opened
    second, where = second_slide_in_view(page)
    slide = slide_of(page, second)
    slide.get_by_role("button", name="Comments", exact=True).click()
    comments = page.get_by_role("dialog", name="Comments")
    expect(comments).to_be_visible()
    expect(comments.get_by_label("Add a comment")).to_have_count(0)

    # when: they try to write one, and sign in over the feed
    comments.get_by_role("button", name="Sign in to comment").click()
    sign_in_over(page, world, account)

    # then: the comments of the same video come back with a place to write, and the comment posts
    expect(comments).to_be_visible()
    assert active_video_id(page) == second
    assert abs(feed_scroll(page) - where) < 2, (feed_scroll(page), where)
    text = f"Signed in to say this {secrets.token_hex(3)}"
    comments.get_by_label("Add a comment").fill(text)
    comments.get_by_role("button", name="Post", exact=True).click()
    expect(comments.locator("[data-comment-id]").filter(has_text=text)).to_be_visible()

    def recorded() -> bool:
        with world.client() as http:
            answer = http.get(f"/v1/videos/{second}/comments", params={"limit": 100})
        mine = [c for c in answer.json()["items"] if c["text"] == text]
        return bool(mine) and mine[0]["author_id"] == account.user_id

    wait_until(recorded, timeout_s=10, what="the comment on the video in view when signing in")


def test_the_playback_speed_is_chosen_by_keyboard_and_kept_across_visits(page: Page) -> None:
    """Speed is a viewer's setting like sound: one choice holds for every video and the next visit,
    and its button sits clear of the caption it would otherwise hide."""
    # given: the feed playing at normal speed
    page.goto("/")
    wait_until_playing(page)
    speed = active_slide(page).get_by_role("button", name="Playback speed 1×")
    expect(speed).to_be_visible()
    assert page.eval_on_selector(ACTIVE_VIDEO, "v => v.playbackRate") == 1

    # when: the viewer focuses the speed button and presses Enter
    speed.focus()
    page.keyboard.press("Enter")

    # then: the video plays at 1.5× and the button says so
    expect(active_slide(page).get_by_role("button", name="Playback speed 1.5×")).to_be_visible()
    assert page.eval_on_selector(ACTIVE_VIDEO, "v => v.playbackRate") == 1.5
    button = box(active_slide(page).locator(".speed-button"))
    caption = box(active_slide(page).locator(".slide-info"))
    assert not button.overlaps(caption), (button, caption)

    # when: they come back later
    page.reload()
    wait_until_playing(page)

    # then: the speed they chose still holds
    kept = page.locator(f"{ACTIVE_SLIDE} .speed-button")
    expect(kept).to_have_attribute("aria-label", "Playback speed 1.5×")
    assert page.eval_on_selector(ACTIVE_VIDEO, "v => v.playbackRate") == 1.5
