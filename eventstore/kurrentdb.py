"""The KurrentDB event store: the contract of the SQLite adapter, over KurrentDB's gRPC client.

KurrentDB already has stream revisions from 0, optimistic concurrency, atomic multi-event
appends, a global ``$all`` order and catch-up subscriptions, so this adapter is mostly
translation. What it adds is ours: the hash chain (read the tail, link, append at that
exact revision so two writers can never fork the chain), idempotent retries, our errors.

Limits: a retry is recognised only while its events are among the stream's newest
``IDEMPOTENCY_WINDOW`` events; older retries are not detected. KurrentDB has no global
index on event ids, so an id reused in another stream is not refused as SQLite does.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import sys
import threading
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from uuid import UUID

import kurrentdbclient as kdb
import orjson
from kurrentdbclient import exceptions as driver
from kurrentdbclient.common import AbstractCatchupSubscription
from kurrentdbclient.connection_spec import ConnectionSpec

from eventstore.chain import GENESIS, link
from eventstore.envelope import (
    AppendResult,
    Checkpoint,
    EventFilter,
    Expected,
    Metadata,
    NewEvent,
    RecordedEvent,
    StreamState,
    check_append,
    check_expected,
    check_stream_name,
)
from eventstore.errors import (
    CorruptEvent,
    DuplicateEventId,
    EventStoreError,
    InvalidAppend,
    StoreUnavailable,
    StreamNotFound,
    WrongExpectedVersion,
)
from eventstore.quiet_marks import with_quiet_marks

IDEMPOTENCY_WINDOW = 64
APPEND_ATTEMPTS = 5
_REFUSED = (driver.AccessDeniedError, driver.UnauthenticatedError)
_UNAVAILABLE = (driver.GrpcError, driver.DeadlineExceededError, driver.DiscoveryFailedError, *_REFUSED)
_MISSING = (driver.NotFoundError, driver.StreamIsDeletedError, driver.StreamTombstonedError)

# -- pure mapping: testable without a server ------------------------------------------


def client_uri(url: str) -> str:
    """The URI as the client takes it (it reads ``tls=false`` case-insensitively). A bad one
    fails here, naming the setting and hiding any password, not deep inside the driver."""
    parts = urlsplit(url)
    uri = urlunsplit((parts.scheme, parts.netloc, "", parts.query, ""))
    try:
        ConnectionSpec(uri)
    except ValueError as exc:
        reason = str(exc).replace(parts.password, "***") if parts.password else str(exc)
        raise ValueError(f"STROM_EVENTSTORE_URL: {reason}") from None
    return uri


def host_of(url: str) -> str:
    """Where the server is, for error messages: never the credentials the URL may carry."""
    return urlsplit(url).netloc.rpartition("@")[2] or "(no host)"


def canonical_ids(stream: str, events: Sequence[NewEvent]) -> list[NewEvent]:
    """KurrentDB stores ids as UUIDs and returns them canonically spelled; the chain hashes
    the id, so it must be hashed in the spelling that will be read back."""
    try:
        return [dataclasses.replace(e, event_id=str(UUID(e.event_id))) for e in events]
    except (ValueError, TypeError, AttributeError) as exc:
        raise InvalidAppend(f"stream {stream!r}: event ids must be UUIDs ({exc})") from exc


def to_client_event(event: NewEvent) -> kdb.NewEvent:
    """Our envelope as KurrentDB stores it; ``schema_version`` rides in the metadata."""
    metadata = {**event.metadata.to_dict(), "schema_version": event.schema_version}
    return kdb.NewEvent(
        type=event.type,
        data=orjson.dumps(event.data),
        metadata=orjson.dumps(metadata),
        id=UUID(event.event_id),
    )


def from_client_event(raw: kdb.RecordedEvent) -> RecordedEvent:
    """Back to our envelope; anything unreadable is a ``CorruptEvent``, never skipped."""
    data = _json_object(raw, raw.data, "data")
    meta = _json_object(raw, raw.metadata, "metadata")
    schema_version = meta.pop("schema_version", None)
    if not isinstance(schema_version, int) or isinstance(schema_version, bool):
        raise CorruptEvent(raw.stream_name, raw.commit_position, "metadata has no integer schema_version")
    return RecordedEvent(
        stream=raw.stream_name,
        version=raw.stream_position,
        position=raw.commit_position,
        event_id=str(raw.id),
        type=raw.type,
        schema_version=schema_version,
        data=data,
        metadata=Metadata.from_dict(meta),
    )


def _json_object(raw: kdb.RecordedEvent, body: bytes, what: str) -> dict[str, Any]:
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise CorruptEvent(raw.stream_name, raw.commit_position, f"unreadable event {what}: {exc}") from exc
    if not isinstance(value, dict):
        raise CorruptEvent(raw.stream_name, raw.commit_position, f"event {what} is not a JSON object")
    return value


def server_filter(filter: EventFilter | None) -> dict[str, Any]:
    """The client's filter arguments: one regex (anchored ``^…$`` by the client) where one
    suffices. KurrentDB filters by stream name or by type, never both, so a filter with both
    gets only the system-event exclusion here and is applied by ``matching``."""
    if filter is None or not (filter.categories or filter.types) or (filter.categories and filter.types):
        return {"filter_exclude": (kdb.KDB_SYSTEM_EVENTS_REGEX,)}
    if filter.categories:
        # ``category_of`` ends the category at the first dash, or takes the whole name.
        regex = f"({_alternatives(filter.categories)})(-.*)?"
        return {"filter_include": (regex,), "filter_by_stream_name": True}
    return {"filter_include": (f"({_alternatives(filter.types)})",)}


def _alternatives(names: Iterable[str]) -> str:
    return "|".join(re.escape(name) for name in names)


def matching(
    raws: Iterable[kdb.RecordedEvent],
    after: int,
    filter: EventFilter | None,
    *,
    live_checkpoints: bool = False,
) -> Iterator[RecordedEvent | Checkpoint]:
    """Our events strictly after ``after`` (KurrentDB reads from a position inclusively),
    without system events, filtered exactly as ``EventFilter.matches`` says; the server's
    checkpoints (asked for with ``include_checkpoints``) pass through as ours.

    With ``live_checkpoints``, once the server says the subscription caught up (``CaughtUp``), that
    and every live event after it come with a checkpoint at their position: live events trickle in
    one at a time with no server checkpoint between them, and a reader that batches events must
    learn that nothing else is waiting (as the SQLite subscription tells it after each read)."""
    live, last = False, after
    for raw in raws:
        if isinstance(raw, kdb.CaughtUp):
            live = True
            if live_checkpoints:
                yield Checkpoint(max(last, raw.commit_position or 0))
            continue
        if isinstance(raw, kdb.Checkpoint):
            if raw.commit_position > after:
                last = max(last, raw.commit_position)
                yield Checkpoint(raw.commit_position)
            continue
        if raw.commit_position <= after or raw.stream_name.startswith("$") or raw.type.startswith("$"):
            continue
        last = max(last, raw.commit_position or 0)
        if filter is None or filter.matches(raw.stream_name, raw.type):
            yield from_client_event(raw)
            if live and live_checkpoints:
                yield Checkpoint(raw.commit_position)


def earlier_append(
    stream: str, tail: Sequence[kdb.RecordedEvent], events: Sequence[NewEvent]
) -> AppendResult | None:
    """The result of an earlier append of the same events, found in the tail (newest first)."""
    forward = list(reversed(tail))
    stored = {str(r.id): i for i, r in enumerate(forward)}
    ids = [e.event_id for e in events]
    seen = [i for i in ids if i in stored]
    if not seen:
        return None
    start = stored.get(ids[0], len(forward))
    run = forward[start : start + len(ids)]
    if [str(r.id) for r in run] != ids:
        raise DuplicateEventId(stream, seen[0])
    return AppendResult(version=run[-1].stream_position, position=run[-1].commit_position)


def _shown(expected: Expected | kdb.StreamState | None) -> object:
    return expected.value if isinstance(expected, StreamState | kdb.StreamState) else expected


@contextlib.contextmanager
def translated(host: str, stream: str | None = None) -> Iterator[None]:
    """Our errors in place of the driver's, naming the stream or the server."""
    try:
        yield
    except driver.WrongCurrentVersionError as exc:
        actual = exc.actual_version if isinstance(exc.actual_version, int) else None
        raise WrongExpectedVersion(stream or "?", _shown(exc.expected_version), actual) from exc
    except _MISSING as exc:
        raise StreamNotFound(stream or "$all") from exc
    except _UNAVAILABLE as exc:
        raise StoreUnavailable(f"KurrentDB at {host}: {type(exc).__name__}: {exc}") from exc
    except driver.KurrentDBClientError as exc:
        raise EventStoreError(f"KurrentDB at {host}: {type(exc).__name__}: {exc}") from exc


