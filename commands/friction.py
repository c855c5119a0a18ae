"""Friction on the write side: a person's standing and daily limits, checked before they act and
counted once they did (``domain.moderation.friction`` says what the limits are).

The check reads three short things, each the same cost however long the person has been here: their
standing stream (kept folded by ``ports.folds``), the first event of their account stream (when
they registered) and today's counts. The count is appended only once the action recorded something,
so a refused command, or a retry answered as already done, costs nothing of the day's allowance.
Concurrent requests of one person may each pass the check before either is counted, so the limit
can be passed by as many requests as that person has in flight at once; the per-user write rate
limit keeps that small, and friction is a brake, not an exact quota.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from commands import streams
from commands.aggregates import DAILY_COUNTS
from commands.context import Outcome, Ports, Request
from commands.handling import execute, load, store_errors
from commands.standing import standing_of
from domain.actors import Actor
from domain.moderation import friction
from domain.moderation import standing as model
from domain.moderation.rules import Capability
from eventstore.errors import StreamNotFound

Clock = Callable[[], datetime]


def now() -> datetime:
    return datetime.now(UTC)


def limited(
    ports: Ports,
    request: Request,
    actor: Actor,
    capability: Capability,
    act: Callable[[], Outcome],
    *,
    clock: Clock = now,
) -> Outcome:
    """Runs ``act`` unless the actor is suspended, restricted from ``capability`` (403) or over the
    day's limit of it (429); then counts it, if it recorded anything. System actors are not limited."""
    if actor.user_id.startswith("system:"):
        return act()
    at = clock()
    standing = standing_of(ports, actor.user_id)
    model.ensure_may(standing, capability, at)
    if not ports.limits.counts(capability):
        return act()
    limit = ports.limits.limit(
        capability,
        age=account_age(ports, actor.user_id, at),
        strikes=len(model.strikes_in_force(standing, at)),
    )
    stream = streams.daily_counts(actor.user_id, friction.day_of(at))
    request_id = request.new_id(f"count-{capability.value}")
    keyed = request_id if request.idempotency_key is not None else None
    friction.ensure_under(load(ports, stream, DAILY_COUNTS).state, limit, at, request_id=keyed)
    outcome = act()
    if not outcome.appended:
        return outcome
    count = friction.CountAction(actor.user_id, capability, friction.day_of(at), request_id)
    counted = execute(ports, request, stream, DAILY_COUNTS, lambda state: friction.decide_count(state, count))
    return Outcome(
        position=max(outcome.position, counted.position), appended=outcome.appended + counted.appended
    )


def account_age(ports: Ports, user_id: str, now: datetime) -> timedelta | None:
    """How long ago the account's first event was recorded; ``None`` for an account with none."""
    try:
        with store_errors():
            first = ports.store.read_stream(streams.user(user_id), from_version=0, limit=1)
    except StreamNotFound:
        return None
    if not first:
        return None
    return now - datetime.fromisoformat(first[0].metadata.occurred_at)
