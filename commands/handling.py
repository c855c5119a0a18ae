"""The one way a command touches the log: load the stream, fold, decide, append, retry."""

from __future__ import annotations

import contextlib
import dataclasses
import random
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, TypeVar

from commands.context import Outcome, Ports, Request
from commands.errors import Unavailable
from domain.errors import Conflict
from domain.events import DomainEvent
from eventstore.envelope import StreamState
from eventstore.errors import StoreUnavailable, StreamNotFound, SubjectErased, WrongExpectedVersion
from eventstore.ids import id_from_key

S = TypeVar("S")
MAX_ATTEMPTS = 8


@dataclasses.dataclass(frozen=True, slots=True)
class Loaded(Generic[S]):
    state: S
    version: int | None
    position: int


@dataclasses.dataclass(frozen=True, slots=True)
class Aggregate(Generic[S]):
    """How to rebuild one kind of stream's state from its events."""

    initial: S
    #: Typed ``Any`` in the event: each aggregate's ``evolve`` takes its own event union.
    evolve: Callable[[S, Any], S]


@contextlib.contextmanager
def store_errors() -> Iterator[None]:
    """The API speaks of our write side, never of the engine behind it."""
    try:
        yield
    except StoreUnavailable as exc:
        raise Unavailable(str(exc)) from exc


def load(ports: Ports, stream: str, aggregate: Aggregate[S]) -> Loaded[S]:
    """The stream's current state, revision, and the position of its last event (0 if none)."""
    return catch_up(ports, stream, aggregate, Loaded(aggregate.initial, None, 0))


def catch_up(ports: Ports, stream: str, aggregate: Aggregate[S], loaded: Loaded[S]) -> Loaded[S]:
    """``loaded`` brought to the stream's end, reading only the events after its revision: what a
    cache of folded state pays when the stream moved, instead of folding it all again."""
    start = 0 if loaded.version is None else loaded.version + 1
    try:
        with store_errors():
            records = ports.store.read_stream(stream, from_version=start)
    except StreamNotFound:
        return loaded
    if not records:
        return loaded
    state = loaded.state
    for record in records:
        state = aggregate.evolve(state, ports.codec.decode(record).event)
    return Loaded(state, records[-1].version, records[-1].position)


def execute(
    ports: Ports,
    request: Request,
    stream: str,
    aggregate: Aggregate[S],
    decide: Callable[[S], Sequence[DomainEvent]],
) -> Outcome:
    """Decides against the freshest state; on a concurrent append, reloads and decides again.

    With an idempotency key the event ids are derived from it, so a retried request whose
    first attempt already landed is recognised by the store and stores nothing new.
    """
    for attempt in range(MAX_ATTEMPTS):
        with _stream_lock(stream):
            loaded = load(ports, stream, aggregate)
            events = decide(loaded.state)
            if not events:
                return Outcome(position=loaded.position)
            with contextlib.suppress(WrongExpectedVersion):
                return append(ports, request, stream, events, loaded.version)
        time.sleep(random.uniform(0, 0.005 * 2**attempt))  # another process won: back off, retry
    raise Conflict(f"{stream} is changing too fast; try again")


_STRIPES = tuple(threading.Lock() for _ in range(256))


def _stream_lock(stream: str) -> threading.Lock:
    """Commands on one stream in this process take turns instead of racing to a conflict.

    Striped, so memory stays fixed however many streams there are. Never held while waiting
    on another stream's lock: a handler's ``execute`` calls run one after another, not nested.
    """
    return _STRIPES[zlib.crc32(stream.encode()) % len(_STRIPES)]


def append(
    ports: Ports,
    request: Request,
    stream: str,
    events: Sequence[DomainEvent],
    version: int | None,
) -> Outcome:
    expected = StreamState.NO_STREAM if version is None else version
    metadata = request.metadata()
    try:
        encoded = [
            ports.codec.encode(event, metadata, event_id=_event_id(request, stream, index))
            for index, event in enumerate(events)
        ]
    except SubjectErased as exc:
        raise Conflict("this account was erased; it can no longer act") from exc
    with store_errors():
        result = ports.store.append(stream, encoded, expected)
    return Outcome(position=result.position, appended=len(encoded))


def _event_id(request: Request, stream: str, index: int) -> str | None:
    if request.idempotency_key is None:
        return None
    return id_from_key(request.actor.user_id, request.idempotency_key, stream, str(index))
