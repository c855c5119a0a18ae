"""The session gate: every signed-in request is judged against the account as it stands now.

An access token says who signed in and in which session; it cannot say whether that session was
ended since, or whether the account's role changed or it was erased. The gate answers that from
the account stream itself (the write side, with no projection lag), so a change takes effect on
the very next request, in every API process sharing the event store.

Cheap by caching: the folded account state is kept per user (least recently used go first), and
a request asks the store only for the stream's revision; when it moved, just the new events are
read and folded in.

A suspension (the person's ``standing-<user>`` stream, folded the same way) is judged here too: the
request is admitted, so a suspended person can still read (their notices, their own data) and
appeal, and ``SignedIn.suspension`` tells the command routes to refuse everything else.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime

from commands import streams
from commands.aggregates import ACCOUNT, STANDING
from commands.context import Ports
from commands.handling import Loaded, catch_up, store_errors
from domain import accounts
from domain.actors import Actor
from domain.errors import InvalidCredentials
from domain.moderation import standing

Clock = Callable[[], datetime]
#: Accounts whose folded state is kept; a user dropped from it is folded again on their next request.
DEFAULT_CAPACITY = 100_000
_NONE: Loaded[accounts.State] = Loaded(accounts.initial, None, 0)
_GOOD: Loaded[standing.State] = Loaded(standing.initial, None, 0)


def _now() -> datetime:
    return datetime.now(UTC)


@dataclasses.dataclass(frozen=True, slots=True)
class SignedIn:
    """Who is asking, with the role their account has now, and the session they ask in."""

    actor: Actor
    session_id: str
    suspension: standing.Suspension | None = None  # in force when the request came


class SessionGate:
    def __init__(self, ports: Ports, *, capacity: int = DEFAULT_CAPACITY, clock: Clock = _now) -> None:
        if capacity < 1:
            raise ValueError("the gate must keep at least one account")
        self._ports = ports
        self._capacity = capacity
        self._clock = clock
        self._cache: OrderedDict[str, Loaded[accounts.State]] = OrderedDict()
        self._standing: OrderedDict[str, Loaded[standing.State]] = OrderedDict()
        self._lock = threading.Lock()

    def admit(self, user_id: str, session_id: str) -> SignedIn:
        """Raises ``InvalidCredentials`` when the session ended or expired, or the account was
        erased or never existed; the token's own claims are never taken for the account's."""
        state = self.account(user_id)
        now = self._clock()
        if accounts.live_session(state, session_id, now) is None:
            raise InvalidCredentials(accounts.SESSION_ENDED)
        suspension = standing.suspension(self.standing_of(user_id), now)
        return SignedIn(Actor(user_id, state.role), session_id, suspension)

    def live_sessions(self, user_id: str) -> list[accounts.Session]:
        """The account's sessions live now, oldest first."""
        now = self._clock()
        return [s for s in self.account(user_id).sessions if s.live_at(now)]

    def account(self, user_id: str) -> accounts.State:
        """The account as its stream says now: one revision lookup, plus new events if it moved."""
        stream = streams.user(user_id)
        with store_errors():
            version = self._ports.store.stream_version(stream)
        if version is None:
            return accounts.initial  # not cached: a stream that does not exist costs nothing to ask
        loaded = self._cached(user_id)
        if loaded.version == version:
            return loaded.state
        if loaded.version is not None and loaded.version > version:
            loaded = _NONE  # the store is not the one the cache was filled from: fold afresh
        loaded = catch_up(self._ports, stream, ACCOUNT, loaded)
        self._keep(user_id, loaded)
        return loaded.state

    def standing_of(self, user_id: str) -> standing.State:
        """The person's moderation standing as its stream says now; one revision lookup when it has
        none (most people) or it did not move."""
        stream = streams.standing(user_id)
        with store_errors():
            version = self._ports.store.stream_version(stream)
        if version is None:
            return standing.initial
        with self._lock:
            loaded = self._standing.get(user_id, _GOOD)
        if loaded.version == version:
            return loaded.state
        if loaded.version is not None and loaded.version > version:
            loaded = _GOOD
        loaded = catch_up(self._ports, stream, STANDING, loaded)
        with self._lock:
            self._standing[user_id] = loaded
            self._standing.move_to_end(user_id)
            while len(self._standing) > self._capacity:
                self._standing.popitem(last=False)
        return loaded.state

    def _cached(self, user_id: str) -> Loaded[accounts.State]:
        with self._lock:
            loaded = self._cache.get(user_id)
            if loaded is None:
                return _NONE
            self._cache.move_to_end(user_id)
            return loaded

    def _keep(self, user_id: str, loaded: Loaded[accounts.State]) -> None:
        """Two requests may fold the same account at once: the further one stays."""
        with self._lock:
            current = self._cache.get(user_id)
            if current is None or (current.version or -1) <= (loaded.version or -1):
                self._cache[user_id] = loaded
            self._cache.move_to_end(user_id)
            while len(self._cache) > self._capacity:
                self._cache.popitem(last=False)
