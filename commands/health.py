"""Whether the write side can work right now, in words an operator can act on."""

from __future__ import annotations

from commands.context import Ports
from eventstore.errors import EventStoreError


def store_ready(ports: Ports) -> str | None:
    try:
        ports.store.head_position()
    except EventStoreError as exc:
        return f"event store: {exc}"
    return None
