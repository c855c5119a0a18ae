"""A person's standing (``standing-<user>``): what moderators do to an account, and what the write
side refuses while a restriction or suspension is in force.

Who an action falls on is read from their account stream (``subject``): its role decides who may
act (``domain.moderation.rules``). Enforcement reads the actor's own standing stream, never a read
model (DESIGN.md §1): an account with no standing stream costs one revision lookup.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from commands import streams
from commands.aggregates import ACCOUNT, STANDING
from commands.context import Outcome, Ports, Request
from commands.handling import execute, load, store_errors
from domain.actors import Actor
from domain.errors import NotFound
from domain.moderation import sanctions
from domain.moderation import standing as model
from domain.moderation.rules import Capability, Subject

Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


def subject(ports: Ports, user_id: str) -> Subject:
    """The person an action falls on, with their role now; an unknown or erased account is not found."""
    account = load(ports, streams.user(user_id), ACCOUNT).state if user_id else None
    if account is None or not account.registered or account.erased:
        raise NotFound("user not found")
    return Subject(user_id, account.role)


def standing_of(ports: Ports, user_id: str) -> model.State:
    return load(ports, streams.standing(user_id), STANDING).state


def suspended(ports: Ports, user_id: str, *, clock: Clock = _now) -> bool:
    """Whether a suspension of the person is in force now, as their standing stream says."""
    return model.suspension(standing_of(ports, user_id), clock()) is not None


def withheld(ports: Ports, user_id: str, *, clock: Clock = _now) -> bool:
    """Whether what the person made is withheld from everyone else now, as every read withholds it
    (``domain.access``): a suspension is in force, or their account is erased and the erasure
    cascade has not yet deleted their videos."""
    return erased(ports, user_id) or suspended(ports, user_id, clock=clock)


def erased(ports: Ports, user_id: str) -> bool:
    """Whether the account was erased. An erasure deletes the person's data key just after it is
    recorded, so a key still there answers "no" at once: the account stream, which every session
    refresh lengthens, is folded only for a person without a key (erased, or never given one), and
    a command of the hot path (a like) never folds a creator's whole stream after a cache miss.
    Between the erasure's event and its key's deletion (a request cut short there is finished when
    asked again) the account still reads as not erased here."""
    with store_errors():
        if ports.keys.find(user_id) is not None:
            return False
    return load(ports, streams.user(user_id), ACCOUNT).state.erased


def ensure_allowed(ports: Ports, actor: Actor, capability: Capability, *, clock: Clock = _now) -> None:
    """Raises ``Restricted`` (403, naming the restriction and its end) while the actor is suspended
    or restricted from ``capability``. System actors have no standing."""
    if actor.user_id.startswith("system:"):
        return
    model.ensure_may(standing_of(ports, actor.user_id), capability, clock())


def restrict_account(
    cmd: sanctions.RestrictAccount, *, ports: Ports, request: Request, clock: Clock = _now
) -> Outcome:
    who = subject(ports, cmd.user_id)
    return _decide(
        ports, request, cmd.user_id, lambda s: sanctions.decide_restrict(s, cmd, subject=who, now=clock())
    )


def lift_restriction(
    cmd: sanctions.LiftRestriction, *, ports: Ports, request: Request, clock: Clock = _now
) -> Outcome:
    who = subject(ports, cmd.user_id)
    return _decide(
        ports,
        request,
        cmd.user_id,
        lambda s: sanctions.decide_lift_restriction(s, cmd, subject=who, now=clock()),
    )


def suspend_account(
    cmd: sanctions.SuspendAccount, *, ports: Ports, request: Request, clock: Clock = _now
) -> Outcome:
    who = subject(ports, cmd.user_id)
    return _decide(
        ports, request, cmd.user_id, lambda s: sanctions.decide_suspend(s, cmd, subject=who, now=clock())
    )


def unsuspend_account(
    cmd: sanctions.UnsuspendAccount, *, ports: Ports, request: Request, clock: Clock = _now
) -> Outcome:
    who = subject(ports, cmd.user_id)
    return _decide(
        ports, request, cmd.user_id, lambda s: sanctions.decide_unsuspend(s, cmd, subject=who, now=clock())
    )


def record_strike(
    cmd: sanctions.RecordStrike, *, ports: Ports, request: Request, clock: Clock = _now
) -> Outcome:
    """The strike, and the suspension it causes at a threshold of the operator's policy."""
    who = subject(ports, cmd.user_id)
    return _decide(
        ports,
        request,
        cmd.user_id,
        lambda s: sanctions.decide_strike(s, cmd, subject=who, now=clock(), policy=ports.strikes),
    )


def remove_strike(cmd: sanctions.RemoveStrike, *, ports: Ports, request: Request) -> Outcome:
    who = subject(ports, cmd.user_id)
    return _decide(ports, request, cmd.user_id, lambda s: sanctions.decide_remove_strike(s, cmd, subject=who))


def notice_content_action(cmd: sanctions.NoticeContentAction, *, ports: Ports, request: Request) -> Outcome:
    """Tells the person what a moderator did to their video or comment; once per action."""
    return _decide(ports, request, cmd.user_id, lambda s: sanctions.decide_notice_content_action(s, cmd))


def _decide(
    ports: Ports, request: Request, user_id: str, decide: Callable[[model.State], Sequence[model.Event]]
) -> Outcome:
    return execute(ports, request, streams.standing(user_id), STANDING, decide)
