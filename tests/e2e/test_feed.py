"""The vertical feed in a real browser: it plays on its own, one video at a time, follows the
scroll, and what a viewer does to a video (like, follow) is shown at once and kept."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, Route, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e.pages import (
    ACTIVE_VIDEO,
    active_slide,
    active_video_id,
    count,
    playing_videos,
    sign_in,
    slide_of,
    wait_for_new_active,
    wait_until_playing,
    watch_playing,
)
from tests.e2e.world import Account, World, wait_until


def test_the_first_video_starts_muted_on_its_own_and_keeps_playing(page: Page) -> None:
    """The feed is watched, not clicked: the first video must play without a gesture (muted, as
    browsers allow), and not stall after its first frame."""
    page.goto("/")
    expect(page.get_by_role("tab", name="For You")).to_have_attribute("aria-selected", "true")
    wait_until_playing(page)
    assert page.eval_on_selector(ACTIVE_VIDEO, "v => v.muted") is True
    assert watch_playing(page, 1.5) >= 1.5
    assert playing_videos(page) == [active_video_id(page)]


def wheel_to_next(page: Page, current: str, tries: int = 3) -> str:
    """One wheel turn moves one slide; a turn that lands while the snap from the last move is still
    settling can be absorbed by it (no slide change, nothing playing wrongly), so turn again."""
    page.mouse.move(195, 400)
    for attempt in range(tries):
        page.mouse.wheel(0, 844)
        try:
            return wait_for_new_active(page, current, timeout_ms=4_000)
        except PlaywrightTimeout:
            if attempt == tries - 1:
                raise
    raise AssertionError("unreachable")


def test_scrolling_plays_the_next_video_and_pauses_the_one_left(page: Page) -> None:
    """Whatever moves the feed (keys, a wheel, a swipe that scrolls), exactly the slide in view
    plays: a video left behind must not keep playing (sound, battery) nor the next stay still."""
    page.goto("/")
    wait_until_playing(page)
    first = active_video_id(page)

    page.keyboard.press("ArrowDown")
    second = wait_for_new_active(page, first)
    wait_until_playing(page)
    assert playing_videos(page) == [second]

    third = wheel_to_next(page, second)
    wait_until_playing(page)
    assert third != first
    assert playing_videos(page) == [third]

    page.keyboard.press("ArrowUp")
    back = wait_for_new_active(page, third)
    assert back == second
    wait_until_playing(page)
    assert playing_videos(page) == [second]

    following = page.locator(f'article.slide[data-video-id="{third}"] ~ article.slide').first
    following.scroll_into_view_if_needed()
    fourth = wait_for_new_active(page, second)
    wait_until_playing(page)
    assert fourth not in (first, second, third)
    assert playing_videos(page) == [fourth]


def test_a_like_shows_at_once_and_is_still_there_after_a_reload(
    page: Page, world: World, account: Account
) -> None:
    """The like is drawn before the server answers (a held request proves it), then kept: a
    reload shows the pressed button and the count the server now has."""
    sign_in(page, account)
    page.goto("/")
    wait_until_playing(page)
    video_id = active_video_id(page)
    slide = active_slide(page)
    like = slide.get_by_role("button", name="Like", exact=True)
    expect(like).to_have_attribute("aria-pressed", "false")
    before = count(slide.locator('[data-count="likes"]'))

    held: list[Route] = []
    page.route("**/v1/videos/*/like", lambda route: held.append(route))
    like.click()
    expect(like).to_have_attribute("aria-pressed", "true")
    expect(slide.locator('[data-count="likes"]')).to_have_text(str(before + 1))
    assert held, "the like was never sent"
    for route in held:
        route.continue_()
    page.unroute("**/v1/videos/*/like")

    def recorded() -> bool:
        seen = world.video(video_id, account)
        return seen["liked_by_me"] is True and seen["stats"]["likes"] == before + 1

    wait_until(recorded, timeout_s=10, what=f"the like to be recorded and counted ({before + 1})")

    page.reload()
    again = slide_of(page, video_id)
    expect(again.get_by_role("button", name="Like", exact=True)).to_have_attribute("aria-pressed", "true")
    expect(again.locator('[data-count="likes"]')).to_have_text(str(before + 1))


def test_following_a_creator_brings_their_new_video_into_the_following_tab(
    page: Page, world: World, account: Account, phone_clip: Path
) -> None:
    """Follow is the button on the creator's profile; what they post next must reach the
    follower's Following tab, which is their feed of followed creators only."""
    creator = world.sign_up("maker")
    sign_in(page, account)
    page.goto(f"/u/{creator.user_id}")
    expect(page.get_by_text(f"@{creator.handle}")).to_be_visible()
    page.get_by_role("button", name="Follow", exact=True).click()
    expect(page.get_by_role("button", name="Unfollow", exact=True)).to_be_visible()
    wait_until(
        lambda: creator.user_id in world.followed_by(account), timeout_s=10, what="the follow to be recorded"
    )

    video_id = world.publish_clip(creator, phone_clip, "Fresh from someone you follow #e2e")

    page.goto("/")
    page.get_by_role("tab", name="Following").click()
    expect(page).to_have_url(re.compile(r"/following$"))
    expect(page.get_by_role("tab", name="Following")).to_have_attribute("aria-selected", "true")
    expect(slide_of(page, video_id)).to_be_attached()
    assert active_video_id(page) == video_id, "the newest video of a followed creator comes first"
    wait_until_playing(page)


def test_the_follow_button_on_a_slide_follows_its_creator(page: Page, world: World, account: Account) -> None:
    """The rail's "Follow <handle>" acts on the creator of the slide it sits on, and turns into
    "Unfollow <handle>" once done."""
    aiko = world.demo["aiko"]
    video_id = world.videos_of(aiko.user_id)[0]
    sign_in(page, account)
    page.goto(f"/v/{video_id}")
    slide = slide_of(page, video_id)
    slide.get_by_role("button", name="Follow aiko", exact=True).click()
    expect(slide.get_by_role("button", name="Unfollow aiko", exact=True)).to_be_visible()
    wait_until(
        lambda: aiko.user_id in world.followed_by(account),
        timeout_s=10,
        what="the follow to be recorded",
    )
