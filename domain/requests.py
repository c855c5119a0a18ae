"""The remembered outcome of a request sent with an ``Idempotency-Key``."""

from __future__ import annotations

import dataclasses
from typing import Any

from domain.events import DomainEvent, event


@event("RequestCompleted")
@dataclasses.dataclass(frozen=True, slots=True)
class RequestCompleted(DomainEvent):
    """A retry with the same key gets ``response`` back and appends nothing.

    ``fingerprint`` identifies the request (method, path, body), so the same key sent with a
    different request is refused rather than silently answered with the first one's result.
    Responses hold ids and positions only, never personal data.
    """

    fingerprint: str
    status: int
    response: dict[str, Any]
