"""Moderators' actions on accounts outside a case's resolution, and appeal decisions (moderators
only, 403 for anyone else): an account's standing, restrictions, suspensions and strikes; deciding
an appeal. Actions on videos and comments are in ``moderation_content``.

Every action says why (``reason``): the person affected is told (``GET /v1/me/notices``) and may
appeal an adverse one once (``POST /v1/me/appeals``). Nobody acts on themselves or what they
posted; an action on a moderator or their content is an admin's.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Path
from fastapi import Request as HttpRequest
from pydantic import BaseModel, ConfigDict, Field

from api.deps import AppStateDep, CommandRequest, IdPath
from api.problems import problems
from api.reading import MinPosition, ReadStoreDep, caught_up, query
from api.responses import JSONBytes
from api.routers.moderation_common import ActionTaken, Reason, require_staff, taken
from commands import appeals, standing
from domain.moderation import appeals as appeal_model
from domain.moderation import sanctions
from domain.moderation.rules import MAX_DURATION, Capability
from read_models import moderation_standing as model

router = APIRouter(prefix="/v1/moderation", tags=["moderation"], dependencies=[Depends(require_staff)])

MAX_HOURS = int(MAX_DURATION.total_seconds() // 3600)
Hours = Annotated[int, Field(ge=1, le=MAX_HOURS, description="How long, in hours (an hour to five years)")]
CapabilityPath = Annotated[Capability, Path(description="What the restriction took away")]
PROBLEMS = problems(
    s403="Not a moderator, or one who may not act on this person (themselves; a moderator needs an admin)",
    s404="Unknown account, video, comment or action",
    s409="Conflicts with the current state (e.g. already removed, not suspended)",
)


# -- bodies and answers ----------------------------------------------------------------------------


class Note(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Reason


class RestrictionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    capability: Capability
    duration_hours: Hours
    reason: Reason


class SuspensionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    duration_hours: Hours | None = Field(default=None, description="Null: until a moderator lifts it")
    reason: Reason


class AppealDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    granted: bool = Field(strict=True, description="True undoes the action")
    reason: Reason


class RestrictionPublic(BaseModel):
    capability: Capability
    until: datetime
    action_id: str


class StrikePublic(BaseModel):
    action_id: str = Field(description="Name it to remove the strike")
    expires_at: datetime = Field(description="When it stops counting")


class StandingPublic(BaseModel):
    user_id: str
    suspended: bool = Field(description="Suspended now")
    suspended_until: datetime | None = Field(description="When the suspension ends; null: until lifted")
    restrictions: list[RestrictionPublic] = Field(description="Restrictions in force now")
    strikes: int = Field(description="Strikes in force now (they count towards suspension)")
    strike_list: list[StrikePublic] = Field(
        default_factory=list, description="The strikes in force now, the soonest to expire first"
    )


# -- an account's standing -------------------------------------------------------------------------


@router.get(
    "/users/{user_id}",
    response_model=StandingPublic,
    summary="An account's standing: suspension, restrictions, strikes (moderators)",
    responses=problems(s403="Not a moderator"),
)
async def account_standing(
    user_id: IdPath, store: ReadStoreDep, min_position: MinPosition = None
) -> StandingPublic:
    """An account nothing was done to reads as in good standing."""
    await caught_up(store, model.MODEL, min_position)
    found = await query(model.MODEL, lambda: model.standing(store, user_id))
    now = datetime.now(UTC)
    if found is None:
        return StandingPublic(
            user_id=user_id, suspended=False, suspended_until=None, restrictions=[], strikes=0
        )
    return StandingPublic(
        user_id=user_id,
        suspended=found.suspended_at(now),
        suspended_until=found.suspended_until if found.suspended_at(now) else None,
        restrictions=[
            RestrictionPublic(capability=Capability(r.capability), until=r.until, action_id=r.action_id)
            for r in found.restrictions_at(now)
        ],
        strikes=found.strikes_at(now),
        strike_list=[
            StrikePublic(action_id=action_id, expires_at=expires)
            for action_id, expires in sorted(found.strikes, key=lambda s: s[1])
            if expires > now
        ],
    )


@router.post(
    "/users/{user_id}/restrictions",
    response_model=ActionTaken,
    status_code=201,
    summary="Restrict a capability for a while",
    responses=PROBLEMS,
)
def restrict(
    user_id: IdPath, body: RestrictionCreate, state: AppStateDep, http: HttpRequest, request: CommandRequest
) -> JSONBytes:
    """Upload, comment, like, follow or report is refused (403, naming the restriction and its end)
    until it ends. A new restriction of the same capability replaces the old."""
    action_id = request.new_id("action")
    cmd = sanctions.RestrictAccount(
        request.actor, user_id, action_id, body.capability, timedelta(hours=body.duration_hours), body.reason
    )
    return taken(
        state,
        http,
        request,
        body,
        action_id,
        lambda: standing.restrict_account(cmd, ports=state.ports, request=request),
        201,
    )


@router.post(
    "/users/{user_id}/restrictions/{capability}/lift",
    response_model=ActionTaken,
    summary="Lift a restriction",
    responses=PROBLEMS,
)
def lift_restriction(
    user_id: IdPath,
    capability: CapabilityPath,
    body: Note,
    state: AppStateDep,
    http: HttpRequest,
    request: CommandRequest,
) -> JSONBytes:
    cmd = sanctions.LiftRestriction(request.actor, user_id, capability, body.reason)
    return taken(
        state,
        http,
        request,
        body,
        None,
        lambda: standing.lift_restriction(cmd, ports=state.ports, request=request),
    )


@router.post(
    "/users/{user_id}/suspend", response_model=ActionTaken, summary="Suspend an account", responses=PROBLEMS
)
def suspend(
    user_id: IdPath, body: SuspensionCreate, state: AppStateDep, http: HttpRequest, request: CommandRequest
) -> JSONBytes:
    """A suspended person may still sign in and read (their notices, their data) and appeal, but
    every other command is refused (403) until the suspension ends or is lifted, and what they
    posted is shown to nobody but them and moderators."""
    action_id = request.new_id("action")
    duration = None if body.duration_hours is None else timedelta(hours=body.duration_hours)
    cmd = sanctions.SuspendAccount(request.actor, user_id, action_id, duration, body.reason)
    return taken(
        state,
        http,
        request,
        body,
        action_id,
        lambda: standing.suspend_account(cmd, ports=state.ports, request=request),
    )


@router.post(
    "/users/{user_id}/unsuspend", response_model=ActionTaken, summary="Lift a suspension", responses=PROBLEMS
)
def unsuspend(
    user_id: IdPath, body: Note, state: AppStateDep, http: HttpRequest, request: CommandRequest
) -> JSONBytes:
    cmd = sanctions.UnsuspendAccount(request.actor, user_id, body.reason)
    return taken(
        state,
        http,
        request,
        body,
        None,
        lambda: standing.unsuspend_account(cmd, ports=state.ports, request=request),
    )


@router.post(
    "/users/{user_id}/strikes",
    response_model=ActionTaken,
    status_code=201,
    summary="Record a strike",
    responses=PROBLEMS,
)
def strike(
    user_id: IdPath, body: Note, state: AppStateDep, http: HttpRequest, request: CommandRequest
) -> JSONBytes:
    """The strike that brings the strikes in force to a threshold (``STROM_MODERATION_STRIKE_THRESHOLDS``)
    suspends the account for that threshold's time."""
    action_id = request.new_id("action")
    cmd = sanctions.RecordStrike(request.actor, user_id, action_id, body.reason, request.new_id("suspension"))
    return taken(
        state,
        http,
        request,
        body,
        action_id,
        lambda: standing.record_strike(cmd, ports=state.ports, request=request),
        201,
    )


