"""Picks adapters from URLs. The only place that knows which engine is behind a port."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

from eventstore.codec import EventCodec
from eventstore.keystore import KeyStore, SQLiteKeyStore
from eventstore.port import EventStore
from eventstore.sealing import Sealer
from media.storage import FileStorage, MediaStorage
from read_models.cursors import CursorSeal
from read_models.port import ReadStore
from strom.settings import Settings, sqlite_path

MEDIA_SCHEMES = ("file:", "s3:")


def open_event_store(settings: Settings) -> EventStore:
    url = settings.eventstore_url
    if url.startswith("sqlite://"):
        from eventstore.sqlite import SQLiteEventStore

        return SQLiteEventStore(sqlite_path(url), sync=settings.eventstore_sync)
    from eventstore.kurrentdb import KurrentDBEventStore

    return KurrentDBEventStore(url)


def open_key_store(settings: Settings) -> KeyStore:
    return SQLiteKeyStore(sqlite_path(settings.keystore_url))


def make_codec(keys: KeyStore) -> EventCodec:
    return EventCodec(Sealer(keys))


def open_read_store(settings: Settings) -> ReadStore:
    """Connects lazily: a Cassandra that is down surfaces at first use, naming its hosts."""
    url = settings.readstore_url
    cursors = CursorSeal(settings.cursor_key())
    if url.startswith("sqlite://"):
        from read_models.sqlite import SQLiteReadStore

        return SQLiteReadStore(sqlite_path(url), cursors=cursors)
    from read_models.cassandra import CassandraReadStore

    return CassandraReadStore.from_url(url, cursors=cursors)


def open_media_storage(settings: Settings) -> MediaStorage:
    url = settings.media_url
    if url.startswith("file:"):
        return FileStorage(Path(urlparse(url).path))
    if url.startswith("s3:"):
        from media.s3 import S3Storage

        return S3Storage.from_url(url)
    raise ValueError(f"STROM_MEDIA_URL={url!r}: no adapter for it; use one of {', '.join(MEDIA_SCHEMES)}")
