"""The API serves the built web client: its routes load the app, its hashed assets cache for a year,
and nothing outside the build folder or under the API's own paths is ever answered with the client."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api import problems
from api.web_client import client_router

INDEX = b"<!doctype html><title>Strom</title>"


def client_for(dist: Path) -> TestClient:
    app = FastAPI()
    problems.install(app)
    app.include_router(client_router(dist))
    return TestClient(app)


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    built = tmp_path / "dist"
    (built / "assets").mkdir(parents=True)
    (built / "index.html").write_bytes(INDEX)
    (built / "assets" / "index-abc123.js").write_text("console.log('strom')")
    (tmp_path / "secret.txt").write_text("not for the web")
    return built


@pytest.mark.parametrize("path", ["/", "/following", "/u/0190aaaa-bbbb-7ccc-8ddd-00000000000a", "/upload"])
def test_the_clients_routes_load_the_app_and_are_revalidated(dist: Path, path: str) -> None:
    response = client_for(dist).get(path)
    assert response.status_code == 200
    assert response.content == INDEX
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-cache"


def test_hashed_assets_are_cached_for_a_year(dist: Path) -> None:
    response = client_for(dist).get("/assets/index-abc123.js")
    assert response.status_code == 200
    assert response.text == "console.log('strom')"
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "javascript" in response.headers["content-type"]


def test_a_missing_file_is_a_404_not_the_app(dist: Path) -> None:
    response = client_for(dist).get("/assets/gone-123.js")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_unknown_api_paths_stay_api_problems(dist: Path) -> None:
    response = client_for(dist).get("/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json()["detail"] == "no such resource"


@pytest.mark.parametrize("path", ["/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt"])
def test_nothing_outside_the_build_folder_is_served(dist: Path, path: str) -> None:
    response = client_for(dist).get(path)
    assert b"not for the web" not in response.content


def test_without_a_build_the_api_says_how_to_make_one(tmp_path: Path) -> None:
    response = client_for(tmp_path / "missing").get("/")
    assert response.status_code == 503
    assert "make run" in response.json()["detail"]
