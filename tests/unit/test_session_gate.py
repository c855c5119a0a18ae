"""The session gate: each request judged against the account stream as it stands, at the cost of
one revision lookup while the account does not change."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from commands import accounts as handlers
from commands import streams
from commands.aggregates import ACCOUNT
from commands.context import Ports, Request
from commands.handling import execute
from commands.sessions import SessionConfig, start_session
from domain import accounts
from domain.actors import Actor, Role
from domain.errors import InvalidCredentials
from eventstore.codec import EventCodec
from eventstore.envelope import RecordedEvent
from eventstore.ids import uuid7
from eventstore.keystore import SQLiteKeyStore
from eventstore.sealing import Sealer
from eventstore.sqlite import SQLiteEventStore
from services.sessions import SessionGate

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
CONFIG = SessionConfig(b"k" * 32, timedelta(days=30), clock=lambda: NOW)


class CountingStore(SQLiteEventStore):
    """Records what the gate asks of the log."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.reads: list[tuple[str, int | None]] = []

    def read_stream(self, stream: str, **options: Any) -> list[RecordedEvent]:
        self.reads.append((stream, options.get("from_version")))
        return super().read_stream(stream, **options)


@pytest.fixture
def ports(tmp_path: Path) -> Iterator[Ports]:
    keys = SQLiteKeyStore(tmp_path / "keys.db")
    store = CountingStore(tmp_path / "events.db")
    yield Ports(store=store, codec=EventCodec(Sealer(keys)), keys=keys)
    store.close()
    keys.close()


def reads(ports: Ports) -> list[tuple[str, int | None]]:
    assert isinstance(ports.store, CountingStore)
    return ports.store.reads


def registered(ports: Ports) -> str:
    user_id = str(uuid7())
    cmd = accounts.RegisterUser(user_id, f"u{user_id[-8:]}", f"u{user_id[-8:]}@example.com", "h", "U")
    execute(
        ports,
        Request(Actor(user_id)),
        streams.user(user_id),
        ACCOUNT,
        lambda s: accounts.decide_register(s, cmd),
    )
    return user_id


def session(ports: Ports, user_id: str) -> str:
    granted = start_session(
        user_id, verified=lambda _: True, ports=ports, request=Request(handlers.ANONYMOUS), config=CONFIG
    )
    return granted.session_id


def test_an_unchanged_account_is_not_read_again(ports: Ports) -> None:
    # Given a gate that has judged one request
    user_id = registered(ports)
    session_id = session(ports, user_id)
    gate = SessionGate(ports, clock=lambda: NOW)
    gate.admit(user_id, session_id)
    reads(ports).clear()
    # When more requests come with nothing new on the account
    for _ in range(3):
        gate.admit(user_id, session_id)
    # Then the log was not read (only its revision asked)
    assert reads(ports) == []


def test_a_changed_account_is_read_from_where_the_gate_left_off(ports: Ports) -> None:
    # Given
    user_id = registered(ports)
    session_id = session(ports, user_id)
    gate = SessionGate(ports, clock=lambda: NOW)
    assert gate.admit(user_id, session_id).actor.role is Role.USER
    version = ports.store.stream_version(streams.user(user_id))
    assert version is not None
    reads(ports).clear()
    # When the role changes (which ends the session) and they sign in again
    handlers.grant_role(user_id, Role.MODERATOR, ports=ports)
    again = session(ports, user_id)
    reads(ports).clear()
    # Then the old session is refused, the new one has the new role, and only new events were read
    with pytest.raises(InvalidCredentials, match="session has ended"):
        gate.admit(user_id, session_id)
    assert gate.admit(user_id, again).actor.role is Role.MODERATOR
    assert reads(ports) == [(streams.user(user_id), version + 1)]


def test_an_expired_session_is_refused(ports: Ports) -> None:
    user_id = registered(ports)
    session_id = session(ports, user_id)
    later = SessionGate(ports, clock=lambda: NOW + CONFIG.ttl)
    with pytest.raises(InvalidCredentials):
        later.admit(user_id, session_id)


def test_an_unknown_account_is_refused_and_costs_no_read(ports: Ports) -> None:
    gate = SessionGate(ports, clock=lambda: NOW)
    with pytest.raises(InvalidCredentials):
        gate.admit(str(uuid7()), str(uuid7()))
    assert reads(ports) == []


def test_the_cache_keeps_the_most_recently_asked_accounts_only(ports: Ports) -> None:
    # Given a gate that keeps two accounts, asked for three
    users = [registered(ports) for _ in range(3)]
    sessions = [session(ports, u) for u in users]
    gate = SessionGate(ports, capacity=2, clock=lambda: NOW)
    for user_id, session_id in zip(users, sessions, strict=True):
        gate.admit(user_id, session_id)
    reads(ports).clear()
    # When the first and the last are asked again
    gate.admit(users[2], sessions[2])
    gate.admit(users[0], sessions[0])
    # Then only the first, pushed out, is folded again from the start
    assert reads(ports) == [(streams.user(users[0]), 0)]
