"""The busiest routers are matched first (``api.routers.MATCHED_FIRST``) and nothing else changes:
every request reaches the route it reached before, and the OpenAPI document is the same, byte for
byte, with its paths in the routers' order."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter
from starlette.routing import BaseRoute, Match

from api.docs_page import docs_router
from api.routers import MATCHED_FIRST, ROUTERS
from api.web_client import client_router
from tests.integration.api.harness import System

#: What each path parameter is replaced with: an id, and words other routes spell out.
SAMPLES = ("0190aaaa-bbbb-7ccc-8ddd-00000000000a", "following", "for-you", "trending", "me", "like", "x")


def chosen(routes: list[BaseRoute], method: str, path: str) -> str:
    """The route that answers, as Starlette and FastAPI pick it: the first full match, else the first
    partial one (a path with other methods: 405)."""
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "root_path": "",
        "headers": [],
        "query_string": b"",
    }
    partial = None
    for route in routes:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return f"{getattr(route, 'path', route)}"
        if match is Match.PARTIAL and partial is None:
            partial = f"partial {getattr(route, 'path', route)}"
    return partial or "none"


def in_order(routers: tuple[APIRouter, ...]) -> list[BaseRoute]:
    return [*docs_router("/openapi.json", "t").routes, *(r for router in routers for r in router.routes)]


def test_every_route_answers_the_requests_it_answered_when_the_busiest_are_matched_first() -> None:
    # Given the routes in the routers' order, and with the busiest routers first
    routers = (*ROUTERS, client_router(Path("web/dist")))
    first = (*MATCHED_FIRST, *(r for r in routers if r not in MATCHED_FIRST))
    before, after = in_order(routers), in_order(first)
    requests = {
        (method, re.sub(r"\{[^}]+\}", sample, getattr(route, "path", "/")))
        for route in before
        for method in getattr(route, "methods", None) or ("GET",)
        for sample in SAMPLES
    }

    # When each request is matched both ways / Then the same route answers it
    assert len(requests) > 300
    assert [chosen(before, m, p) for m, p in sorted(requests)] == [
        chosen(after, m, p) for m, p in sorted(requests)
    ]


def test_the_openapi_document_is_the_same_byte_for_byte_whichever_routers_are_matched_first(
    tmp_path: Path,
) -> None:
    # Given the app as it was, and the app matching the busiest routers first
    plain = System(tmp_path / "plain")
    hot = System(tmp_path / "hot", matched_first=MATCHED_FIRST)

    # When each serves its document
    try:
        documents = [s.client.get("/openapi.json").content for s in (plain, hot)]
    finally:
        plain.close()
        hot.close()

    # Then they are the same bytes, paths in the routers' order
    assert documents[0] == documents[1]
    assert documents[0].index(b'"/v1/feed/following"') > documents[0].index(b'"/v1/videos/{video_id}/like"')
