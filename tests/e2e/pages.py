"""What the browser tests do to and read from the client's pages, named as the selector contract
of the web client names things (roles and accessible names first, ``data-*`` hooks where a role
cannot say it)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page

from tests.e2e.world import ROOT, Account, World

SCREENSHOTS = ROOT / "web" / "test-results"
PHONE: dict[str, Any] = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}}
NARROW: dict[str, Any] = {"viewport": {"width": 360, "height": 740}}
#: Runs a test twice, its ``page`` at a phone's size and at a desktop's.
AT_BOTH_SIZES = pytest.mark.parametrize(
    "page", [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")], indirect=True
)
#: Long enough for a cold hls.js start on two busy cores, short enough to fail in a useful time.
PLAY_TIMEOUT_MS = 30_000
SESSION_KEY = "strom.session"

ACTIVE_SLIDE = 'article.slide[data-active="true"]'
ACTIVE_VIDEO = f"{ACTIVE_SLIDE} video"


def new_context(browser: Browser, world: World, **options: Any) -> BrowserContext:
    """A fresh profile (no cache, no storage) that resolves ``/paths`` against the world."""
    return browser.new_context(base_url=world.url, **{"viewport": PHONE["viewport"], **options})


def sign_in(page: Page, account: Account) -> None:
    """Puts the session where the client keeps it, as a sign-in would, without the form.

    A JSON document of the same origin is enough to reach its localStorage, and costs nothing."""
    page.goto("/healthz")
    page.evaluate(
        "([key, value]) => localStorage.setItem(key, value)", [SESSION_KEY, json.dumps(account.session())]
    )


def stored_session(page: Page) -> dict[str, Any] | None:
    raw = page.evaluate("key => localStorage.getItem(key)", SESSION_KEY)
    return None if raw is None else dict(json.loads(raw))


def active_slide(page: Page) -> Locator:
    return page.locator(ACTIVE_SLIDE)


def slide_of(page: Page, video_id: str) -> Locator:
    return page.locator(f'article.slide[data-video-id="{video_id}"]')


def active_video_id(page: Page) -> str:
    found = active_slide(page).get_attribute("data-video-id")
    assert found, "the active slide has no data-video-id"
    return found


def wait_until_playing(page: Page, *, after_s: float = 0.0, timeout_ms: float = PLAY_TIMEOUT_MS) -> float:
    """Until the active slide's video plays past ``after_s`` seconds; returns where it is."""
    page.wait_for_function(
        """(after) => {
            const v = document.querySelector('article.slide[data-active="true"] video');
            return !!v && !v.paused && v.readyState >= 2 && v.currentTime > after;
        }""",
        arg=after_s,
        timeout=timeout_ms,
    )
    position: float = page.eval_on_selector(ACTIVE_VIDEO, "v => v.currentTime")
    return position


def watch_playing(page: Page, seconds: float, timeout_ms: float = PLAY_TIMEOUT_MS) -> float:
    """Until the active video has played ``seconds`` more (summing forward steps, so a short
    video that loops still counts); returns how much it played."""
    played: float = page.eval_on_selector(
        ACTIVE_VIDEO,
        """(v, [seconds, timeoutMs]) => new Promise((resolve, reject) => {
            let last = v.currentTime, total = 0;
            const done = (end) => { v.removeEventListener('timeupdate', step); clearTimeout(timer); end(); };
            const step = () => {
                const delta = v.currentTime - last;
                if (delta > 0 && delta < 1.5) total += delta;
                last = v.currentTime;
                if (total >= seconds) done(() => resolve(total));
            };
            const timer = setTimeout(() => done(
                () => reject(new Error(`played ${total.toFixed(2)} s of ${seconds} s`))), timeoutMs);
            v.addEventListener('timeupdate', step);
        })""",
        [seconds, timeout_ms],
    )
    return played


def wait_for_new_active(page: Page, previous: str, timeout_ms: float = 10_000) -> str:
    """Until a slide other than ``previous`` is the active one; returns its video id."""
    page.wait_for_function(
        """(previous) => {
            const slide = document.querySelector('article.slide[data-active="true"]');
            return !!slide && slide.dataset.videoId !== previous;
        }""",
        arg=previous,
        timeout=timeout_ms,
    )
    return active_video_id(page)


def playing_videos(page: Page) -> list[str]:
    """The video ids of every feed video that is playing now (slides' ``data-video-id``)."""
    found: list[str] = page.evaluate(
        """() => [...document.querySelectorAll('article.slide video')]
                .filter(v => !v.paused && !v.ended)
                .map(v => v.closest('article.slide').dataset.videoId)"""
    )
    return found


def count(locator: Locator) -> int:
    """A count as shown (``1.2K`` is not expected in these tests: the numbers stay small)."""
    text = (locator.text_content() or "").strip()
    assert text.isdigit(), f"expected a plain number in {locator}, found {text!r}"
    return int(text)


#: Every control without an accessible name; a rough but strict accname: aria-label, aria-labelledby,
#: <label>, its own text, an image's alt, title, or the value of an input button.
UNNAMED_CONTROLS = """() => {
    const named = (el) => {
        const label = el.getAttribute('aria-label');
        if (label && label.trim()) return true;
        const by = el.getAttribute('aria-labelledby');
        if (by && by.split(/\\s+/).some(id => document.getElementById(id)?.textContent?.trim())) return true;
        if (el.labels && [...el.labels].some(l => l.textContent.trim())) return true;
        if ((el.innerText || '').trim()) return true;
        if ([...el.querySelectorAll('img[alt]')].some(img => img.alt.trim())) return true;
        if ((el.getAttribute('title') || '').trim()) return true;
        return el.tagName === 'INPUT' && ['submit', 'button', 'reset'].includes(el.type) && !!el.value;
    };
    return [...document.querySelectorAll('button, a, input, select, textarea')]
        .filter(el => el.type !== 'hidden' && el.checkVisibility() && !el.closest('[aria-hidden="true"]'))
        .filter(el => !named(el))
        .map(el => el.outerHTML.slice(0, 160));
}"""


def unnamed_controls(page: Page) -> list[str]:
    found: list[str] = page.evaluate(UNNAMED_CONTROLS)
    return found


def horizontal_overflow(page: Page) -> int:
    """How far the page is wider than its viewport, in CSS pixels (0 when it fits)."""
    overflow: int = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    return max(0, overflow)


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path
