"""What the app holds for its lifetime, built once by the app factory."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from api.limits import RateLimiter
from api.metrics import Metrics
from api.notification_stream import NotificationHub
from api.shared_reads import SharedReads
from api.stream_tickets import StreamTickets
from api.tokens import Tokens
from commands.context import Ports
from commands.sessions import SessionConfig
from media.storage import MediaStorage
from read_models.port import ReadStore
from services.sessions import SessionGate
from services.uploads import Caps, UploadLimits, Uploads


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
    upload_caps: Caps = dataclasses.field(default_factory=Caps)

    def uploads(self, ports: Ports, jobs: ReadStore | None) -> Uploads:
        """The upload service on this media, under its limits; ``jobs`` counts queued transcodes."""
        limits = UploadLimits(
            self.max_upload_bytes, self.max_duration_s, self.upload_expiry_s, self.upload_caps
        )
        return Uploads(ports=ports, storage=self.storage, folder=self.uploads_dir, limits=limits, jobs=jobs)


@dataclasses.dataclass(slots=True)
class AppState:
    ports: Ports
    tokens: Tokens
    sessions: SessionConfig  # what starting and refreshing a session needs
    gate: SessionGate  # judges each request's session against the account as it stands
    limiter: RateLimiter
    metrics: Metrics
    fingerprint_key: bytes
    stream_tickets: StreamTickets  # open notification streams (EventSource sends no bearer)
    notification_streams: NotificationHub  # one watcher per process for every stream
    read_store: ReadStore | None = None
    media: Media | None = None
    #: Reads the same for everyone, kept about a second (For You's pool, trending, video rows).
    shared_reads: SharedReads = dataclasses.field(default_factory=SharedReads)
