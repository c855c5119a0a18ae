"""What every handler is given: the ports it may use and who is asking."""

from __future__ import annotations

import dataclasses
from typing import Protocol

from commands.folds import FoldCache
from domain.actors import Actor
from domain.moderation.friction import NO_LIMITS, DailyLimits
from domain.moderation.policy import StrikePolicy
from domain.screening import NO_RULES, Rules
from eventstore.codec import EventCodec
from eventstore.envelope import Metadata
from eventstore.ids import id_from_key, uuid7
from eventstore.keystore import KeyStore
from eventstore.port import EventStore


class ScreeningRules(Protocol):
    """The operator's screening policy and watched words as they stand now: asked on each command
    that screens text, so an operator's change applies without a restart."""

    def current(self) -> Rules: ...


@dataclasses.dataclass(frozen=True, slots=True)
class FixedRules:
    rules: Rules = NO_RULES

    def current(self) -> Rules:
        return self.rules


@dataclasses.dataclass(frozen=True, slots=True)
class Ports:
    store: EventStore
    codec: EventCodec
    keys: KeyStore
    screening: ScreeningRules = dataclasses.field(default_factory=FixedRules)
    #: Streams' folded state, kept between commands (commands/folds.py); one per store.
    folds: FoldCache = dataclasses.field(default_factory=FoldCache)
    #: When strikes suspend an account (the operator's settings).
    strikes: StrikePolicy = dataclasses.field(default_factory=StrikePolicy)
    #: How many uploads, comments, follows and reports a person may make a day (the operator's
    #: settings, through ``strom.ports``); ports built without them limit nothing, as tools' do.
    limits: DailyLimits = NO_LIMITS


@dataclasses.dataclass(frozen=True, slots=True)
class Request:
    """The person (or system) acting, and the ids that tie the resulting events together."""

    actor: Actor
    correlation_id: str = dataclasses.field(default_factory=lambda: str(uuid7()))
    idempotency_key: str | None = None
    causation_id: str | None = None

    def new_id(self, purpose: str) -> str:
        """A fresh time-ordered id; the same one again when a keyed request is retried."""
        if self.idempotency_key is None:
            return str(uuid7())
        return id_from_key(self.actor.user_id, self.idempotency_key, purpose)

    def metadata(self) -> Metadata:
        return Metadata(
            actor=self.actor.user_id,
            correlation_id=self.correlation_id,
            causation_id=self.causation_id,
            idempotency_key=self.idempotency_key,
        )


@dataclasses.dataclass(frozen=True, slots=True)
class Outcome:
    """Where the command's effect is in the log: read models at or past ``position`` show it."""

    position: int
    appended: int = 0
