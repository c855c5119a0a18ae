"""How the contract suite opens each event-store adapter; one entry per engine."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from eventstore.port import EventStore

Opener = Callable[[], EventStore]


def sqlite_opener(tmp_path: Path) -> Opener:
    from eventstore.sqlite import SQLiteEventStore

    path = tmp_path / "events.db"
    return lambda: SQLiteEventStore(path)


def kurrentdb_opener(_: Path) -> Opener:
    url = os.environ.get("KURRENTDB_URL")
    if not url:
        pytest.skip("KURRENTDB_URL is not set: no KurrentDB server to run the contract against")
    from eventstore.kurrentdb import KurrentDBEventStore

    return lambda: KurrentDBEventStore(url)


OPENERS: dict[str, Callable[[Path], Opener]] = {
    "sqlite": sqlite_opener,
    "kurrentdb": kurrentdb_opener,
}
