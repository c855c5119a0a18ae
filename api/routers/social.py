"""Follows and blocks: who the signed-in user follows and whom they keep away."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi import Request as HttpRequest
from pydantic import BaseModel, ConfigDict, Field

from api.commanding import run
from api.deps import AppStateDep, CommandRequest, IdPath
from api.responses import JSONBytes
from commands.social import block_user, follow_user, unblock_user, unfollow_user
from domain import social

router = APIRouter(prefix="/v1/users", tags=["social"])


class FollowResult(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_id: str = Field(description="The account followed or unfollowed")
    following: bool = Field(description="Whether the signed-in user follows it now")
    position: int = Field(description="Global position of the last event; pass as min_position to read it")


class BlockResult(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_id: str = Field(description="The account blocked or unblocked")
    blocked: bool = Field(description="Whether the signed-in user blocks it now")
    position: int = Field(description="Global position of the last event; pass as min_position to read it")


@router.put("/{user_id}/follow", response_model=FollowResult, summary="Follow a user")
def follow(user_id: IdPath, state: AppStateDep, http: HttpRequest, request: CommandRequest) -> JSONBytes:
    """Following someone already followed changes nothing. A user who blocked you reads as not found."""
    cmd = social.FollowUser(actor=request.actor, target_id=user_id)

    def action() -> BaseModel:
        outcome = follow_user(cmd, ports=state.ports, request=request)
        return FollowResult(user_id=user_id, following=True, position=outcome.position)

    return run(state, http, request, None, action)


@router.delete("/{user_id}/follow", response_model=FollowResult, summary="Unfollow a user")
def unfollow(user_id: IdPath, state: AppStateDep, http: HttpRequest, request: CommandRequest) -> JSONBytes:
    """Unfollowing someone not followed changes nothing."""
    cmd = social.UnfollowUser(actor=request.actor, target_id=user_id)

    def action() -> BaseModel:
        outcome = unfollow_user(cmd, ports=state.ports, request=request)
        return FollowResult(user_id=user_id, following=False, position=outcome.position)

    return run(state, http, request, None, action)


@router.put("/{user_id}/block", response_model=BlockResult, summary="Block a user")
def block(user_id: IdPath, state: AppStateDep, http: HttpRequest, request: CommandRequest) -> JSONBytes:
    """Ends follows both ways. The blocked user can no longer follow you nor engage with your videos,
    which read to them as not found."""
    cmd = social.BlockUser(actor=request.actor, target_id=user_id)

    def action() -> BaseModel:
        outcome = block_user(cmd, ports=state.ports, request=request)
        return BlockResult(user_id=user_id, blocked=True, position=outcome.position)

    return run(state, http, request, None, action)


@router.delete("/{user_id}/block", response_model=BlockResult, summary="Unblock a user")
def unblock(user_id: IdPath, state: AppStateDep, http: HttpRequest, request: CommandRequest) -> JSONBytes:
    """Unblocking restores no follow; unblocking someone not blocked changes nothing."""
    cmd = social.UnblockUser(actor=request.actor, target_id=user_id)

    def action() -> BaseModel:
        outcome = unblock_user(cmd, ports=state.ports, request=request)
        return BlockResult(user_id=user_id, blocked=False, position=outcome.position)

    return run(state, http, request, None, action)
