"""Every answer tells the browser how little to trust it: no sniffing, no referrer, no framing, and a
Content-Security-Policy fitting what it is (the web client, the API docs, anything else)."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.web_client import client_router
from tests.integration.api.harness import System

ROOT = Path(__file__).resolve().parents[3]
ALWAYS = {"x-content-type-options": "nosniff", "referrer-policy": "no-referrer", "x-frame-options": "DENY"}
INDEX = b'<!doctype html><title>Strom</title><script type="module" src="/assets/index-1.js"></script>'


@pytest.fixture
def system(tmp_path: Path) -> Iterator[System]:
    """The API with the web client mounted after it, as ``strom run`` serves them."""
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "index.html").write_bytes(INDEX)
    s = System.with_read_side(tmp_path)
    s.app.include_router(client_router(dist))
    yield s
    s.close()


def policy(header: str) -> dict[str, set[str]]:
    directives = (d.split() for d in header.split(";") if d.strip())
    return {name: set(values) for name, *values in directives}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/healthz"),  # JSON
        ("GET", "/v1/trending"),  # a query
        ("GET", "/v1/no-such-route"),  # a 404 problem
        ("DELETE", "/v1/trending"),  # a 405 problem
        ("POST", "/v1/videos"),  # a 401 problem
        ("GET", "/openapi.json"),
        ("GET", "/"),  # the web client
        ("GET", "/docs"),
    ],
)
def test_every_answer_forbids_sniffing_referrers_and_framing(system: System, method: str, path: str) -> None:
    response = system.client.request(method, path)
    for name, value in ALWAYS.items():
        assert response.headers[name] == value, f"{method} {path}: {name}"
    assert policy(response.headers["content-security-policy"])["frame-ancestors"] == {"'none'"}


def test_api_answers_may_load_and_run_nothing(system: System) -> None:
    csp = policy(system.client.get("/v1/trending").headers["content-security-policy"])
    assert csp["default-src"] == {"'none'"}


def test_the_web_client_runs_only_its_own_files_and_plays_media_source_blobs(system: System) -> None:
    csp = policy(system.client.get("/u/someone").headers["content-security-policy"])
    assert csp["script-src"] == {"'self'"}  # no inline script, no eval
    assert csp["style-src"] == {"'self'"}
    assert csp["media-src"] == {"'self'", "blob:"}  # hls.js gives the <video> a MediaSource blob URL
    assert csp["img-src"] == {"'self'", "blob:"}  # private posters are fetched with the bearer
    assert csp["connect-src"] == {"'self'"}
    assert csp["object-src"] == {"'none'"}


def test_the_docs_page_runs_its_own_inline_script_and_no_other(system: System) -> None:
    # Given the Swagger UI page, which starts the viewer with one inline script
    response = system.client.get("/docs")
    (inline,) = re.findall(rb"<script>(.*?)</script>", response.content, re.DOTALL)
    # Then exactly that script is allowed, by its hash, beside the viewer's own files
    digest = base64.b64encode(hashlib.sha256(inline).digest()).decode()
    csp = policy(response.headers["content-security-policy"])
    assert csp["script-src"] == {"'self'", f"'sha256-{digest}'"}
    assert csp["connect-src"] == {"'self'"}  # it fetches /openapi.json and tries requests out


def test_the_built_client_has_no_inline_script_or_style_the_policy_would_block() -> None:
    index = ROOT / "web" / "dist" / "index.html"
    if not index.exists():
        pytest.skip("the web client is not built (make test builds it)")
    html = index.read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "an inline script: CSP script-src 'self'"
    assert "<style" not in html
    assert " style=" not in html