# -- the adapter ----------------------------------------------------------------------


class KurrentDBEventStore:
    def __init__(self, url: str, *, timeout_s: float = 5.0) -> None:
        self._host = host_of(url)
        self._timeout = timeout_s
        try:
            self._client = kdb.KurrentDBClient(client_uri(url))
        except driver.KurrentDBClientError as exc:
            raise StoreUnavailable(f"KurrentDB at {self._host} is unreachable: {exc}") from exc
        try:
            # gRPC channels connect lazily: prove now that the server answers.
            self._client.get_commit_position(timeout=timeout_s)
        except driver.KurrentDBClientError as exc:
            self._client.close()
            raise StoreUnavailable(f"KurrentDB at {self._host} is unreachable: {exc}") from exc

    def close(self) -> None:
        self._client.close()

    # -- writing -----------------------------------------------------------------------

    def append(self, stream: str, events: Sequence[NewEvent], expected: Expected) -> AppendResult:
        """Appends at the exact revision read, so a concurrent writer makes it fail rather
        than fork the chain; ANY and EXISTS then re-read and retry, a few times."""
        check_append(stream, events)
        events = canonical_ids(stream, events)
        check_append(stream, events)
        current: int | None = None
        for _ in range(APPEND_ATTEMPTS):
            tail = self._tail(stream, IDEMPOTENCY_WINDOW + len(events))
            earlier = earlier_append(stream, tail, events)
            if earlier is not None:
                return earlier
            current = tail[0].stream_position if tail else None
            check_expected(stream, expected, current)
            prev_hash = from_client_event(tail[0]).metadata.hash if tail else GENESIS
            result = self._append_at(stream, current, prev_hash, events)
            if result is not None:
                return result
        raise WrongExpectedVersion(stream, _shown(expected), current)

    def _tail(self, stream: str, count: int) -> tuple[kdb.RecordedEvent, ...]:
        """The stream's newest events, newest first; empty when the stream does not exist."""
        with translated(self._host, stream):
            try:
                return self._client.get_stream(stream, backwards=True, limit=count, timeout=self._timeout)
            except driver.NotFoundError:
                return ()

    def _append_at(
        self, stream: str, current: int | None, prev_hash: str, events: Sequence[NewEvent]
    ) -> AppendResult | None:
        """Links and appends after ``current``; ``None`` when another writer got there first."""
        first = 0 if current is None else current + 1
        linked = [to_client_event(e) for e in link(stream, first, prev_hash, events)]
        revision: int | kdb.StreamState = kdb.StreamState.NO_STREAM if current is None else current
        with translated(self._host, stream):
            try:
                position = self._client.append_to_stream(
                    stream, events=linked, current_version=revision, timeout=self._timeout
                )
            except driver.WrongCurrentVersionError:
                return None
        return AppendResult(version=first + len(linked) - 1, position=position)

    def set_stream_metadata(self, stream: str, metadata: dict[str, Any]) -> None:
        """Replaces our keys and keeps the server's own (``$maxAge``, ``$acl``, ``$tb`` …),
        written at the metadata revision read so a concurrent change is not lost."""
        check_stream_name(stream)
        if any(key.startswith("$") for key in metadata):
            raise InvalidAppend(f"stream {stream!r}: metadata keys starting with '$' belong to KurrentDB")
        for _ in range(APPEND_ATTEMPTS):
            with translated(self._host, stream):
                current, revision = self._client.get_stream_metadata(stream, timeout=self._timeout)
                kept = {k: v for k, v in current.items() if k.startswith("$")}
                try:
                    self._client.set_stream_metadata(
                        stream, metadata={**kept, **metadata}, current_version=revision, timeout=self._timeout
                    )
                except driver.WrongCurrentVersionError:
                    continue
                return
        raise WrongExpectedVersion(f"$${stream}", "unchanged stream metadata", None)

    # -- reading -----------------------------------------------------------------------

    def get_stream_metadata(self, stream: str) -> dict[str, Any]:
        with translated(self._host, stream):
            current, _ = self._client.get_stream_metadata(stream, timeout=self._timeout)
        return {k: v for k, v in current.items() if not k.startswith("$")}

    def stream_version(self, stream: str) -> int | None:
        with translated(self._host, stream):
            current = self._client.get_current_version(stream, timeout=self._timeout)
        return current if isinstance(current, int) else None

    def head_position(self) -> int:
        with translated(self._host):
            return self._client.get_commit_position(
                filter_exclude=(kdb.KDB_SYSTEM_EVENTS_REGEX,), timeout=self._timeout
            )

    def read_stream(
        self,
        stream: str,
        *,
        from_version: int | None = None,
        backwards: bool = False,
        limit: int | None = None,
    ) -> list[RecordedEvent]:
        if limit is not None and limit <= 0:
            if self.stream_version(stream) is None:
                raise StreamNotFound(stream)
            return []
        with translated(self._host, stream):
            count = sys.maxsize if limit is None else limit
            raws = self._client.get_stream(
                stream, stream_position=from_version, backwards=backwards, limit=count
            )
        return [from_client_event(raw) for raw in raws]

    def read_all(
        self,
        *,
        after: int | None = None,
        filter: EventFilter | None = None,
        limit: int | None = None,
    ) -> Iterator[RecordedEvent]:
        """A generator, like SQLite's: nothing is asked of the server until iteration starts."""
        with translated(self._host):
            response = self._client.read_all(commit_position=after or None, **server_filter(filter))
            with response:
                yield from islice(matching(response, -1 if after is None else after, filter), limit)

    def subscribe(
        self, *, after: int | None = None, filter: EventFilter | None = None, checkpoints: bool = False
    ) -> KurrentDBSubscription:
        with translated(self._host):
            raw = self._client.subscribe_to_all(
                commit_position=after or None,
                include_checkpoints=checkpoints,
                include_caught_up=checkpoints,
                **server_filter(filter),
            )
        return KurrentDBSubscription(raw, -1 if after is None else after, filter, self._host, checkpoints)


