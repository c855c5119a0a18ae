"""The API's docs page works with nothing but Strom reachable: Swagger UI comes from our own origin."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import Page, Route, expect

from tests.e2e.pages import AT_BOTH_SIZES
from tests.e2e.world import World

#: Every test here runs at a phone's size and at a desktop's.
pytestmark = AT_BOTH_SIZES


def test_the_docs_page_shows_the_api_with_no_other_site_reachable(page: Page, world: World) -> None:
    ours = urlsplit(world.url).netloc
    elsewhere: list[str] = []

    def only_ours(route: Route) -> None:
        if urlsplit(route.request.url).netloc == ours:
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort("internetdisconnected")

    page.route("**/*", only_ours)
    page.goto("/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Strom API")
    expect(page.get_by_text("/v1/feed/for-you").first).to_be_visible()
    assert elsewhere == []
