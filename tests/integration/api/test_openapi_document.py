"""The OpenAPI document states what each route really answers: who must sign in, which 400s, 304s,
412s and 503s it gives, and the tus headers; a 405 names every method the path has."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.api.harness import System

BEARER: dict[str, list[str]] = {"HTTPBearer": []}
TUS_ROUTES = [
    ("post", "/v1/uploads"),
    ("head", "/v1/uploads/{upload_id}"),
    ("patch", "/v1/uploads/{upload_id}"),
]


@pytest.fixture
def spec(system: System) -> dict[str, Any]:
    document: dict[str, Any] = system.client.get("/openapi.json").json()
    return document


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m, p, op) for p, ops in spec["paths"].items() for m, op in ops.items()]


def parameter_names(operation: dict[str, Any]) -> set[str]:
    return {p["name"].lower() for p in operation.get("parameters", [])}


def test_a_bearer_a_route_accepts_but_does_not_need_is_optional(spec: dict[str, Any]) -> None:
    paths = spec["paths"]
    assert paths["/v1/videos/{video_id}"]["get"]["security"] == [{}, BEARER]
    assert paths["/v1/feed/for-you"]["get"]["security"] == [{}, BEARER]
    assert paths["/v1/videos"]["post"]["security"] == [BEARER]
    assert paths["/v1/feed/following"]["get"]["security"] == [BEARER]
    # a signed link plays only for the signed-in user it was made for
    assert paths["/v1/media/s/{token}/videos/{video_id}/{rest}"]["get"]["security"] == [BEARER]


def test_every_route_taking_a_cursor_a_key_or_a_body_documents_400(spec: dict[str, Any]) -> None:
    for method, path, operation in operations(spec):
        if parameter_names(operation) & {"cursor", "idempotency-key"} or "requestBody" in operation:
            assert "400" in operation["responses"], f"{method.upper()} {path}"


def test_the_idempotency_key_states_its_form(spec: dict[str, Any]) -> None:
    (key,) = (p for p in spec["paths"]["/v1/videos"]["post"]["parameters"] if p["name"] == "idempotency-key")
    assert key["schema"]["pattern"] == "^[\\x21-\\x7e]{1,255}$"


def test_every_route_but_liveness_documents_503_with_retry_after(spec: dict[str, Any]) -> None:
    for method, path, operation in operations(spec):
        if path == "/healthz":
            assert "503" not in operation["responses"]
        elif path != "/readyz":  # readiness answers 503 with its own document
            assert "Retry-After" in operation["responses"]["503"]["headers"], f"{method.upper()} {path}"


def test_routes_taking_if_none_match_document_304_and_the_etag(spec: dict[str, Any]) -> None:
    tagged = [(m, p, op) for m, p, op in operations(spec) if "if-none-match" in parameter_names(op)]
    assert len(tagged) >= 2
    for method, path, operation in tagged:
        assert "ETag" in operation["responses"]["304"]["headers"], f"{method.upper()} {path}"
        assert "ETag" in operation["responses"]["200"]["headers"], f"{method.upper()} {path}"


@pytest.mark.parametrize(("method", "path"), TUS_ROUTES)
def test_tus_routes_take_and_answer_tus_resumable_and_refuse_other_versions_with_412(
    spec: dict[str, Any], method: str, path: str
) -> None:
    operation = spec["paths"][path][method]
    (version,) = (p for p in operation["parameters"] if p["name"] == "Tus-Resumable")
    assert (version["in"], version["required"], version["schema"]["enum"]) == ("header", True, ["1.0.0"])
    assert "412" in operation["responses"]
    for status, response in operation["responses"].items():
        assert response["headers"]["Tus-Resumable"]["required"], f"{status}"


def test_tus_options_needs_no_version_but_answers_it(spec: dict[str, Any]) -> None:
    operation = spec["paths"]["/v1/uploads"]["options"]
    assert "tus-resumable" not in parameter_names(operation)
    assert "Tus-Resumable" in operation["responses"]["204"]["headers"]


def test_a_405_names_every_method_of_the_path(system: System) -> None:
    # GET and PUT /v1/me/consent are two routes: Starlette would name the first one only
    response = system.client.request("PATCH", "/v1/me/consent")
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == {"GET", "PUT"}
