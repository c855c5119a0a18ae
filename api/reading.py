"""What query routes share: the read store, page limits, and read-your-writes.

A command answers with the global position of its last event; a query given that
``min_position`` waits (at most ``MAX_WAIT_S``) until the projector behind it is past it.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import Depends, Query
from fastapi import Request as HttpRequest
from starlette.responses import Response

from api.problems import Problem
from api.state import AppState
from read_models import live, projection_state
from read_models.errors import InvalidQuery, InvalidRow, MissingTable
from read_models.live import ReadModel
from read_models.port import ReadStore
from services.access import AccessPolicy

MAX_WAIT_S = 2.0
POLL_S = 0.01
T = TypeVar("T")


async def read_store(http: HttpRequest) -> ReadStore:
    state: AppState = http.app.state.strom  # not ``AppStateDep``: one dependency fewer to solve
    if state.read_store is None:
        raise Problem(503, "this process serves no read models", headers={"Retry-After": "5"})
    return state.read_store


ReadStoreDep = Annotated[ReadStore, Depends(read_store)]


async def access_policy(store: ReadStoreDep) -> AccessPolicy:
    return AccessPolicy(store)


#: The one answer to "may this viewer see it" (``services.access``).
PolicyDep = Annotated[AccessPolicy, Depends(access_policy)]
Limit = Annotated[int, Query(ge=1, le=100, description="Items per page (at most 100)")]
Cursor = Annotated[str | None, Query(max_length=2048, description="From the previous page's next_cursor")]
MinPosition = Annotated[
    int | None, Query(ge=0, description="Wait (≤ 2 s) until the read model includes this command position")
]


async def caught_up(store: ReadStore, model: ReadModel, min_position: int | None) -> None:
    """Returns once the live build's checkpoint reaches ``min_position``; else 503 with Retry-After."""
    if not min_position:
        return
    deadline = time.monotonic() + MAX_WAIT_S
    while projection_state.checkpoint_of(store, model.projector, model.build(store).label) < min_position:
        if time.monotonic() > deadline:
            raise Problem(
                503, f"the {model.projector} read model has not caught up yet", headers={"Retry-After": "1"}
            )
        await asyncio.sleep(POLL_S)


async def caught_up_once_built(store: ReadStore, model: ReadModel, min_position: int | None) -> None:
    """``caught_up`` for a read model a page reads beside its own, one that answers "nothing"
    before its projector first ran (moderation: nobody suspended, nothing labelled): waited for
    once it has run, so a page asked with ``min_position`` shows what came before it there too."""
    if min_position and live.live_build(store, model.projector) is not None:
        await caught_up(store, model, min_position)


async def query(model: ReadModel, call: Callable[[], T]) -> T:
    """Runs a read-model query off the event loop, its errors answered as ``read`` answers them."""
    return await asyncio.to_thread(read, model, call)


def read(model: ReadModel, call: Callable[[], T]) -> T:
    """Runs a read-model query where the caller is (a route already on a worker thread). A cursor
    that is not this query's is the caller's mistake (400); tables not built yet are ours, and pass
    (503 with Retry-After)."""
    try:
        return call()
    except (InvalidQuery, InvalidRow) as exc:
        raise Problem(400, f"bad cursor or query: {exc}") from None
    except MissingTable:
        raise Problem(
            503, f"the {model.projector} read model is not built yet", headers={"Retry-After": "5"}
        ) from None


def tagged(body: bytes, if_none_match: str | None, *, vary: str | None = None) -> Response:
    """A JSON body with a strong ``ETag``; a 304 without it when ``If-None-Match`` names that tag.
    ``no-cache``: clients and caches keep it but ask each time, which costs a 304 at most."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"} | ({"Vary": vary} if vary else {})
    tags = {t.strip().removeprefix("W/") for t in (if_none_match or "").split(",") if t.strip()}
    if "*" in tags or etag in tags:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)
