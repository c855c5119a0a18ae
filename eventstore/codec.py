"""Turns domain events into envelopes and back: sealing, upcasting, type lookup."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from domain.events import EVENT_TYPES, DomainEvent, event_from_data
from domain.upcasters import UPCASTERS, Upcaster
from eventstore.envelope import Metadata, NewEvent, RecordedEvent
from eventstore.errors import CorruptEvent, UnknownEventType
from eventstore.ids import uuid7
from eventstore.sealing import Sealer, UnsealError


@dataclasses.dataclass(frozen=True, slots=True)
class Decoded:
    """A domain event with the record it came from and which personal fields are erased."""

    event: DomainEvent
    record: RecordedEvent
    erased: frozenset[str] = frozenset()

    @property
    def occurred_at(self) -> datetime:
        """When it happened, as its envelope records it."""
        return datetime.fromisoformat(self.record.metadata.occurred_at)


class EventCodec:
    def __init__(
        self,
        sealer: Sealer,
        *,
        types: dict[str, type[DomainEvent]] | None = None,
        upcasters: dict[tuple[str, int], Upcaster] | None = None,
    ) -> None:
        self._sealer = sealer
        self._types = EVENT_TYPES if types is None else types
        self._upcasters = UPCASTERS if upcasters is None else upcasters

    def for_batch(self) -> EventCodec:
        """A codec that looks each subject's key up once (``Sealer.for_batch``): for a batch of
        events read together, dropped once the batch is done."""
        batch = copy.copy(self)
        batch._sealer = self._sealer.for_batch()
        return batch

    def encode(
        self, event: DomainEvent, metadata: Metadata | None = None, *, event_id: str | None = None
    ) -> NewEvent:
        return self._encode(self._sealer, event, metadata, event_id)

    def encode_all(
        self, events: Sequence[DomainEvent], metadata: Metadata | None, *, event_ids: Sequence[str]
    ) -> list[NewEvent]:
        """The events of one append: each subject's key is looked up once, not once per event."""
        sealer = self._sealer.for_batch()
        return [self._encode(sealer, e, metadata, i) for e, i in zip(events, event_ids, strict=True)]

    def _encode(
        self, sealer: Sealer, event: DomainEvent, metadata: Metadata | None, event_id: str | None
    ) -> NewEvent:
        event_id = event_id or str(uuid7())
        metadata = metadata or Metadata()
        data = event.to_data()
        subject = event.subject()
        if event.personal_fields and subject is not None:
            data = sealer.seal(
                data,
                event.personal_fields,
                subject=subject,
                event_id=event_id,
                together=event.sealed_together,
            )
            metadata = dataclasses.replace(metadata, key_id=subject)
        return NewEvent(
            type=event.event_type,
            data=data,
            event_id=event_id,
            schema_version=event.schema_version,
            metadata=metadata,
        )

    def decode(self, record: RecordedEvent) -> Decoded:
        cls = self._types.get(record.type)
        if cls is None:
            raise UnknownEventType(record.stream, record.position, record.type)
        try:
            data, erased = self._sealer.unseal(
                record.data, subject=record.metadata.key_id, event_id=record.event_id
            )
        except UnsealError as exc:
            raise CorruptEvent(record.stream, record.position, str(exc)) from exc
        data = self._upcast(record, data, cls.schema_version)
        try:
            event = event_from_data(record.type, data, self._types)
        except TypeError as exc:
            raise CorruptEvent(
                record.stream, record.position, f"data does not fit {record.type}: {exc}"
            ) from exc
        return Decoded(event=event, record=record, erased=erased)

    def _upcast(self, record: RecordedEvent, data: dict[str, Any], newest: int) -> dict[str, Any]:
        version = record.schema_version
        while version < newest:
            step = self._upcasters.get((record.type, version))
            if step is None:
                reason = f"no upcaster for {record.type} from schema v{version}"
                raise CorruptEvent(record.stream, record.position, reason)
            data = step(data)
            version += 1
        if version > newest:
            reason = f"{record.type} schema v{version} is newer than this code (v{newest})"
            raise CorruptEvent(record.stream, record.position, reason)
        return data
