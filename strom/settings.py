"""One place for configuration: every setting is an environment variable prefixed ``STROM_``."""

from __future__ import annotations

from typing import Literal

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ENGINES = {
    "eventstore_url": ("sqlite", "kurrentdb", "esdb", "kurrentdb+discover", "esdb+discover"),
    "readstore_url": ("sqlite", "cassandra"),
    "keystore_url": ("sqlite",),
}


class Settings(BaseSettings):
    """Embedded defaults: everything lives in files under ``var/`` so ``make run`` needs nothing else."""

    model_config = SettingsConfigDict(env_prefix="STROM_", extra="ignore")

    eventstore_url: str = "sqlite:///var/events.db"
    eventstore_sync: Literal["full", "normal"] = "full"
    readstore_url: str = "sqlite:///var/read.db"
    keystore_url: str = "sqlite:///var/keys.db"
    broker_url: str = "memory://"
    media_url: str = "file:///var/media"

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
