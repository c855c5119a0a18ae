"""Trust and friction: how many uploads, comments, follows and reports a person may make a day.

A new account gets lower limits than an established one, and each strike in force lowers them
again (by the operator's factor, never below one a day: taking a capability away altogether is a
moderator's restriction, not friction). An account in good standing rises to the established limits
once it is ``new_account_age`` old. Mass abuse from fresh or sanctioned accounts is slowed without
getting in the way of the people who use the platform as meant.

What a person did today is counted on their stream for the day (``counts-<user>-<yyyymmdd>``, UTC),
one ``ActionCounted`` per action that was recorded: the stream is bounded by the day's limits, so
checking costs the same whatever the person did before. A day is a UTC calendar day: the limits
lift at midnight UTC, which is what a refusal tells the person (and ``Retry-After``).
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime, time, timedelta
from types import MappingProxyType

from domain.errors import TooMany
from domain.events import DomainEvent, event
from domain.moderation.rules import Capability, stamp

#: The capabilities friction counts; the others (likes) are left to the write rate limit.
COUNTED = (Capability.UPLOAD, Capability.COMMENT, Capability.FOLLOW, Capability.REPORT)


class Tier:
    """Which limits apply, as a refusal names them."""

    NEW = "new_account"
    ESTABLISHED = "established"


@dataclasses.dataclass(frozen=True, slots=True)
class DailyLimits:
    """``new`` and ``established``: actions a day per capability; a capability named in neither is
    not counted. ``strike_factor``: what each strike in force multiplies the day's limit by."""

    new: Mapping[Capability, int] = dataclasses.field(default_factory=lambda: MappingProxyType({}))
    established: Mapping[Capability, int] = dataclasses.field(default_factory=lambda: MappingProxyType({}))
    new_account_age: timedelta = timedelta(days=7)
    strike_factor: float = 0.5

    def __post_init__(self) -> None:
        if set(self.new) != set(self.established):
            raise ValueError("each limited capability needs a new-account and an established limit")
        if any(n < 1 or n > e for n, e in ((self.new[c], self.established[c]) for c in self.new)):
            raise ValueError(
                "a limit is at least 1 a day, and a new account's is at most an established one's"
            )
        if self.new_account_age < timedelta(0):
            raise ValueError("an account cannot be new for less than no time")
        if not 0 < self.strike_factor <= 1:
            raise ValueError("a strike lowers the limits by a factor above 0 and at most 1")

    def counts(self, capability: Capability) -> bool:
        return capability in self.new

    def limit(self, capability: Capability, *, age: timedelta | None, strikes: int) -> Limit | None:
        """The day's limit of ``capability`` for an account ``age`` old (``None``: unknown, counted as
        new) with ``strikes`` in force; ``None`` when the capability is not counted."""
        if capability not in self.new:
            return None
        new = age is None or age < self.new_account_age
        allowed = (self.new if new else self.established)[capability]
        if strikes > 0:
            allowed = max(1, math.floor(allowed * self.strike_factor**strikes))
        return Limit(capability, allowed, Tier.NEW if new else Tier.ESTABLISHED, strikes)


#: No limits at all: for tools and tests that build their own ports.
NO_LIMITS = DailyLimits()


@dataclasses.dataclass(frozen=True, slots=True)
class Limit:
    capability: Capability
    allowed: int
    tier: str  # a Tier value
    strikes: int

    def describe(self) -> str:
        who = "a new account" if self.tier == Tier.NEW else "an account"
        struck = (
            f" with {self.strikes} strike{'s' if self.strikes > 1 else ''} in force" if self.strikes else ""
        )
        return f"{who}{struck} may {self.capability.value} {self.allowed} times a day"


