"""The comments sheet over a playing video: what someone writes, and the reply to it, are there
at once and still there when the sheet is opened again (they come from the server, not memory)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

from playwright.sync_api import APIResponse, Locator, Page, Route, expect

from tests.e2e.pages import active_slide, count, sign_in, wait_until_playing
from tests.e2e.world import Account, World


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


def _replying(page: Page, account: Account) -> tuple[Locator, str]:
    """The comments sheet open on the playing video, a comment of the viewer's posted and answered,
    and the composer set to reply to it: the sheet and the comment's id."""
    sign_in(page, account)
    page.goto("/")
    wait_until_playing(page)
    active_slide(page).get_by_role("button", name="Comments", exact=True).click()
    sheet = page.get_by_role("dialog", name="Comments")
    expect(sheet).to_be_visible()
    text = f"A comment to answer {secrets.token_hex(3)}"
    sheet.get_by_label("Add a comment").fill(text)
    sheet.get_by_role("button", name="Post", exact=True).click()
    mine = sheet.locator("[data-comment-id]").filter(has_text=text).first
    expect(mine).not_to_have_class(re.compile(r"\bpending\b"))
    mine.get_by_role("button", name="Reply", exact=True).click()
    comment_id = mine.get_attribute("data-comment-id")
    assert comment_id
    return sheet, comment_id


def _listed(world: World, account: Account, path: str, text: str) -> bool:
    """Whether the page at `path` (a video's comments, a comment's replies) lists `text` yet."""
    with world.client() as client:
        answer = client.get(path, headers=account.auth)
    return answer.status_code == 200 and any(item["text"] == text for item in answer.json()["items"])


def _settled(page: Page) -> None:
    """Whatever the page does with the answers it has: a task after them."""
    page.evaluate("() => new Promise((done) => setTimeout(done, 50))")


def _until(page: Page, ready: Callable[[], object], what: str) -> None:
    """Until `ready()`, waiting in the page meanwhile so that its requests reach the routes."""
    for _ in range(200):
        if ready():
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"{what}: not within 10 s")


def test_a_reply_the_thread_read_brings_back_after_its_post_is_answered_is_listed_once(
    page: Page, world: World, account: Account
) -> None:
    """A busy server answers the reply, and lists it, before the read of the thread the reply
    opened comes back: that read lists the reply too, and the sheet shows it once."""
    sheet, comment_id = _replying(page, account)
    reads: list[Route] = []
    page.route("**/v1/comments/*/replies*", lambda route: reads.append(route))
    reply = f"A reply read back {secrets.token_hex(3)}"
    sheet.get_by_label("Add a comment").fill(reply)
    sheet.get_by_role("button", name="Post", exact=True).click()
    expect(sheet.locator(".comment.pending")).to_have_count(0)  # the post is answered
    _until(
        page, lambda: _listed(world, account, f"/v1/comments/{comment_id}/replies", reply), "the reply listed"
    )
    _until(page, lambda: reads, "the thread read")
    with page.expect_response("**/v1/comments/*/replies*"):
        for route in reads:
            route.continue_()
    page.unroute("**/v1/comments/*/replies*")
    _settled(page)
    expect(sheet.get_by_text(reply)).to_have_count(1)


def test_a_reply_awaiting_its_answer_is_shown_once_though_the_server_lists_it_already(
    page: Page, world: World, account: Account
) -> None:
    """The server takes the reply and lists it, but its answer is slow: all the while the sheet shows
    the reply once (the thread it opened is not read back before the answer, when the reply would
    come back under an id the sheet does not know yet), and once after."""
    sheet, comment_id = _replying(page, account)
    holding = True
    reads: list[Route] = []
    answers: list[tuple[Route, APIResponse]] = []

    def on_read(route: Route) -> None:
        if holding:
            reads.append(route)
        else:
            route.continue_()

    page.route("**/v1/comments/*/replies*", on_read)
    page.route("**/v1/videos/*/comments", lambda route: answers.append((route, route.fetch())))
    reply = f"A reply answered late {secrets.token_hex(3)}"
    sheet.get_by_label("Add a comment").fill(reply)
    sheet.get_by_role("button", name="Post", exact=True).click()
    _until(
        page, lambda: _listed(world, account, f"/v1/comments/{comment_id}/replies", reply), "the reply listed"
    )
    holding = False
    for route in reads:  # a read made before the answer comes back now, the reply in it
        route.continue_()
    _settled(page)
    expect(sheet.get_by_text(reply)).to_have_count(1)
    assert answers, "the post was never sent"
    with page.expect_response(lambda response: "/replies" in response.url):  # the thread, read now
        for route, answer in answers:
            route.fulfill(response=answer)
    expect(sheet.locator(".comment.pending")).to_have_count(0)
    _settled(page)
    expect(sheet.get_by_text(reply)).to_have_count(1)
    page.unroute("**/v1/comments/*/replies*")
    page.unroute("**/v1/videos/*/comments")


