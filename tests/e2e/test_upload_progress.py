"""The upload page's progress bar, measured as drawn: it sits inside its panel, and its fill is as
wide as the share sent while uploading and the share done while processing, which shows its way
from 0 % to done rather than jumping there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Request, Route, expect

from tests.clips import clip
from tests.e2e.layout import box, clipped_by
from tests.e2e.pages import AT_BOTH_SIZES, sign_in
from tests.e2e.world import Account

#: Every test here runs at a phone's size and at a desktop's.
pytestmark = AT_BOTH_SIZES

#: The upload and processing of a few seconds of video on two shared cores, plus the page's polling.
PUBLISH_TIMEOUT_MS = 180_000
#: How often the page's bar is sampled while the video is processed (the page polls every 2 s).
SAMPLE_MS = 100

#: Status text, the value announced, and the fill's drawn share of the bar in percent.
SAMPLER = """(every) => {
    window.stromBar = [];
    setInterval(() => {
        const bar = document.querySelector('[role="progressbar"]');
        const status = document.querySelector('[data-upload-status]');
        if (!bar || !status) return;
        const fill = bar.firstElementChild.getBoundingClientRect();
        const drawn = Math.round(100 * fill.width / bar.getBoundingClientRect().width);
        window.stromBar.push([status.textContent, Number(bar.getAttribute('aria-valuenow')), drawn]);
    }, every);
}"""


@pytest.fixture(scope="module")
def long_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Long enough that processing takes several of the page's 2 s polls."""
    return clip(tmp_path_factory.mktemp("clips") / "long.mp4", size="720x1280", seconds=16)


def _resumed_patch(request: Request) -> bool:
    return request.method == "PATCH" and request.headers.get("upload-offset", "0") != "0"


def test_the_bar_sits_in_its_panel_and_draws_the_share_sent(
    page: Page, account: Account, large_clip: Path
) -> None:
    """The second chunk is held, so the page stays at the share the first one sent."""
    sign_in(page, account)
    page.goto("/upload")
    held: list[Route] = []
    page.route("**/v1/uploads/**", lambda r: held.append(r) if _resumed_patch(r.request) else r.continue_())
    page.get_by_label("Video file").set_input_files(large_clip)
    with page.expect_request(_resumed_patch):
        page.get_by_role("button", name="Upload", exact=True).click()

    bar = page.get_by_role("progressbar", name="Upload progress")
    expect(bar).not_to_have_attribute("aria-valuenow", "0")
    sent = int(bar.get_attribute("aria-valuenow") or "0")
    expect(page.locator("[data-upload-status]")).to_have_text(f"Uploading {sent}%")
    assert box(page.locator(".upload-progress")).contains(box(bar))
    assert clipped_by(bar) is None
    page.wait_for_timeout(400)  # the fill's width eases in
    assert 100 * box(bar.locator(":scope > *")).width / box(bar).width == pytest.approx(sent, abs=2)
    page.unroute("**/v1/uploads/**")


def test_processing_shows_how_far_it_has_got(page: Page, account: Account, long_clip: Path) -> None:
    sign_in(page, account)
    page.goto("/upload")
    page.evaluate(SAMPLER, SAMPLE_MS)
    page.get_by_label("Video file").set_input_files(long_clip)
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.locator("[data-upload-status]")).to_have_text("Published", timeout=PUBLISH_TIMEOUT_MS)

    samples: list[list[Any]] = page.evaluate("window.stromBar")
    midway = [(value, drawn) for text, value, drawn in samples if 0 < value < 100 and "Processing" in text]
    steps = sorted({value for value, _ in midway})
    assert len(steps) >= 2, f"processing did not show its way to done: {sorted({s[0] for s in samples})}"
    assert any(abs(value - drawn) <= 2 for value, drawn in midway), f"the fill is not drawn: {midway}"
