"""The one way a command touches the log: load the stream, fold, decide, append, retry.

Loading starts from the state kept in ``ports.folds`` and reads only the events after it, so a
command's cost does not grow with its stream (commands/folds.py says why that stays correct).
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from commands.context import Outcome, Ports, Request
from commands.errors import Unavailable
from commands.folds import Aggregate, Loaded
from domain.errors import Conflict
from domain.events import DomainEvent
from eventstore.codec import Decoded
from eventstore.envelope import StreamState
from eventstore.errors import StoreUnavailable, StreamNotFound, SubjectErased, WrongExpectedVersion
from eventstore.ids import id_from_key
from eventstore.sealing import sealed_fields

S = TypeVar("S")
MAX_ATTEMPTS = 8
__all__ = ["Aggregate", "Loaded", "append", "catch_up", "execute", "load", "store_errors"]


@contextlib.contextmanager
def store_errors() -> Iterator[None]:
    """The API speaks of our write side, never of the engine behind it."""
    try:
        yield
    except StoreUnavailable as exc:
        raise Unavailable(str(exc)) from exc


def load(ports: Ports, stream: str, aggregate: Aggregate[S]) -> Loaded[S]:
    """The stream's current state, revision, and the position of its last event (0 if none).

    Starts from the state ``ports.folds`` kept for the stream and reads only the events after it,
    so the cost does not grow with the stream; the result is kept for the next load."""
    cached = ports.folds.get(stream, aggregate)
    if cached is None or not _still_readable(ports, cached):
        cached = Loaded(aggregate.initial, None, 0)
    loaded = catch_up(ports, stream, aggregate, cached)
    ports.folds.keep(stream, aggregate, loaded)
    return loaded


def _still_readable(ports: Ports, loaded: Loaded[Any]) -> bool:
    """Whether every key that unsealed data into ``loaded`` still exists: after an erasure the state
    must be folded again, so the erased fields read as erased, as they do in the log."""
    with store_errors():
        return all(ports.keys.find(subject) is not None for subject in loaded.keys_used)


def catch_up(ports: Ports, stream: str, aggregate: Aggregate[S], loaded: Loaded[S]) -> Loaded[S]:
    """``loaded`` brought to the stream's end, reading only the events after its revision: what a
    cache of folded state pays when the stream moved, instead of folding it all again."""
    start = 0 if loaded.version is None else loaded.version + 1
    try:
        with store_errors():
            records = ports.store.read_stream(stream, from_version=start)
    except StreamNotFound:
        return Loaded(aggregate.initial, None, 0)  # whatever was folded before, the log holds nothing now
    if not records:
        return loaded
    state, keys_used = loaded.state, set(loaded.keys_used)
    for record in records:
        decoded = ports.codec.decode(record)
        state = aggregate.evolve(state, decoded.event)
        keys_used.update(_unsealed_with(decoded))
    return Loaded(state, records[-1].version, records[-1].position, frozenset(keys_used))


def _unsealed_with(decoded: Decoded) -> tuple[str, ...]:
    """The subject whose key unsealed personal fields of this event, if any did."""
    subject = decoded.record.metadata.key_id
    if subject and not decoded.erased and sealed_fields(decoded.record.data):
        return (subject,)
    return ()


def execute(
    ports: Ports,
    request: Request,
    stream: str,
    aggregate: Aggregate[S],
    decide: Callable[[S], Sequence[DomainEvent]],
) -> Outcome:
    """Decides against the freshest state; on a concurrent append, folds the stream afresh and
    decides again.

    With an idempotency key the event ids are derived from it, so a retried request whose
    first attempt already landed is recognised by the store and stores nothing new.
    """
    for attempt in range(MAX_ATTEMPTS):
        with _stream_lock(stream):
            loaded = load(ports, stream, aggregate)
            events = decide(loaded.state)
            if not events:
                return Outcome(position=loaded.position)
            try:
                return append(ports, request, stream, events, loaded.version)
            except WrongExpectedVersion:
                ports.folds.drop(stream, aggregate)  # the next attempt folds the stream from its start
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
