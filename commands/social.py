"""Follows and blocks: each decided on the actor's own graph (``follows-<user>``).

The target's graph is read, never written, except by a block: the follow the blocked person may
have of the blocker lives on their graph, so blocking appends there too (see ``block_user``).
"""

from __future__ import annotations

from commands import friction, streams
from commands.aggregates import ACCOUNT, FOLLOWS
from commands.context import Outcome, Ports, Request
from commands.handling import execute, load, store_errors
from domain import social
from domain.errors import NotFound
from domain.moderation.rules import Capability


def follow_user(
    cmd: social.FollowUser, *, ports: Ports, request: Request, clock: friction.Clock = friction.now
) -> Outcome:
    """Follow an account that exists and has not blocked the actor; following again records nothing.
    Refused while the actor may not follow (a restriction or suspension) or is over the day's limit.

    The target's graph is read on every attempt, after the actor's own graph was loaded. There is no
    transaction across the two graphs, so one narrow window stays open: a block whose drop step reads
    this graph after that read but before the follow is appended misses the follow.
    """
    return friction.limited(
        ports, request, cmd.actor, Capability.FOLLOW, lambda: _follow(cmd, ports, request), clock=clock
    )


def _follow(cmd: social.FollowUser, ports: Ports, request: Request) -> Outcome:
    _ensure_user_exists(ports, cmd.actor.user_id, cmd.target_id)

    def decide(state: social.State) -> list[social.Event]:
        target = load(ports, streams.follows(cmd.target_id), FOLLOWS).state
        blocked = social.has_blocked(target, cmd.actor.user_id)
        return social.decide_follow_user(state, cmd, blocked_by_target=blocked)

    return execute(ports, request, streams.follows(cmd.actor.user_id), FOLLOWS, decide)


def unfollow_user(cmd: social.UnfollowUser, *, ports: Ports, request: Request) -> Outcome:
    """Always allowed, even of an erased or unknown account: unfollowing what is not followed is a no-op."""
    return execute(
        ports,
        request,
        streams.follows(cmd.actor.user_id),
        FOLLOWS,
        lambda state: social.decide_unfollow_user(state, cmd),
    )


def block_user(cmd: social.BlockUser, *, ports: Ports, request: Request) -> Outcome:
    """Block on the blocker's graph, then end the blocked person's follow on theirs: two appends.

    Safe to retry without a transaction across the two streams, because each step is idempotent and
    the second always runs: a retried block finds the actor's graph already blocking (nothing to
    append) and goes on to the blocked person's graph, where a follow still there is dropped and a
    follow already dropped records nothing. With an Idempotency-Key the event ids are derived from
    it, so even a step whose append landed but whose answer was lost is stored once.
    A crash between the steps leaves the blocked person's follow in place until the block is sent
    again; meanwhile they cannot follow anew, since ``follow_user`` reads the block.
    """
    _ensure_user_exists(ports, cmd.actor.user_id, cmd.target_id)
    blocked = execute(
        ports,
        request,
        streams.follows(cmd.actor.user_id),
        FOLLOWS,
        lambda state: social.decide_block_user(state, cmd),
    )
    drop = social.DropFollowOfBlocker(actor=cmd.actor, blocked_id=cmd.target_id)
    dropped = execute(
        ports,
        request,
        streams.follows(cmd.target_id),
        FOLLOWS,
        lambda state: social.decide_drop_follow_of_blocker(state, drop),
    )
    return Outcome(
        position=max(blocked.position, dropped.position), appended=blocked.appended + dropped.appended
    )


def unblock_user(cmd: social.UnblockUser, *, ports: Ports, request: Request) -> Outcome:
    """Unblocking restores no follow, and unblocking someone not blocked records nothing."""
    return execute(
        ports,
        request,
        streams.follows(cmd.actor.user_id),
        FOLLOWS,
        lambda state: social.decide_unblock_user(state, cmd),
    )


def _ensure_user_exists(ports: Ports, actor_id: str, user_id: str) -> None:
    """An account is there when its stream has events and it was not erased (an erased person is
    followed by nobody: their follows end with the erasure). An empty id or the actor's own is left
    to the decider, which refuses it as invalid: acting on yourself is malformed, not a missing user."""
    if not user_id or user_id == actor_id:
        return
    with store_errors():
        version = ports.store.stream_version(streams.user(user_id))
    if version is None or load(ports, streams.user(user_id), ACCOUNT).state.erased:
        raise NotFound("user not found")
