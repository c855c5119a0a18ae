"""What every route shares: problem documents, body limits, auth errors, rate limits, health."""

from __future__ import annotations

import time
from pathlib import Path

import jwt

from tests.integration.api.harness import SECRET, System


def test_an_oversized_body_is_refused_with_413_and_nothing_is_stored(tmp_path: Path) -> None:
    system = System(tmp_path, max_body_bytes=2048)
    token = system.anonymous_user().token
    before = system.store.head_position()
    body = (
        '{"signals": ['
        + ",".join(['{"kind":"view_start","client_event_id":"a","video_id":"v"}'] * 100)
        + "]}"
    )
    response = system.client.post(
        "/v1/activity",
        content=body,
        headers={"Authorization": f"Bearer {token}", "content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 413
    assert system.store.head_position() == before
    system.close()


def test_unknown_routes_and_methods_answer_with_problem_documents(system: System) -> None:
    missing = system.client.get("/v1/nothing-here")
    wrong_method = system.client.get("/v1/activity")
    assert (missing.status_code, wrong_method.status_code) == (404, 405)
    for response in (missing, wrong_method):
        assert response.headers["content-type"] == "application/problem+json"
        assert {"type", "title", "status", "detail"} <= response.json().keys()


def test_invalid_json_is_a_422_problem(system: System) -> None:
    token = system.anonymous_user().token
    response = system.client.post(
        "/v1/activity",
        content=b"{not json",
        headers={"Authorization": f"Bearer {token}", "content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["errors"]


def test_a_forged_expired_or_sessionless_token_is_refused(tmp_path: Path) -> None:
    system = System(tmp_path, token_ttl_s=60)
    user = system.anonymous_user()
    forged = user.token[:-4] + "AAAA"
    other = System(tmp_path / "other", token_ttl_s=-1)
    expired = other.anonymous_user().token
    now = int(time.time())
    # The shape tokens had before sessions: signed with the right secret, naming a role, no session
    sessionless = jwt.encode(
        {"sub": user.user_id, "role": "admin", "iat": now, "exp": now + 60, "iss": "strom"}, SECRET
    )
    for token in (forged, expired, sessionless, "not-a-jwt"):
        response = system.client.post(
            "/v1/activity", json={"signals": []}, headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
    other.close()
    system.close()


def test_writes_beyond_the_per_user_rate_are_refused_with_retry_after(tmp_path: Path) -> None:
    system = System(tmp_path, write_rate_per_s=0.01, write_burst=3)
    auth = system.anonymous_user().auth
    body = {"personalisation": True}
    statuses = [system.client.put("/v1/me/consent", json=body, headers=auth).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    limited = system.client.put("/v1/me/consent", json=body, headers=auth)
    assert int(limited.headers["retry-after"]) >= 1
    system.close()


def test_health_readiness_and_metrics(system: System) -> None:
    system.client.get("/healthz")
    assert system.client.get("/readyz").json() == {"status": "ready"}
    metrics = system.client.get("/metrics").text
    assert 'strom_http_request_seconds_count{method="GET",route="/healthz",status="200"}' in metrics


def test_readiness_reports_a_store_that_cannot_answer(system: System) -> None:
    system.store.close()
    system.store.path.unlink()
    system.store.path.mkdir()  # the database path is now a folder: nothing can open it
    response = system.client.get("/readyz")
    assert response.status_code == 503
    assert "event store" in response.json()["reason"]


def test_the_openapi_document_types_every_route(system: System) -> None:
    spec = system.client.get("/openapi.json").json()
    assert "/v1/activity" in spec["paths"]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary"), f"{method.upper()} {path} has no summary"


def test_readiness_reports_an_unreachable_cassandra_naming_its_host(tmp_path: Path) -> None:
    # Given an API whose read store points at a port where no Cassandra listens
    from read_models.cassandra import CassandraReadStore

    down = CassandraReadStore.from_url("cassandra://127.0.0.1:1/strom?connect_timeout=1")
    system = System(tmp_path, read_store=down)
    # When / Then: the process keeps serving and says why it is not ready
    response = system.client.get("/readyz")
    assert response.status_code == 503
    assert "127.0.0.1:1" in response.json()["reason"]
    assert system.client.get("/healthz").status_code == 200
    system.close()
