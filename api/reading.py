"""What query routes share: the read store, page limits, and read-your-writes.

A command answers with the global position of its last event; a query given that
``min_position`` waits (at most ``MAX_WAIT_S``) until the projector behind it is past it.
"""

from __future__ import annotations

import asyncio
import time
from typing import Annotated

from fastapi import Depends, Query

from api.deps import AppStateDep
from api.problems import Problem
from read_models import projection_state
from read_models.live import ReadModel
from read_models.port import ReadStore

MAX_WAIT_S = 2.0
POLL_S = 0.01


async def read_store(state: AppStateDep) -> ReadStore:
    if state.read_store is None:
        raise Problem(503, "this process serves no read models", headers={"Retry-After": "5"})
    return state.read_store


ReadStoreDep = Annotated[ReadStore, Depends(read_store)]
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
