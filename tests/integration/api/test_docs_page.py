"""``/docs`` is Swagger UI served from our own origin, with the web client mounted as ``strom run``
mounts it (its catch-all route last): the page names no other site, and its policy allows none."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.routers import ROUTERS
from api.web_client import client_router
from tests.integration.api.harness import SECRET, System


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    dist = tmp_path / "dist"
    (dist / "swagger-ui").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>Strom</title>")
    (dist / "swagger-ui" / "swagger-ui-bundle.js").write_text("/* the viewer */")
    system = System(tmp_path)
    app = create_app(system.ports, secret=SECRET, routers=(*ROUTERS, client_router(dist)))
    with TestClient(app) as http:
        yield http
    system.close()


def test_the_docs_page_loads_swagger_ui_from_our_own_origin(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert "/swagger-ui/swagger-ui-bundle.js" in sources
    assert "/swagger-ui/swagger-ui.css" in sources
    assert all(s.startswith("/") and not s.startswith("//") for s in sources), sources
    assert "https://" not in page.headers["content-security-policy"]
    assert client.get("/swagger-ui/swagger-ui-bundle.js").status_code == 200
