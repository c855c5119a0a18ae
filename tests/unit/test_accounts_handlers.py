"""Account handlers on a real (temporary) log: claims that outlive a failed registration, retries
cut short anywhere, erasure finished on a second request, the operator's role grant."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from commands import accounts as handlers
from commands import aggregates, streams
from commands.context import Ports, Request
from commands.handling import execute
from commands.sessions import SessionConfig
from domain import accounts
from domain.accounts import ClaimEmail, ClaimHandle, claims, email_key, handle_key
from domain.actors import Actor, Role
from domain.errors import Conflict, InvalidCredentials, NotAllowed
from eventstore.codec import EventCodec
from eventstore.errors import StreamNotFound
from eventstore.ids import uuid7
from eventstore.keystore import SQLiteKeyStore
from eventstore.sealing import Sealer
from eventstore.sqlite import SQLiteEventStore

PASSWORD = "correct horse battery"
ANONYMOUS = Request(handlers.ANONYMOUS)
SESSIONS = SessionConfig(b"k" * 32)


@pytest.fixture
def ports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Ports]:
    """A fresh log and key store; argon2 with cheap parameters, so these tests are about claims."""
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(handlers, "hash_password", cheap.hash)
    keys = SQLiteKeyStore(tmp_path / "keys.db")
    store = SQLiteEventStore(tmp_path / "events.db")
    yield Ports(store=store, codec=EventCodec(Sealer(keys)), keys=keys)
    store.close()
    keys.close()


def new_account(handle: str = "ann_b", email: str = "ann@example.com") -> handlers.NewAccount:
    return handlers.NewAccount(handle, email, PASSWORD, "Ann")


def keyed(key: str = "signup-1") -> Request:
    return Request(handlers.ANONYMOUS, idempotency_key=key)


def in_a_minute_and_a_bit() -> datetime:
    return datetime.now(UTC) + handlers.CLAIM_GRACE + timedelta(seconds=1)


def claim_without_account(ports: Ports, user_id: str, *, handle: str = "", email: str = "") -> None:
    """What a registration that stopped after its claims leaves behind."""
    if email:
        cmd: ClaimEmail | ClaimHandle = ClaimEmail(email, user_id)
        stream = streams.email_claim(email_key(email))
    else:
        cmd, stream = ClaimHandle(handle, user_id), streams.handle_claim(handle_key(handle))
    execute(ports, Request(Actor(user_id)), stream, aggregates.CLAIM, lambda s: claims.decide_claim(s, cmd))


def types_in(ports: Ports, stream: str) -> list[str]:
    try:
        return [e.type for e in ports.store.read_stream(stream)]
    except StreamNotFound:
        return []


# -- claims without an account ---------------------------------------------------------------------


def test_a_claim_whose_holder_never_registered_is_held_through_the_grace(ports: Ports) -> None:
    # Given
    claim_without_account(ports, str(uuid7()), handle="ann_b")
    # When / Then
    with pytest.raises(Conflict, match="handle is taken"):
        handlers.register_user(new_account(), ports=ports, request=ANONYMOUS)
    assert types_in(ports, streams.email_claim(email_key("ann@example.com"))) == []


def test_a_claim_whose_holder_never_registered_is_free_again_after_the_grace(ports: Ports) -> None:
    # Given
    claim_without_account(ports, str(uuid7()), handle="Ann_B")
    # When
    registered = handlers.register_user(
        new_account(), ports=ports, request=ANONYMOUS, clock=in_a_minute_and_a_bit
    )
    # Then the stream says who holds the handle now
    assert types_in(ports, streams.handle_claim("ann_b")) == ["HandleClaimed", "HandleClaimed"]
    assert handlers.find_user_id("ANN_B", ports=ports) == registered.user_id
    assert types_in(ports, streams.user(registered.user_id)) == ["UserRegistered"]


def test_a_claim_whose_holder_registered_is_never_free_again(ports: Ports) -> None:
    handlers.register_user(new_account(), ports=ports, request=ANONYMOUS)
    with pytest.raises(Conflict, match="email"):
        handlers.register_user(
            new_account(handle="other"), ports=ports, request=ANONYMOUS, clock=in_a_minute_and_a_bit
        )


def test_a_stalled_registration_that_lost_its_claim_records_no_account(ports: Ports) -> None:
    # Given a keyed registration that stopped after claiming the email, which someone took over later
    stalled = keyed("stalled")
    stalled_id = stalled.new_id("user")
    claim_without_account(ports, stalled_id, email="ann@example.com")
    other = handlers.register_user(
        new_account(handle="bob"), ports=ports, request=ANONYMOUS, clock=in_a_minute_and_a_bit
    )
    # When it is retried
    with pytest.raises(Conflict, match="email"):
        handlers.register_user(new_account(), ports=ports, request=stalled)
    # Then the email is the other's, and the stalled registration recorded neither account nor handle
    assert handlers.find_user_id("ann@example.com", ports=ports) == other.user_id
    assert types_in(ports, streams.user(stalled_id)) == []
    assert types_in(ports, streams.handle_claim("ann_b")) == []


def test_login_by_an_abandoned_claim_fails_like_a_wrong_password(ports: Ports) -> None:
    claim_without_account(ports, str(uuid7()), handle="ghost")
    with pytest.raises(InvalidCredentials, match="wrong login or password"):
        handlers.log_in(
            handlers.Credentials("ghost", PASSWORD), ports=ports, request=ANONYMOUS, sessions=SESSIONS
        )


# -- keyed retries ---------------------------------------------------------------------------------


def test_a_keyed_registration_cut_short_after_its_claims_is_finished_by_its_retry(ports: Ports) -> None:
    # Given
    request = keyed()
    user_id = request.new_id("user")
    claim_without_account(ports, user_id, email="ann@example.com")
    claim_without_account(ports, user_id, handle="ann_b")
    # When
    registered = handlers.register_user(new_account(), ports=ports, request=request)
    # Then
    assert registered.user_id == user_id
    assert types_in(ports, streams.handle_claim("ann_b")) == ["HandleClaimed"]
    assert types_in(ports, streams.user(user_id)) == ["UserRegistered"]


def test_a_keyed_registration_that_had_finished_records_nothing_on_its_retry(ports: Ports) -> None:
    first = handlers.register_user(new_account(), ports=ports, request=keyed())
    head = ports.store.head_position()
    again = handlers.register_user(new_account(), ports=ports, request=keyed())
    assert again == first
    assert ports.store.head_position() == head


def test_registering_records_the_new_user_as_the_actor(ports: Ports) -> None:
    registered = handlers.register_user(new_account(), ports=ports, request=ANONYMOUS)
    actors = {e.metadata.actor for e in ports.store.read_all()}
    assert actors == {registered.user_id}


# -- passwords, roles, erasure ---------------------------------------------------------------------


def test_a_wrong_current_password_is_refused_before_the_new_one_is_hashed(
    ports: Ports, monkeypatch: pytest.MonkeyPatch
) -> None:
    registered = handlers.register_user(new_account(), ports=ports, request=ANONYMOUS)
    monkeypatch.setattr(handlers, "hash_password", lambda _: pytest.fail("hashed"))
    change = handlers.PasswordChange(Actor(registered.user_id), "not it at all", "brand new secret")
    with pytest.raises(NotAllowed, match="current password is wrong"):
        handlers.change_password(change, ports=ports, request=Request(change.actor))


def test_the_operator_grants_a_role_as_the_system(ports: Ports) -> None:
    registered = handlers.register_user(new_account(), ports=ports, request=ANONYMOUS)
    handlers.grant_role(registered.user_id, Role.ADMIN, ports=ports)
    record = ports.store.read_stream(streams.user(registered.user_id))[-1]
    assert record.type == "UserRoleChanged"
    assert (record.metadata.actor, record.data["changed_by"]) == ("system:operator", "system:operator")
    credentials = handlers.Credentials("ann_b", PASSWORD)
    logged_in = handlers.log_in(credentials, ports=ports, request=ANONYMOUS, sessions=SESSIONS)
    assert logged_in.actor == Actor(registered.user_id, Role.ADMIN)


def test_an_erasure_cut_short_before_the_key_was_deleted_is_finished_when_asked_again(
    ports: Ports,
) -> None:
    # Given an erasure recorded, but its key deletion never ran
    registered = handlers.register_user(new_account(), ports=ports, request=ANONYMOUS)
    holder = Actor(registered.user_id)
    cmd = accounts.RequestErasure(holder, registered.user_id)
    stream = streams.user(registered.user_id)
    execute(
        ports, Request(holder), stream, aggregates.ACCOUNT, lambda s: accounts.decide_request_erasure(s, cmd)
    )
    head = ports.store.head_position()
    # When
    handlers.request_erasure(cmd, ports=ports, request=Request(holder))
    # Then
    assert ports.keys.find(registered.user_id) is None
    assert ports.store.head_position() == head


def test_someone_else_cannot_erase_again_what_is_erased(ports: Ports) -> None:
    registered = handlers.register_user(new_account(), ports=ports, request=ANONYMOUS)
    holder = Actor(registered.user_id)
    handlers.request_erasure(
        accounts.RequestErasure(holder, holder.user_id), ports=ports, request=Request(holder)
    )
    stranger = Actor(str(uuid7()))
    with pytest.raises(Conflict):
        handlers.request_erasure(
            accounts.RequestErasure(stranger, holder.user_id), ports=ports, request=Request(stranger)
        )