def test_a_comment_posted_while_the_first_page_loads_is_shown_once(
    page: Page, world: World, account: Account
) -> None:
    """The sheet's first page is slow, and the server takes and lists a comment posted meanwhile but
    answers it late: the page, which holds the comment, is drawn only once the answer has come, so the
    comment shows once all along."""
    sign_in(page, account)
    page.goto("/")
    wait_until_playing(page)
    holding = True
    reads: list[Route] = []
    answers: list[tuple[Route, APIResponse]] = []

    def on_comments(route: Route) -> None:
        if route.request.method == "POST":
            answers.append((route, route.fetch()))
        elif holding:
            reads.append(route)
        else:
            route.continue_()

    page.route("**/v1/videos/*/comments*", on_comments)
    active_slide(page).get_by_role("button", name="Comments", exact=True).click()
    sheet = page.get_by_role("dialog", name="Comments")
    expect(sheet).to_be_visible()
    text = f"A comment over a slow page {secrets.token_hex(3)}"
    sheet.get_by_label("Add a comment").fill(text)
    sheet.get_by_role("button", name="Post", exact=True).click()
    _until(page, lambda: answers, "the post sent")
    video_id = answers[0][0].request.url.split("/v1/videos/")[1].split("/")[0]
    _until(
        page, lambda: _listed(world, account, f"/v1/videos/{video_id}/comments", text), "the comment listed"
    )
    holding = False
    assert reads, "the first page was never asked for"
    with page.expect_response(
        lambda response: response.request.method == "GET" and "/comments" in response.url
    ):
        for route in reads:  # the first page comes back now, the comment in it
            route.continue_()
    _settled(page)
    mine = sheet.locator("[data-comment-id]").filter(has_text=text)
    expect(mine).to_have_count(1)
    for route, answer in answers:
        route.fulfill(response=answer)
    expect(sheet.locator(".comment.pending")).to_have_count(0)
    _settled(page)
    expect(mine).to_have_count(1)
    page.unroute("**/v1/videos/*/comments*")


def test_a_comment_still_posting_when_the_order_changes_stays_in_the_sheet(
    page: Page, account: Account
) -> None:
    """The viewer posts, then switches to Top before the answer comes, and the answer comes before
    the new page is drawn: their comment stays in the sheet, once (the page leaves it out as seen)."""
    sign_in(page, account)
    page.goto("/")
    wait_until_playing(page)
    answers: list[tuple[Route, APIResponse]] = []
    page.route("**/v1/videos/*/comments", lambda route: answers.append((route, route.fetch())))
    with page.expect_response(lambda response: "/comments?" in response.url):  # the first page
        active_slide(page).get_by_role("button", name="Comments", exact=True).click()
    sheet = page.get_by_role("dialog", name="Comments")
    text = f"A comment posted before switching {secrets.token_hex(3)}"
    sheet.get_by_label("Add a comment").fill(text)
    sheet.get_by_role("button", name="Post", exact=True).click()
    _until(page, lambda: answers, "the post sent")
    sheet.get_by_role("tab", name="Top").click()
    for route, answer in answers:
        route.fulfill(response=answer)
    expect(sheet.locator(".comment.pending")).to_have_count(0)
    _settled(page)
    expect(sheet.locator("[data-comment-id]").filter(has_text=text)).to_have_count(1)
    page.unroute("**/v1/videos/*/comments")
