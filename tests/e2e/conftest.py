"""The browser tests' world: one ``strom run`` for the session (demo seeded), one headless Chromium,
a fresh browser profile per test, and fresh people signed up through the API.

``make test`` sets ``STROM_REQUIRE_BROWSER=1``: there a missing prerequisite fails instead of skipping.
Set ``STROM_E2E_URL`` to a server already running ``strom run`` to skip the start (and the minute or
more the demo takes to transcode) while working on the tests themselves.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.clips import clip
from tests.e2e.pages import new_context
from tests.e2e.world import (
    CHROMIUM,
    CHROMIUM_ARGS,
    Account,
    World,
    attached_world,
    missing_prerequisites,
    running_world,
)

#: What Chromium's console says when the Content-Security-Policy refuses something.
CSP = "Content Security Policy"


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    reason = missing_prerequisites()
    if reason is not None:
        message = f"browser tests need a built client, Chromium and ffmpeg: {reason}"
        if os.environ.get("STROM_REQUIRE_BROWSER") == "1":
            pytest.fail(message)  # make test installs and builds all three: CI must not pass by skipping
        pytest.skip(message)
    folder = tmp_path_factory.mktemp("strom-e2e")
    attach = os.environ.get("STROM_E2E_URL")
    if attach:
        yield attached_world(attach, folder)
        return
    with running_world(folder) as running:
        yield running


@pytest.fixture(scope="session")
def browser(world: World) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))
        yield chromium
        chromium.close()


@pytest.fixture
def page(request: pytest.FixtureRequest, browser: Browser, world: World) -> Iterator[Page]:
    """A phone-sized page (or sized as ``AT_BOTH_SIZES`` asks) in a profile of its own: nothing
    cached, nobody signed in. Whatever the test does there, the client must never trip its
    Content-Security-Policy."""
    context = new_context(browser, world, **getattr(request, "param", {}))
    context.set_default_timeout(15_000)
    refused: list[str] = []
    context.on("console", lambda message: refused.append(message.text) if CSP in message.text else None)
    yield context.new_page()
    context.close()
    assert not refused, f"the page broke its Content-Security-Policy: {refused}"


@pytest.fixture
def account(world: World) -> Account:
    """Someone who just signed up, with nothing of their own yet."""
    return world.sign_up()


@pytest.fixture(scope="session")
def phone_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A short portrait clip with sound, as a phone records it; quick to transcode."""
    return clip(tmp_path_factory.mktemp("clips") / "phone.mp4", size="360x640", seconds=3)


@pytest.fixture(scope="session")
def large_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same kind of clip padded to 32 Mbit/s (about 12 MB): more than two of the client's
    5 MiB tus chunks, so an upload of it can be cut between chunks."""
    cbr = ("-preset", "ultrafast", "-b:v", "32M", "-minrate", "32M", "-maxrate", "32M", "-bufsize", "4M")
    path = tmp_path_factory.mktemp("clips") / "large.mp4"
    return clip(path, size="360x640", seconds=3, extra=(*cbr, "-x264-params", "nal-hrd=cbr"))
