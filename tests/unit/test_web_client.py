"""The web client's own checks, run by ``make test``: its unit tests (``npm test`` in web/) pass, and
its API types are what the server states now, so client and server cannot drift apart unseen.

The types are generated from the OpenAPI document (``make api-types``: scripts/openapi_json.py writes
web/openapi.json, ``npm run gen`` makes web/src/generated/api.d.ts from it); both are committed, and
these tests rebuild them in a temporary folder and compare.
"""

from __future__ import annotations

import difflib
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
sys.path.insert(0, str(ROOT / "scripts"))

import openapi_json  # noqa: E402

STALE = "is not what the server states now: run `make api-types` and commit the result"


def web_tool(name: str) -> Path:
    """A tool the client's package.json installs; missing, the test skips, or fails under ``make test``
    (which installs them first: CI must not pass by skipping)."""
    path = WEB / "node_modules" / ".bin" / name
    if not path.exists():
        message = f"the web client's tools are not installed ({path}): run `make web`"
        if os.environ.get("STROM_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return path


def differences(committed: Path, fresh: str) -> str:
    """The start of a unified diff, committed to fresh: enough to see what changed."""
    lines = difflib.unified_diff(
        committed.read_text().splitlines(), fresh.splitlines(), str(committed), "fresh", lineterm="", n=2
    )
    return "\n".join(list(lines)[:60])


def test_the_committed_openapi_document_is_the_one_the_server_states() -> None:
    # Given the app as `strom run` builds it
    # When its OpenAPI document is written as the script writes it
    fresh = openapi_json.text(openapi_json.document())
    # Then it is the committed one
    committed = openapi_json.OUT
    assert fresh == committed.read_text(), f"{committed} {STALE}\n{differences(committed, fresh)}"


def test_the_committed_api_types_are_generated_from_the_server_s_document(tmp_path: Path) -> None:
    generator = web_tool("openapi-typescript")
    # Given the document the server states now
    document = tmp_path / "openapi.json"
    document.write_text(openapi_json.text(openapi_json.document()))
    # When the client's types are generated from it
    types = tmp_path / "api.d.ts"
    run = subprocess.run(
        [generator, document, "--output", types], cwd=WEB, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stdout + run.stderr
    # Then they are the committed ones
    committed, fresh = WEB / "src" / "generated" / "api.d.ts", types.read_text()
    assert fresh == committed.read_text(), f"{committed} {STALE}\n{differences(committed, fresh)}"


def test_the_client_s_unit_tests_pass() -> None:
    web_tool("tsc")
    # When the client's unit tests run (compiled by tsc, run by Node's test runner)
    run = subprocess.run(["npm", "test"], cwd=WEB, capture_output=True, text=True, timeout=300)
    # Then every one passes (the runner also fails when it finds none)
    assert run.returncode == 0, run.stdout[-20_000:] + run.stderr[-5_000:]
