"""A user's outgoing social graph: whom they follow and whom they block (stream ``follows-<user>``).

Everything here lives on the actor's own stream ("no hot streams"): a creator's follower count is a
projection over everyone's graphs, never a stream of its own. A block is recorded on the blocker's
graph; the follow the blocked user may have of the blocker lives on the blocked user's graph, so the
caller drops it there with ``decide_drop_follow_of_blocker``. Unblocking restores no follow.

``blocked_by_target`` comes from the target's graph: ``has_blocked(target_state, actor.user_id)``.
A block reads as absence ("user not found"), so the blocked person learns nothing new.
"""

from __future__ import annotations

import dataclasses
import enum

from domain.actors import Actor
from domain.errors import Conflict, InvalidCommand, NotFound
from domain.events import DomainEvent, event


class UnfollowReason(enum.StrEnum):
    """Why a follow ended; recommendations treat only a requested unfollow as a negative signal."""

    REQUESTED = "requested"  # the follower unfollowed
    BLOCKING = "blocking"  # the follower blocked the account they followed
    BLOCKED = "blocked"  # the followed account blocked the follower


# -- events ----------------------------------------------------------------------------------------


@event("UserFollowed")
@dataclasses.dataclass(frozen=True, slots=True)
class UserFollowed(DomainEvent):
    follower_id: str
    followee_id: str


@event("UserUnfollowed")
@dataclasses.dataclass(frozen=True, slots=True)
class UserUnfollowed(DomainEvent):
    follower_id: str
    followee_id: str
    reason: str  # an UnfollowReason


@event("UserBlocked")
@dataclasses.dataclass(frozen=True, slots=True)
class UserBlocked(DomainEvent):
    blocker_id: str
    blocked_id: str


@event("UserUnblocked")
@dataclasses.dataclass(frozen=True, slots=True)
class UserUnblocked(DomainEvent):
    blocker_id: str
    blocked_id: str


Event = UserFollowed | UserUnfollowed | UserBlocked | UserUnblocked

# -- commands --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class FollowUser:
    actor: Actor
    target_id: str


@dataclasses.dataclass(frozen=True, slots=True)
class UnfollowUser:
    actor: Actor
    target_id: str


@dataclasses.dataclass(frozen=True, slots=True)
class BlockUser:
    actor: Actor
    target_id: str


@dataclasses.dataclass(frozen=True, slots=True)
class UnblockUser:
    actor: Actor
    target_id: str


@dataclasses.dataclass(frozen=True, slots=True)
class DropFollowOfBlocker:
    """Decided on ``blocked_id``'s graph after ``actor`` blocked them."""

    actor: Actor
    blocked_id: str


# -- state -----------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class State:
    following: frozenset[str] = frozenset()
    blocked: frozenset[str] = frozenset()


initial = State()


def evolve(state: State, event: Event) -> State:
    match event:
        case UserFollowed(followee_id=who):
            return dataclasses.replace(state, following=state.following | {who})
        case UserUnfollowed(followee_id=who):
            return dataclasses.replace(state, following=state.following - {who})
        case UserBlocked(blocked_id=who):
            return dataclasses.replace(state, blocked=state.blocked | {who})
        case UserUnblocked(blocked_id=who):
            return dataclasses.replace(state, blocked=state.blocked - {who})


def has_blocked(state: State, user_id: str) -> bool:
    """Whether the owner of this graph blocked ``user_id``: what other deciders take as ``blocked``."""
    return user_id in state.blocked


# -- deciders --------------------------------------------------------------------------------------


def decide_follow_user(state: State, cmd: FollowUser, *, blocked_by_target: bool) -> list[Event]:
    """Follow once; a block in either direction stands in the way."""
    me, them = _pair(cmd.actor.user_id, cmd.target_id, verb="follow")
    if blocked_by_target:
        raise NotFound("user not found")
    if them in state.blocked:
        raise Conflict("unblock this account before following it")
    if them in state.following:
        return []
    return [UserFollowed(follower_id=me, followee_id=them)]


def decide_unfollow_user(state: State, cmd: UnfollowUser) -> list[Event]:
    """Unfollowing someone not followed changes nothing, so it records nothing."""
    me, them = _pair(cmd.actor.user_id, cmd.target_id, verb="unfollow")
    if them not in state.following:
        return []
    return [UserUnfollowed(follower_id=me, followee_id=them, reason=UnfollowReason.REQUESTED.value)]


def decide_block_user(state: State, cmd: BlockUser) -> list[Event]:
    """Block once; blocking someone you follow also ends that follow."""
    me, them = _pair(cmd.actor.user_id, cmd.target_id, verb="block")
    if them in state.blocked:
        return []
    events: list[Event] = [UserBlocked(blocker_id=me, blocked_id=them)]
    if them in state.following:
        events.append(UserUnfollowed(follower_id=me, followee_id=them, reason=UnfollowReason.BLOCKING.value))
    return events


def decide_unblock_user(state: State, cmd: UnblockUser) -> list[Event]:
    """Unblocking someone not blocked records nothing; an unblock never restores a follow."""
    me, them = _pair(cmd.actor.user_id, cmd.target_id, verb="unblock")
    if them not in state.blocked:
        return []
    return [UserUnblocked(blocker_id=me, blocked_id=them)]


def decide_drop_follow_of_blocker(state: State, cmd: DropFollowOfBlocker) -> list[Event]:
    """On the blocked user's graph: end their follow of the blocker, if there is one."""
    blocker, blocked = _pair(cmd.actor.user_id, cmd.blocked_id, verb="block")
    if blocker not in state.following:
        return []
    return [UserUnfollowed(follower_id=blocked, followee_id=blocker, reason=UnfollowReason.BLOCKED.value)]


def _pair(me: str, them: str, *, verb: str) -> tuple[str, str]:
    """Both ids present and different: a relationship needs two people."""
    if not me or not them:
        raise InvalidCommand("a user id is required")
    if me == them:
        raise InvalidCommand(f"you cannot {verb} yourself")
    return me, them
