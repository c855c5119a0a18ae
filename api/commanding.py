"""Running a command from a route: idempotent replay, then the handler, then the remembered result.

``run`` serves routes that run on a worker thread; ``run_async`` the busiest command routes, which
run on the event loop and await only their appends (``commands.handling.execute_async``).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from fastapi import Request as HttpRequest
from pydantic import BaseModel

from api.problems import Problem
from api.responses import JSONBytes
from api.state import AppState
from commands.context import Request
from commands.idempotency import recall, remember, remember_async
from domain.requests import RequestCompleted


def fingerprint(state: AppState, http: HttpRequest, body: BaseModel | None) -> str:
    """Keyed, so a fingerprint stored in the log reveals nothing about a body (passwords)."""
    payload = orjson.dumps([http.method, http.url.path, body.model_dump(mode="json") if body else None])
    return hmac.new(state.fingerprint_key, payload, hashlib.sha256).hexdigest()


def run(
    state: AppState,
    http: HttpRequest,
    request: Request,
    body: BaseModel | None,
    action: Callable[[], BaseModel],
    status: int = 200,
) -> JSONBytes:
    """Applies ``action`` once per idempotency key; a retry gets the first response back."""

    def respond() -> dict[str, Any]:
        return action().model_dump(mode="json")

    key = request.idempotency_key
    if key is None:
        return JSONBytes(respond(), status_code=status)
    print_ = fingerprint(state, http, body)
    earlier = recall(state.ports, request.actor.user_id, key)
    if earlier is None:
        first = remember(state.ports, request, print_, status, respond())
        return JSONBytes(first.response, status_code=first.status)
    return _replayed(earlier, print_)


async def run_async(
    state: AppState,
    http: HttpRequest,
    request: Request,
    body: BaseModel | None,
    action: Callable[[], Awaitable[BaseModel]],
    status: int = 200,
) -> JSONBytes:
    """``run`` for a route on the event loop: the same replay, with the action and the remembered
    result awaited."""
    key = request.idempotency_key
    if key is None:
        return JSONBytes((await action()).model_dump(mode="json"), status_code=status)
    print_ = fingerprint(state, http, body)
    earlier = recall(state.ports, request.actor.user_id, key)
    if earlier is None:
        response = (await action()).model_dump(mode="json")
        first = await remember_async(state.ports, request, print_, status, response)
        return JSONBytes(first.response, status_code=first.status)
    return _replayed(earlier, print_)


def _replayed(earlier: RequestCompleted, print_: str) -> JSONBytes:
    if earlier.fingerprint != print_:
        raise Problem(422, "this Idempotency-Key was already used for a different request")
    return JSONBytes(earlier.response, status_code=earlier.status, headers={"Idempotent-Replayed": "true"})
