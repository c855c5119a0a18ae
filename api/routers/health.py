"""Liveness, readiness and metrics for the process supervisor and Prometheus."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from api.deps import AppStateDep
from api.responses import JSONBytes
from api.state import AppState
from commands.health import store_ready
from read_models.errors import ReadStoreError

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="The process is alive")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="The process can serve: its stores answer", responses={503: {}})
def readyz(state: AppStateDep) -> JSONBytes:
    """Not ready, with the reason, while a store cannot answer: the process stays up and retries."""
    problem = store_ready(state.ports) or _read_store_problem(state)
    if problem is None:
        return JSONBytes({"status": "ready"})
    return JSONBytes({"status": "not ready", "reason": problem}, status_code=503)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics(state: AppStateDep) -> Response:
    return state.metrics.exposition()


def _read_store_problem(state: AppState) -> str | None:
    if state.read_store is None:
        return None
    try:
        state.read_store.ping()
    except ReadStoreError as exc:
        return f"read store: {exc}"
    return None