@router.post(
    "/users/{user_id}/strikes/{action_id}/remove",
    response_model=ActionTaken,
    summary="Remove a strike",
    responses=PROBLEMS,
)
def remove_strike(
    user_id: IdPath,
    action_id: IdPath,
    body: Note,
    state: AppStateDep,
    http: HttpRequest,
    request: CommandRequest,
) -> JSONBytes:
    cmd = sanctions.RemoveStrike(request.actor, user_id, action_id, body.reason)
    return taken(
        state,
        http,
        request,
        body,
        None,
        lambda: standing.remove_strike(cmd, ports=state.ports, request=request),
    )


@router.post(
    "/users/{user_id}/appeals/{action_id}/decide",
    response_model=ActionTaken,
    summary="Decide an appeal",
    responses={**PROBLEMS, **problems(s403="Not a moderator, or the moderator who took the action")},
)
def decide_appeal(
    user_id: IdPath,
    action_id: IdPath,
    body: AppealDecision,
    state: AppStateDep,
    http: HttpRequest,
    request: CommandRequest,
) -> JSONBytes:
    """By a moderator other than the one who acted. Granted, the action is undone: a restriction,
    strike or suspension lifted, a video or comment restored, labels taken off."""
    cmd = appeal_model.DecideAppeal(request.actor, user_id, action_id, body.granted, body.reason)
    return taken(
        state,
        http,
        request,
        body,
        action_id,
        lambda: appeals.decide_appeal(cmd, ports=state.ports, request=request),
    )
