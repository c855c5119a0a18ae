"""An erasure's record, as the person whose account it erased can follow it: which steps of the
cascade are done, and when.

The route needs no sign-in (the person has no account any more): the erasure id is the receipt.
It is random (122 bits), so it cannot be guessed or worked out from anything about the person,
and the record names nobody: knowing an id tells how far that erasure got, never whose it was.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Header, Response
from pydantic import BaseModel, Field

from api.deps import IdPath
from api.problems import Problem, problems
from api.reading import MinPosition, ReadStoreDep, caught_up, query, tagged
from domain.erasures import DESCRIPTIONS, STEPS
from read_models import erasures as model

router = APIRouter(prefix="/v1/erasures", tags=["erasures"])


class ErasureStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class ErasureStepPublic(BaseModel):
    step: str = Field(description="One of " + ", ".join(s.value for s in STEPS) + ", in this order")
    description: str = Field(description="What the step removes or releases")
    done: bool
    done_at: datetime | None = Field(description="When it was done; null while it is not")


class ErasurePublic(BaseModel):
    erasure_id: str
    status: ErasureStatus
    requested_at: datetime | None = Field(description="When the erasure was asked for")
    completed_at: datetime | None = Field(description="When every step was done; null until then")
    steps: list[ErasureStepPublic]


@router.get(
    "/{erasure_id}",
    response_model=ErasurePublic,
    summary="How far an erasure has got",
    responses={
        304: {"description": "Unchanged since the ETag given in If-None-Match"},
        **problems(s404="No erasure with this id", s503="The erasure records are not built yet"),
    },
)
async def get_erasure(
    erasure_id: IdPath,
    store: ReadStoreDep,
    min_position: MinPosition = None,
    if_none_match: Annotated[str | None, Header(max_length=1024)] = None,
) -> Response:
    """The steps of the erasure, in order, each done or not yet. The id is the one the erasure
    answered with (``DELETE /v1/me``); pass its ``position`` as ``min_position`` to see it at once."""
    await caught_up(store, model.MODEL, min_position)
    found = await query(model.MODEL, lambda: model.record(store, erasure_id))
    if found is None:
        raise Problem(404, "no erasure with this id")
    return tagged(_public(found).model_dump_json().encode(), if_none_match)


def _public(found: model.ErasureRecord) -> ErasurePublic:
    steps = [
        ErasureStepPublic(
            step=step.value,
            description=DESCRIPTIONS[step],
            done=step.value in found.done,
            done_at=found.done.get(step.value),
        )
        for step in STEPS
    ]
    return ErasurePublic(
        erasure_id=found.erasure_id,
        status=ErasureStatus.COMPLETED if found.completed_at is not None else ErasureStatus.IN_PROGRESS,
        requested_at=found.requested_at,
        completed_at=found.completed_at,
        steps=steps,
    )
