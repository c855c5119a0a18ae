"""Ids sort by time and derive deterministically; settings refuse engines we do not have."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from eventstore.ids import id_from_key, uuid7
from strom.settings import Settings, sqlite_path


def test_uuid7_ids_are_version_7_and_sort_by_creation() -> None:
    ids = [uuid7() for _ in range(1000)]
    assert {i.version for i in ids} == {7}
    assert [i.int >> 80 for i in ids] == sorted(i.int >> 80 for i in ids)
    assert len(set(ids)) == 1000


def test_the_same_key_always_gives_the_same_id_and_different_keys_differ() -> None:
    assert id_from_key("user-1", "idem-abc") == id_from_key("user-1", "idem-abc")
    assert id_from_key("user-1", "idem-abc") != id_from_key("user-2", "idem-abc")


def test_unknown_engine_urls_are_refused_naming_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STROM_EVENTSTORE_URL", "postgres://localhost/x")
    with pytest.raises(ValidationError, match="STROM_EVENTSTORE_URL"):
        Settings()


def test_embedded_defaults_need_no_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("STROM_EVENTSTORE_URL", "STROM_READSTORE_URL", "STROM_KEYSTORE_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert sqlite_path(settings.eventstore_url) == "var/events.db"
    assert sqlite_path("sqlite:////tmp/x.db") == "/tmp/x.db"
