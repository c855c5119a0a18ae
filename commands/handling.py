"""The one way a command touches the log: load the stream, fold, decide, append, retry.

Loading starts from the state kept in ``ports.folds`` and reads only the events after it, so a
command's cost does not grow with its stream (commands/folds.py says why that stays correct). A
command keeps the state its own append made, so the next one on the stream finds the cache current
and pays one revision lookup. ``execute_async`` is the same for the API's busiest routes, which run
on the event loop and await only the append.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import random
import threading
import time
import zlib
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import Any, TypeVar

import orjson

from commands.context import Outcome, Ports, Request
from commands.errors import Unavailable
from commands.folds import Aggregate, Loaded
from domain.errors import Conflict
from domain.events import DomainEvent
from eventstore.codec import Decoded
from eventstore.envelope import AppendResult, Expected, NewEvent, RecordedEvent, StreamState
from eventstore.errors import StoreUnavailable, StreamNotFound, SubjectErased, WrongExpectedVersion
from eventstore.ids import id_from_key
from eventstore.port import append_from_loop
from eventstore.sealing import sealed_fields

S = TypeVar("S")
MAX_ATTEMPTS = 8
__all__ = [
    "Aggregate",
    "Loaded",
    "append",
    "append_async",
    "catch_up",
    "execute",
    "execute_async",
    "load",
    "store_errors",
]


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
    so the cost does not grow with the stream; the result is kept for the next load. The stream's
    revision is asked first: a stream that did not move since (or has no events) costs that one
    lookup."""
    cached = ports.folds.get(stream, aggregate)
    with store_errors():
        version = ports.store.stream_version(stream)
    if version is None:
        return Loaded(aggregate.initial, None, 0)
    if cached is None or not _still_readable(ports, cached):
        cached = Loaded(aggregate.initial, None, 0)
    elif cached.version == version:
        return cached
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
    return _folded(ports, aggregate, loaded, records)


def _folded(
    ports: Ports, aggregate: Aggregate[S], loaded: Loaded[S], records: Sequence[RecordedEvent]
) -> Loaded[S]:
    if not records:
        return loaded
    state, keys_used = loaded.state, set(loaded.keys_used)
    for record in records:
        decoded = ports.codec.decode(record)
        state = aggregate.evolve(state, decoded.event)
        keys_used.update(_unsealed_with(decoded))
    return Loaded(state, records[-1].version, records[-1].position, frozenset(keys_used))


def _keep_appended(
    ports: Ports,
    stream: str,
    aggregate: Aggregate[S],
    loaded: Loaded[S],
    appended: Sequence[NewEvent],
    result: AppendResult,
) -> None:
    """Keeps the state the command decided on with its own events folded in, so the next command
    on the stream finds it current and reads nothing this one wrote. Folded from the events as a
    read would hand them back (their JSON, unsealed by the codec), so the cache holds what a read
    of the log would. Only when the store put them right after ``loaded``: a retried keyed request
    may be answered with an earlier append's result."""
    first = 0 if loaded.version is None else loaded.version + 1
    if result.version != first + len(appended) - 1:
        return
    records = [
        RecordedEvent(
            stream,
            first + i,
            result.position,  # only the last one's is kept, and it is this
            e.event_id,
            e.type,
            e.schema_version,
            orjson.loads(orjson.dumps(e.data)),
            e.metadata,
        )
        for i, e in enumerate(appended)
    ]
    ports.folds.keep(stream, aggregate, _folded(ports, aggregate, loaded, records))


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
            encoded = _encoded(ports, request, stream, events)
            try:
                with store_errors():
                    result = ports.store.append(stream, encoded, _expected(loaded.version))
            except WrongExpectedVersion:
                ports.folds.drop(stream, aggregate)  # the next attempt folds the stream from its start
            else:
                _keep_appended(ports, stream, aggregate, loaded, encoded, result)
                return Outcome(position=result.position, appended=len(encoded))
        time.sleep(_backoff(attempt))  # another process won: back off, retry
    raise Conflict(f"{stream} is changing too fast; try again")


