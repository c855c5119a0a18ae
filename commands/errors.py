"""Failures of the write side that are not decisions of the domain."""

from __future__ import annotations

from eventstore.errors import StoreUnavailable


class Unavailable(Exception):
    """The event store cannot be reached or is locked; the client may retry later (503)."""


#: What the write side raises when a store cannot answer now. Handlers turn the event store's
#: ``StoreUnavailable`` into ``Unavailable`` where they load and append, but ports used directly
#: (idempotency records, the key store behind sealing) raise it as it is.
OUTAGES: tuple[type[Exception], ...] = (Unavailable, StoreUnavailable)
