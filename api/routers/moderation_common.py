"""What the moderation routers share: the staff-only guard, a reason, a command's answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends
from fastapi import Request as HttpRequest
from pydantic import BaseModel, Field

from api.commanding import run
from api.deps import CurrentActor
from api.problems import Problem
from api.responses import JSONBytes
from api.state import AppState
from commands.context import Outcome, Request
from domain.actors import Actor
from domain.moderation.rules import MAX_REASON

POSITION = "Global position of the last event; pass as min_position to read it"
LABELS = "Labels of moderators and screening (sensitive, graphic, ai_generated, ad, nudity)"
Reason = Annotated[
    str, Field(min_length=1, max_length=MAX_REASON, description="Why; told to the person affected and kept")
]


async def require_staff(actor: CurrentActor) -> Actor:
    """Moderators and admins only; anyone else learns nothing more than that (403)."""
    if not actor.moderates:
        raise Problem(403, "only moderators and admins can use the moderation routes")
    return actor


Staff = Annotated[Actor, Depends(require_staff)]


class ActionTaken(BaseModel):
    """What a moderation action answers."""

    action_id: str | None = Field(description="The action's id: what the person's appeal names")
    recorded: bool = Field(description="False when nothing changed (e.g. the labels were all on already)")
    position: int = Field(description=POSITION)


def taken(
    state: AppState,
    http: HttpRequest,
    request: Request,
    body: BaseModel | None,
    action_id: str | None,
    act: Callable[[], Outcome],
    status: int = 200,
) -> JSONBytes:
    """Runs the action once per Idempotency-Key; names the action only when it changed anything."""

    def answer() -> ActionTaken:
        outcome = act()
        recorded = outcome.appended > 0
        return ActionTaken(
            action_id=action_id if recorded else None, recorded=recorded, position=outcome.position
        )

    return run(state, http, request, body, answer, status)
