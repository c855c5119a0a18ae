"""The base of every domain event and the registry that names them.

Events are the storage format: their type names and field names never change
once released. A new shape gets a new ``schema_version`` and an upcaster
(see ``domain.upcasters``) so old records still read as the newest shape.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar


@dataclasses.dataclass(frozen=True, slots=True)
class DomainEvent:
    """A fact that happened. Subclasses are frozen dataclasses of JSON-friendly fields."""

    event_type: ClassVar[str] = ""
    schema_version: ClassVar[int] = 1
    #: Fields that identify or were written by a person; sealed with their data key.
    personal_fields: ClassVar[tuple[str, ...]] = ()
    #: Which field names the person whose key seals ``personal_fields``.
    subject_field: ClassVar[str | None] = None
    #: Whether ``personal_fields`` are sealed together, in one box (cheaper for many small fields).
    sealed_together: ClassVar[bool] = False

    def to_data(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def subject(self) -> str | None:
        """The id of the person whose key seals this event's personal fields."""
        if self.subject_field is None:
            return None
        value = getattr(self, self.subject_field)
        return str(value) if value is not None else None


E = TypeVar("E", bound=type[DomainEvent])

EVENT_TYPES: dict[str, type[DomainEvent]] = {}


def event(
    name: str,
    *,
    version: int = 1,
    personal: tuple[str, ...] = (),
    subject: str | None = None,
    together: bool = False,
) -> Callable[[E], E]:
    """Register an event class under its stored type name."""

    def register(cls: E) -> E:
        if name in EVENT_TYPES and EVENT_TYPES[name] is not cls:
            raise ValueError(f"event type {name!r} is registered twice")
        if personal and subject is None:
            raise ValueError(f"event type {name!r} has personal fields but no subject field")
        cls.event_type = name
        cls.schema_version = version
        cls.personal_fields = personal
        cls.subject_field = subject
        cls.sealed_together = together
        EVENT_TYPES[name] = cls
        return cls

    return register


def event_from_data(
    event_type: str, data: dict[str, Any], types: dict[str, type[DomainEvent]] | None = None
) -> DomainEvent:
    """Build the domain event of a stored type from its (upcast, unsealed) data."""
    cls = (EVENT_TYPES if types is None else types).get(event_type)
    if cls is None:
        raise KeyError(event_type)
    names = _field_names(cls)
    if data.keys() <= names:
        return cls(**data)
    return cls(**{k: v for k, v in data.items() if k in names})


_FIELD_NAMES: dict[type[DomainEvent], frozenset[str]] = {}


def _field_names(cls: type[DomainEvent]) -> frozenset[str]:
    """Cached: reflection per decoded event would cost more than decoding it."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = frozenset(f.name for f in dataclasses.fields(cls))
    return names
