"""What the app holds for its lifetime, built once by the app factory."""

from __future__ import annotations

import dataclasses

from api.limits import RateLimiter
from api.metrics import Metrics
from api.tokens import Tokens
from commands.context import Ports
from read_models.port import ReadStore


@dataclasses.dataclass(slots=True)
class AppState:
    ports: Ports
    tokens: Tokens
    limiter: RateLimiter
    metrics: Metrics
    fingerprint_key: bytes
    read_store: ReadStore | None = None
