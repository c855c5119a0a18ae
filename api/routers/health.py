"""Liveness, readiness and metrics for the process supervisor and Prometheus."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from api.deps import AppStateDep
from api.responses import JSONBytes
from commands.health import store_ready

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="The process is alive")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="The process can serve: its stores answer", responses={503: {}})
def readyz(state: AppStateDep) -> JSONBytes:
    problem = store_ready(state.ports)
    if problem is None:
        return JSONBytes({"status": "ready"})
    return JSONBytes({"status": "not ready", "reason": problem}, status_code=503)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics(state: AppStateDep) -> Response:
    return state.metrics.exposition()
