"""One place for configuration: every setting is an environment variable prefixed ``STROM_``."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.moderation.friction import DailyLimits, parse_limits
from domain.moderation.policy import StrikePolicy, parse_thresholds

ENGINES = {
    "eventstore_url": ("sqlite", "kurrentdb", "esdb", "kurrentdb+discover", "esdb+discover"),
    "readstore_url": ("sqlite", "cassandra"),
    "keystore_url": ("sqlite",),
}


WEAK_SECRETS = {"changeme", "change-me", "secret", "password", "development", "strom"}


class Settings(BaseSettings):
    """Embedded defaults: everything lives in files under ``var/`` so ``make run`` needs nothing else."""

    model_config = SettingsConfigDict(env_prefix="STROM_", extra="ignore")

    data_dir: Path = Path("var")
    eventstore_url: str = "sqlite:///var/events.db"
    eventstore_sync: Literal["full", "normal"] = "full"
    readstore_url: str = "sqlite:///var/read.db"
    keystore_url: str = "sqlite:///var/keys.db"
    broker_url: str = "memory://"
    #: ``file:var/media`` is relative to the working folder, ``file:///srv/media`` absolute;
    #: ``s3://bucket/prefix?endpoint=…`` for S3-compatible object storage.
    media_url: str = "file:var/media"
    #: Where tus uploads collect their bytes until complete: local to the API process.
    uploads_dir: Path = Path("var/uploads")
    upload_max_bytes: int = Field(default=500 * 1024**2, ge=1024, le=4 * 1024**3)
    upload_max_duration_s: float = Field(default=600.0, gt=0, le=600.0)
    #: An upload left unfinished this long is removed, bytes and all.
    upload_expiry_s: int = Field(default=24 * 3600, ge=60)
    #: Caps on uploads created and not finished, per user and (bytes) for the whole uploads folder;
    #: a creation over one is answered 429 (services/uploads.py says how they are counted).
    upload_max_open_per_user: int = Field(default=5, ge=1)
    upload_max_inflight_bytes_per_user: int = Field(default=2 * 1024**3, ge=1024)
    upload_max_inflight_bytes: int = Field(default=20 * 1024**3, ge=1024)
    #: How long a signed playback URL (for a video that is not public) stays valid.
    media_url_ttl_s: int = Field(default=3600, ge=60, le=7 * 24 * 3600)
    #: Adds AV1 renditions beside the H.264 ladder: smaller files, much slower to encode.
    transcode_av1: bool = False
    #: A transcode taking longer than this is killed and retried.
    transcode_timeout_s: float = Field(default=1800.0, gt=0)
    #: Attempts of a job after its first, with exponential backoff between them.
    job_max_retries: int = Field(default=4, ge=0, le=20)
    #: Transcodes run at once by ``strom run`` or one ``strom worker``: by default one per core.
    transcode_workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1, le=64)
    #: Videos up to this long go to the short-clip queue, served first (workers/pool.py).
    transcode_short_s: float = Field(default=60.0, gt=0)
    #: The process managers' lease (``services.leases``): a standby takes over within about this
    #: long of its holder's death; the holder renews it every third of it.
    managers_lease_s: int = Field(default=30, ge=3, le=600)
    #: A user with this many videos queued or transcoding is asked to wait before the next upload.
    transcode_max_jobs_per_user: int = Field(default=3, ge=1)

    #: Automatic screening (``strom screening``): the operator's blocklist of frame hashes and list of
    #: watched words (a word a line, ``~word`` to match inside other words), both read as they change.
    screening_blocklist: Path = Path("var/screening/blocklist.txt")
    screening_watched_words: Path = Path("var/screening/watched_words.txt")
    #: A video whose highest frame nudity score reaches the threshold gets the action.
    screening_nsfw_threshold: float = Field(default=0.6, gt=0, le=1)
    screening_nsfw_action: Literal["allow", "label", "hold", "block"] = "hold"
    #: What frames matching the blocklist get.
    screening_hash_action: Literal["allow", "label", "hold", "block"] = "block"
    #: Frames match an entry within this many bits of 64; a video matches when this many frames do.
    screening_hash_distance: int = Field(default=10, ge=0, le=32)
    screening_hash_min_frames: int = Field(default=2, ge=1, le=64)
    #: Frames sampled from each upload.
    screening_frames: int = Field(default=8, ge=1, le=64)
    #: A comment holding a watched word is held for a moderator, or refused.
    screening_comment_action: Literal["hold", "reject"] = "hold"
    #: Screening jobs run at once by ``strom run`` or one ``strom worker``.
    screening_workers: int = Field(default=1, ge=1, le=16)

    #: Moderation: the strike that brings the strikes in force to a count suspends the account for
    #: that count's time (``COUNT:DURATION``, hours ``h`` or days ``d``, or ``permanent``: until lifted).
    moderation_strike_thresholds: str = "3:7d,5:30d,7:permanent"
    #: How long a strike counts towards those thresholds.
    moderation_strike_lifetime_days: int = Field(default=180, ge=1, le=3650)
    #: Trust and friction: uploads, comments, follows and reports a person may make a UTC day, as
    #: ``CAPABILITY:NEW/ESTABLISHED`` (an account younger than ``trust_new_account_days``, then one
    #: older); over a limit a request is answered 429 until midnight UTC. Empty: no limits.
    trust_daily_limits: str = "upload:5/30,comment:30/500,follow:50/500,report:10/50"
    trust_new_account_days: int = Field(default=7, ge=0, le=365)
    #: Each strike in force multiplies the day's limits by this (never below one a day).
    trust_strike_factor: float = Field(default=0.5, gt=0, le=1)

    #: How long a data export's archive can be downloaded; then it is deleted.
    export_lifetime_s: int = Field(default=7 * 24 * 3600, ge=3600, le=90 * 24 * 3600)

    #: Signs audit checkpoints (``strom audit checkpoint``); made owner-only on first use, its public half
    #: beside it (``.pub``). Keep it where the service account that writes the log can neither read nor write.
    audit_signing_key: Path = Path("var/audit/signing.key")
    #: Signs access and refresh tokens. Unset: a random one is made once and kept in ``var/jwt.secret``.
    jwt_secret: SecretStr | None = None
    #: How long an access token is good for; the client refreshes it with its session's refresh token.
    token_ttl_s: int = Field(default=600, ge=60, le=3600)
    #: A session not refreshed for this long ends; each refresh slides it forward.
    session_ttl_s: int = Field(default=30 * 24 * 3600, ge=3600, le=365 * 24 * 3600)
    #: Streams whose folded state commands keep between them (least recently used dropped first), so a
    #: command reads only what its stream gained since; 0 keeps none.
    fold_cache_size: int = Field(default=20_000, ge=0)
    write_rate_per_s: float = Field(default=10.0, gt=0)
    write_burst: int = Field(default=40, ge=1)
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    #: A client must send its request headers within this many seconds, and its body at no less than
    #: ``client_body_min_rate`` bytes a second over each such span, or its connection is closed.
    client_timeout_s: float = Field(default=10.0, gt=0, le=300)
    #: 0 lets a request body arrive at any pace.
    client_body_min_rate: int = Field(default=500, ge=0)
    #: Notification streams (server-sent events) one person may hold open, and one API process in
    #: all; the process's cap is held to half the connections it has room for, whatever is set.
    notification_streams_per_person: int = Field(default=5, ge=1, le=100)
    notification_streams_per_process: int = Field(default=2000, ge=1)
    #: The built web client, served at ``/``: ``make run`` builds it with npm.
    web_dir: Path = Path("web/dist")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)

    @field_validator("moderation_strike_thresholds")
    @classmethod
    def _thresholds(cls, value: str) -> str:
        StrikePolicy(parse_thresholds(value))  # refused at start, with the entry at fault named
        return value

    @field_validator("trust_daily_limits")
    @classmethod
    def _limits(cls, value: str) -> str:
        DailyLimits(*parse_limits(value))  # refused at start, with the entry at fault named
        return value

    def daily_limits(self) -> DailyLimits:
        new, established = parse_limits(self.trust_daily_limits)
        return DailyLimits(
            new, established, timedelta(days=self.trust_new_account_days), self.trust_strike_factor
        )

    def strike_policy(self) -> StrikePolicy:
        thresholds = parse_thresholds(self.moderation_strike_thresholds)
        return StrikePolicy(thresholds, timedelta(days=self.moderation_strike_lifetime_days))

    @field_validator("jwt_secret")
    @classmethod
    def _strong_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        secret = value.get_secret_value()
        if len(secret) < 32 or secret.lower() in WEAK_SECRETS or len(set(secret)) < 8:
            raise ValueError("STROM_JWT_SECRET must be at least 32 random characters, not a placeholder")
        return value

    def token_secret(self) -> str:
        """The configured secret, or one generated once for this machine's embedded setup."""
        if self.jwt_secret is not None:
            return self.jwt_secret.get_secret_value()
        path = self.data_dir / "jwt.secret"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(48))
        return path.read_text().strip()

    def media_signing_key(self) -> bytes:
        """Derived from the token secret, so a deployment has one secret to keep, and a signed
        media URL can never pass as a bearer token or the other way round."""
        return hmac.new(self.token_secret().encode(), b"strom media urls", hashlib.sha256).digest()

    def cursor_key(self) -> bytes:
        """Seals page cursors (``read_models.cursors``). Derived from the token secret like the media
        key, so every API process, before and after a restart, opens the cursors any other sealed."""
        return hmac.new(self.token_secret().encode(), b"strom page cursors", hashlib.sha512).digest()

    @field_validator("eventstore_url", "readstore_url", "keystore_url")
    @classmethod
    def _known_engine(cls, value: str, info: object) -> str:
        name = getattr(info, "field_name", "")
        scheme = value.split("://", 1)[0] if "://" in value else ""
        if scheme not in ENGINES[name]:
            allowed = ", ".join(f"{s}://…" for s in ENGINES[name])
            raise ValueError(f"STROM_{name.upper()}={value!r}: expected one of {allowed}")
        return value


def sqlite_path(url: str) -> str:
    """``sqlite:///var/x.db`` is relative to the working folder, ``sqlite:////abs/x.db`` absolute."""
    return url.split("://", 1)[1][1:]
