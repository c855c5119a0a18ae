"""Whether a video's owner was erased is asked on every like, comment, share and report: answered
from the owner's data key while it exists, without folding their account stream (which every session
refresh lengthens), and from the stream once the key is gone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks import signed_in
from commands import streams
from commands.accounts import request_erasure
from commands.aggregates import ACCOUNT
from commands.context import Ports, Request
from commands.standing import erased
from domain.accounts import RequestErasure
from domain.actors import Actor
from eventstore.keystore import SQLiteKeyStore
from eventstore.sqlite import SQLiteEventStore
from strom.wiring import make_codec


@pytest.fixture
def ports(tmp_path: Path) -> Iterator[Ports]:
    keys = SQLiteKeyStore(tmp_path / "keys.db")
    store = SQLiteEventStore(tmp_path / "events.db")
    yield Ports(store=store, codec=make_codec(keys), keys=keys)
    store.close()
    keys.close()


def test_an_owner_with_a_key_is_not_erased_and_their_account_is_not_folded(ports: Ports) -> None:
    # Given an account, and nothing of its stream kept
    owner = signed_in.account(ports)
    fresh = Ports(store=ports.store, codec=ports.codec, keys=ports.keys)

    # When / Then it is not erased, and its account stream was not folded to say so
    assert not erased(fresh, owner)
    assert fresh.folds.get(streams.user(owner), ACCOUNT) is None


def test_an_erased_owner_reads_as_erased(ports: Ports) -> None:
    # Given an account that was erased
    owner = signed_in.account(ports)
    request_erasure(RequestErasure(Actor(owner), owner), ports=ports, request=Request(Actor(owner)))

    # When / Then
    assert erased(Ports(store=ports.store, codec=ports.codec, keys=ports.keys), owner)


def test_an_account_without_a_key_is_asked_of_its_stream(ports: Ports) -> None:
    # Given an account whose key is gone while its stream records no erasure
    owner = signed_in.account(ports)
    ports.keys.erase(owner)

    # When / Then its stream decides: not erased
    assert not erased(Ports(store=ports.store, codec=ports.codec, keys=ports.keys), owner)