async def execute_async(
    ports: Ports,
    request: Request,
    stream: str,
    aggregate: Aggregate[S],
    decide: Callable[[S], Sequence[DomainEvent]],
) -> Outcome:
    """``execute`` for a caller on an event loop (the API's busiest command routes), without a
    thread of its own: loading and deciding run right here, as they are a few reads that take
    microseconds, and only the append is awaited, so the loop serves others while it becomes
    durable. Commands on one stream take turns on the loop as threads do on the stream's lock."""
    for attempt in range(MAX_ATTEMPTS):
        async with _turn(stream):
            loaded = load(ports, stream, aggregate)
            events = decide(loaded.state)
            if not events:
                return Outcome(position=loaded.position)
            encoded = _encoded(ports, request, stream, events)
            try:
                with store_errors():
                    result = await append_from_loop(ports.store, stream, encoded, _expected(loaded.version))
            except WrongExpectedVersion:
                ports.folds.drop(stream, aggregate)
            else:
                _keep_appended(ports, stream, aggregate, loaded, encoded, result)
                return Outcome(position=result.position, appended=len(encoded))
        await asyncio.sleep(_backoff(attempt))
    raise Conflict(f"{stream} is changing too fast; try again")


def _backoff(attempt: int) -> float:
    return random.uniform(0, 0.005 * 2**attempt)


_STRIPES = tuple(threading.Lock() for _ in range(256))


def _stream_lock(stream: str) -> threading.Lock:
    """Commands on one stream in this process take turns instead of racing to a conflict.

    Striped, so memory stays fixed however many streams there are. Never held while waiting
    on another stream's lock: a handler's ``execute`` calls run one after another, not nested.
    """
    return _STRIPES[zlib.crc32(stream.encode()) % len(_STRIPES)]


@dataclasses.dataclass(slots=True)
class _Turns:
    lock: asyncio.Lock
    holders: int = 0  # holding or awaiting the lock


#: Per loop and stream, while anyone holds or awaits its turn; only the loop's own thread touches
#: its entries, so this needs no lock of its own.
_TURNS: dict[tuple[asyncio.AbstractEventLoop, str], _Turns] = {}


@contextlib.asynccontextmanager
async def _turn(stream: str) -> AsyncIterator[None]:
    """What ``_stream_lock`` is to threads, for coroutines on one loop."""
    key = (asyncio.get_running_loop(), stream)
    turns = _TURNS.get(key) or _TURNS.setdefault(key, _Turns(asyncio.Lock()))
    turns.holders += 1
    try:
        async with turns.lock:
            yield
    finally:
        turns.holders -= 1
        if not turns.holders:
            del _TURNS[key]


def append(
    ports: Ports,
    request: Request,
    stream: str,
    events: Sequence[DomainEvent],
    version: int | None,
) -> Outcome:
    encoded = _encoded(ports, request, stream, events)
    with store_errors():
        result = ports.store.append(stream, encoded, _expected(version))
    return Outcome(position=result.position, appended=len(encoded))


async def append_async(
    ports: Ports,
    request: Request,
    stream: str,
    events: Sequence[DomainEvent],
    version: int | None,
) -> Outcome:
    """``append``, awaited on an event loop: returns once the events are durable."""
    encoded = _encoded(ports, request, stream, events)
    with store_errors():
        result = await append_from_loop(ports.store, stream, encoded, _expected(version))
    return Outcome(position=result.position, appended=len(encoded))


def _expected(version: int | None) -> Expected:
    return StreamState.NO_STREAM if version is None else version


def _encoded(ports: Ports, request: Request, stream: str, events: Sequence[DomainEvent]) -> list[NewEvent]:
    metadata = request.metadata()
    try:
        return [
            ports.codec.encode(event, metadata, event_id=_event_id(request, stream, index))
            for index, event in enumerate(events)
        ]
    except SubjectErased as exc:
        raise Conflict("this account was erased; it can no longer act") from exc


def _event_id(request: Request, stream: str, index: int) -> str | None:
    if request.idempotency_key is None:
        return None
    return id_from_key(request.actor.user_id, request.idempotency_key, stream, str(index))
