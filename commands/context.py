"""What every handler is given: the ports it may use and who is asking."""

from __future__ import annotations

import dataclasses

from domain.actors import Actor
from eventstore.codec import EventCodec
from eventstore.envelope import Metadata
from eventstore.ids import id_from_key, uuid7
from eventstore.keystore import KeyStore
from eventstore.port import EventStore


@dataclasses.dataclass(frozen=True, slots=True)
class Ports:
    store: EventStore
    codec: EventCodec
    keys: KeyStore


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