class DailyLimitReached(TooMany):
    """Refused because today's limit is used up: says which, how many were made, and when it lifts
    (the API answers 429 with these fields and ``Retry-After``)."""

    def __init__(self, limit: Limit, count: int, lifts_at: datetime, now: datetime) -> None:
        super().__init__(
            f"{limit.describe()}: you reached it today; it lifts at {stamp(lifts_at)}",
            retry_after_s=max(1, math.ceil((lifts_at - now).total_seconds())),
        )
        self.limit = limit
        self.count = count
        self.lifts_at = lifts_at

    @property
    def problem_fields(self) -> dict[str, str | int]:
        return {
            "limit": f"{self.limit.capability.value}_per_day",
            "allowed": self.limit.allowed,
            "count": self.count,
            "tier": self.limit.tier,
            "strikes": self.limit.strikes,
            "lifts_at": stamp(self.lifts_at),
        }


# -- the day's counts ------------------------------------------------------------------------------


@event("ActionCounted")
@dataclasses.dataclass(frozen=True, slots=True)
class ActionCounted(DomainEvent):
    user_id: str
    capability: str  # a Capability
    day: str  # yyyymmdd, UTC
    request_id: str  # the request's own id for this count: a retried request is counted once


Event = ActionCounted


@dataclasses.dataclass(frozen=True, slots=True)
class State:
    counts: Mapping[str, int] = dataclasses.field(default_factory=lambda: MappingProxyType({}))
    request_ids: frozenset[str] = frozenset()

    def count(self, capability: Capability) -> int:
        return self.counts.get(capability.value, 0)


initial = State()


def evolve(state: State, event: Event) -> State:
    counts = {**state.counts, event.capability: state.counts.get(event.capability, 0) + 1}
    return State(MappingProxyType(counts), state.request_ids | {event.request_id})


@dataclasses.dataclass(frozen=True, slots=True)
class CountAction:
    user_id: str
    capability: Capability
    day: str
    request_id: str


def day_of(now: datetime) -> str:
    """The UTC day ``now`` falls on, as the day's stream is named."""
    return now.astimezone(UTC).strftime("%Y%m%d")


def lifts_at(now: datetime) -> datetime:
    """When the day's counts start again: the next midnight, UTC."""
    today = now.astimezone(UTC).date()
    return datetime.combine(today + timedelta(days=1), time(), tzinfo=UTC)


def ensure_under(state: State, limit: Limit | None, now: datetime, *, request_id: str | None = None) -> None:
    """Raises ``DailyLimitReached`` when the day's limit is used up. A retried request already counted
    (``request_id`` among the day's) is let through: its first attempt was within the limit."""
    if limit is None or (request_id is not None and request_id in state.request_ids):
        return
    count = state.count(limit.capability)
    if count >= limit.allowed:
        raise DailyLimitReached(limit, count, lifts_at(now), now)


def decide_count(state: State, cmd: CountAction) -> list[Event]:
    """Counts an action that was recorded; the same request counted before records nothing. Never
    refuses: the action happened, and the count must say so (see ``ensure_under`` for the check)."""
    if cmd.request_id in state.request_ids:
        return []
    return [ActionCounted(cmd.user_id, cmd.capability.value, cmd.day, cmd.request_id)]


# -- the operator's settings -----------------------------------------------------------------------

_ENTRY = re.compile(r"^\s*([a-z]+)\s*:\s*(\d+)\s*/\s*(\d+)\s*$")


def parse_limits(text: str) -> tuple[dict[Capability, int], dict[Capability, int]]:
    """``"upload:5/30,comment:30/500"``: a capability, then its new-account and established limits a
    day. An empty text limits nothing."""
    new: dict[Capability, int] = {}
    established: dict[Capability, int] = {}
    for entry in filter(None, (part.strip() for part in text.split(","))):
        match = _ENTRY.match(entry)
        if match is None:
            raise ValueError(f"{entry!r} is not CAPABILITY:NEW/ESTABLISHED (e.g. comment:30/500)")
        name, young, old = match.groups()
        if name not in {c.value for c in COUNTED}:
            raise ValueError(f"{name!r} is not counted: one of {', '.join(c.value for c in COUNTED)}")
        capability = Capability(name)
        if capability in new:
            raise ValueError(f"{name!r} is limited twice")
        new[capability], established[capability] = int(young), int(old)
    return new, established