class KurrentDBSubscription:
    """A catch-up subscription to ``$all``: the server pushes new events, nothing polls.
    ``stop()`` cancels the gRPC call, which ends the iteration in whatever thread runs it."""

    def __init__(
        self,
        raw: AbstractCatchupSubscription,
        after: int,
        filter: EventFilter | None,
        host: str,
        checkpoints: bool = False,
    ) -> None:
        self._raw = raw
        self._checkpoints = checkpoints
        self._after = after
        self._filter = filter
        self._host = host
        self._stopped = threading.Event()

    def __iter__(self) -> Iterator[RecordedEvent | Checkpoint]:
        """With checkpoints, the last is repeated while the log is quiet, as the port asks: the
        server sends nothing then."""
        items = matching(self._received(), self._after, self._filter, live_checkpoints=self._checkpoints)
        try:
            yield from with_quiet_marks(items) if self._checkpoints else items
        finally:
            self._raw.stop()

    def _received(self) -> Iterator[kdb.RecordedEvent]:
        """The driver's events until stopped; the error a cancelled call raises is expected."""
        try:
            with translated(self._host):
                for raw in self._raw:
                    if self._stopped.is_set():
                        return
                    yield raw
        except EventStoreError:
            if not self._stopped.is_set():
                raise

    def stop(self) -> None:
        self._stopped.set()
        self._raw.stop()
