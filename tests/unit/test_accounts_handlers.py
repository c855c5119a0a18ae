"""Account handlers on a real (temporary) log: keyed claims and the legacy ones an older log holds,
claims that outlive a failed registration, retries cut short anywhere, erasure finished on a second
request and the claims it releases, the operator's role grant."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from commands import accounts as handlers
from commands import aggregates, claim_streams, passwords, streams
from commands.context import Ports, Request
from commands.handling import execute
from commands.sessions import SessionConfig
from domain import accounts
from domain.accounts import ClaimEmail, ClaimHandle, claims, email_key
from domain.actors import Actor, Role
from domain.errors import Conflict, InvalidCommand, InvalidCredentials, NotAllowed
from eventstore.codec import EventCodec
from eventstore.envelope import StreamState
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


def claim_without_account(
    ports: Ports, user_id: str, *, handle: str = "", email: str = "", legacy: bool = False
) -> None:
    """What a registration that stopped after its claims leaves behind; ``legacy``: one made before
    claim streams were keyed, under the old name."""
    if email:
        cmd: ClaimEmail | ClaimHandle = ClaimEmail(email, user_id)
        names = claim_streams.of_email(ports.keys, email)
    else:
        cmd, names = ClaimHandle(handle, user_id), claim_streams.of_handle(ports.keys, handle)
    stream = names.legacy if legacy else names.keyed
    execute(ports, Request(Actor(user_id)), stream, aggregates.CLAIM, lambda s: claims.decide_claim(s, cmd))


def handle_stream(ports: Ports, handle: str = "ann_b") -> str:
    return claim_streams.of_handle(ports.keys, handle).keyed


def email_stream(ports: Ports, email: str = "ann@example.com") -> str:
    return claim_streams.of_email(ports.keys, email).keyed


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
    assert types_in(ports, email_stream(ports)) == []


def test_a_claim_whose_holder_never_registered_is_free_again_after_the_grace(ports: Ports) -> None:
    # Given
    claim_without_account(ports, str(uuid7()), handle="Ann_B")
    # When
    registered = handlers.register_user(
        new_account(), ports=ports, request=ANONYMOUS, clock=in_a_minute_and_a_bit
    )
    # Then the stream says who holds the handle now
    assert types_in(ports, handle_stream(ports)) == ["HandleClaimed", "HandleClaimed"]
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
    assert types_in(ports, handle_stream(ports)) == []


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
    assert types_in(ports, handle_stream(ports)) == ["HandleClaimed"]
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
    cmd = accounts.RequestErasure(holder, registered.user_id, "e1")
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


def test_an_erasure_asked_again_answers_the_first_erasures_id(ports: Ports) -> None:
    # Given
    registered = handlers.register_user(new_account(), ports=ports, request=ANONYMOUS)
    holder = Actor(registered.user_id)
    first = handlers.request_erasure(
        accounts.RequestErasure(holder, holder.user_id), ports=ports, request=Request(holder)
    )
    # When
    again = handlers.request_erasure(
        accounts.RequestErasure(holder, holder.user_id), ports=ports, request=Request(holder)
    )
    # Then
    assert again.erasure_id == first.erasure_id
    assert first.erasure_id not in (registered.user_id, "")


# -- keyed claims ----------------------------------------------------------------------------------


def test_claim_streams_are_named_by_a_keyed_digest_and_hold_no_value(ports: Ports) -> None:
    # When
    registered = handlers.register_user(
        new_account("Ann_B", " Ann@Example.com"), ports=ports, request=ANONYMOUS
    )
    # Then: the names are digests under the key store's secret, never the value or its plain digest
    claimed = [r for r in ports.store.read_all() if r.type in ("HandleClaimed", "EmailClaimed")]
    assert {r.stream for r in claimed} == {handle_stream(ports), email_stream(ports)}
    assert not {streams.handle_claim("ann_b"), streams.email_claim(email_key("ann@example.com"))} & {
        r.stream for r in claimed
    }
    assert [r.data for r in claimed] == [{"user_id": registered.user_id}] * 2
    assert ports.keys.find(claim_streams.SECRET_SUBJECT) is not None


def test_another_key_store_names_the_same_handle_differently(ports: Ports, tmp_path: Path) -> None:
    # Given
    other = SQLiteKeyStore(tmp_path / "other-keys.db")
    # When / Then
    assert claim_streams.of_handle(other, "ann_b").keyed != handle_stream(ports)
    other.close()


@pytest.mark.parametrize(
    ("legacy", "taken"),
    [({"handle": "ann_b"}, "handle"), ({"email": "ann@example.com"}, "email")],
    ids=["handle", "email"],
)
def test_a_value_claimed_under_its_legacy_name_stays_unique(
    ports: Ports, legacy: dict[str, str], taken: str
) -> None:
    # Given an account registered before claims were keyed
    old = handlers.register_user(
        new_account("someone", "someone@example.com"), ports=ports, request=ANONYMOUS
    )
    claim_without_account(ports, old.user_id, legacy=True, **legacy)
    head = ports.store.head_position()
    # When / Then
    with pytest.raises(Conflict, match=taken):
        handlers.register_user(new_account(), ports=ports, request=ANONYMOUS, clock=in_a_minute_and_a_bit)
    assert ports.store.head_position() == head


def test_an_account_claimed_under_legacy_names_still_logs_in(ports: Ports) -> None:
    # Given an account whose claims are under their legacy names only
    user_id = str(uuid7())
    cmd = accounts.RegisterUser(
        user_id, "old_one", "old@example.com", passwords.hash_password(PASSWORD), "Old"
    )
    execute(
        ports,
        Request(Actor(user_id)),
        streams.user(user_id),
        aggregates.ACCOUNT,
        lambda s: accounts.decide_register(s, cmd),
    )
    claim_without_account(ports, user_id, handle="old_one", legacy=True)
    claim_without_account(ports, user_id, email="old@example.com", legacy=True)
    # When / Then
    for login in ("OLD_ONE", "old@example.com"):
        granted = handlers.log_in(
            handlers.Credentials(login, PASSWORD), ports=ports, request=ANONYMOUS, sessions=SESSIONS
        )
        assert granted.actor.user_id == user_id


def test_an_account_registered_before_handles_were_sealed_reads_its_handle_as_recorded(
    ports: Ports,
) -> None:
    # Given a registration whose handle was recorded in clear (the rest sealed, as it was then)
    user_id = str(uuid7())
    event = accounts.UserRegistered(user_id, "Old_One", "old@example.com", "hash", "Old")
    new = ports.codec.encode(event)
    old = dataclasses.replace(new, data={**new.data, "handle": "Old_One"})
    ports.store.append(streams.user(user_id), [old], StreamState.NO_STREAM)
    claim_without_account(ports, user_id, handle="Old_One", legacy=True)
    # When
    registered = handlers.as_registered(user_id, ports=ports)
    # Then the handle reads as it was, and an erasure can still tell its claims
    assert (registered.handle, registered.email) == ("Old_One", "old@example.com")
    legacy = claim_streams.of_handle(ports.keys, "old_one").legacy
    assert legacy in handlers.claims_held(registered, ports=ports)


# -- erasure releases the claims -------------------------------------------------------------------


def erase(ports: Ports, user_id: str) -> handlers.Erasing:
    holder = Actor(user_id)
    return handlers.request_erasure(
        accounts.RequestErasure(holder, user_id), ports=ports, request=Request(holder)
    )


def released(ports: Ports, user_id: str) -> None:
    """What the erasure cascade does with the claims the erasure names."""
    (requested,) = [r for r in ports.store.read_stream(streams.user(user_id)) if r.type == "ErasureRequested"]
    event = ports.codec.decode(requested).event
    assert isinstance(event, accounts.ErasureRequested)
    for stream in event.claims:
        handlers.release_claim(stream, user_id, ports=ports, request=Request(Actor("system:erasure")))


def test_an_erasure_names_the_claims_it_holds_keyed_and_legacy(ports: Ports) -> None:
    # Given an account that also holds its handle under the legacy name
    registered = handlers.register_user(new_account(), ports=ports, request=ANONYMOUS)
    claim_without_account(ports, registered.user_id, handle="ann_b", legacy=True)
    # When
    erase(ports, registered.user_id)
    # Then
    (requested,) = [
        r for r in ports.store.read_stream(streams.user(registered.user_id)) if r.type == "ErasureRequested"
    ]
    legacy = claim_streams.of_handle(ports.keys, "ann_b").legacy
    assert requested.data["claims"] == [handle_stream(ports), email_stream(ports), legacy]


def test_released_claims_let_anyone_register_the_handle_and_email_again(ports: Ports) -> None:
    # Given an erased account whose claims were released, the legacy one included
    first = handlers.register_user(new_account(), ports=ports, request=ANONYMOUS)
    claim_without_account(ports, first.user_id, handle="ann_b", legacy=True)
    erase(ports, first.user_id)
    released(ports, first.user_id)
    # When
    again = handlers.register_user(new_account("ANN_B"), ports=ports, request=ANONYMOUS)
    # Then
    assert types_in(ports, handle_stream(ports)) == ["HandleClaimed", "HandleReleased", "HandleClaimed"]
    assert types_in(ports, email_stream(ports)) == ["EmailClaimed", "EmailReleased", "EmailClaimed"]
    assert types_in(ports, claim_streams.of_handle(ports.keys, "ann_b").legacy) == [
        "HandleClaimed",
        "HandleReleased",
    ]
    assert handlers.find_user_id("ann_b", ports=ports) == again.user_id
    assert handlers.find_user_id("ann@example.com", ports=ports) == again.user_id


def test_the_claims_of_an_erased_account_are_free_before_their_release_is_recorded(ports: Ports) -> None:
    # Given an erasure the cascade has not reached yet (or, for an old one, never will)
    first = handlers.register_user(new_account(), ports=ports, request=ANONYMOUS)
    erase(ports, first.user_id)
    # When
    again = handlers.register_user(new_account(), ports=ports, request=ANONYMOUS)
    # Then
    assert handlers.find_user_id("ann_b", ports=ports) == again.user_id
    # And the release that comes later leaves the new holder's claim alone
    released(ports, first.user_id)
    assert handlers.find_user_id("ann_b", ports=ports) == again.user_id
    assert types_in(ports, handle_stream(ports)) == ["HandleClaimed", "HandleClaimed"]


def test_releasing_a_stream_that_is_no_claim_is_refused(ports: Ports) -> None:
    with pytest.raises(InvalidCommand, match="not a claim stream"):
        handlers.release_claim("user-x", "x", ports=ports, request=Request(Actor("system:erasure")))
