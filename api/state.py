"""What the app holds for its lifetime, built once by the app factory."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from api.limits import RateLimiter
from api.metrics import Metrics
from api.tokens import Tokens
from commands.context import Ports
from media.storage import MediaStorage
from read_models.port import ReadStore


@dataclasses.dataclass(frozen=True, slots=True)
class Media:
    """What the upload and delivery routes need: where bytes go, the limits on an upload, and the
    key that signs playback URLs for videos that are not public."""

    storage: MediaStorage
    uploads_dir: Path
    signing_key: bytes
    max_upload_bytes: int = 500 * 1024**2
    max_duration_s: float = 600.0
    upload_expiry_s: int = 24 * 3600
    url_ttl_s: int = 3600


@dataclasses.dataclass(slots=True)
class AppState:
    ports: Ports
    tokens: Tokens
    limiter: RateLimiter
    metrics: Metrics
    fingerprint_key: bytes
    read_store: ReadStore | None = None
    media: Media | None = None
