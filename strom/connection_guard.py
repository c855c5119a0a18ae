"""Slow clients cannot hold the server: deadlines uvicorn does not have, and room for many sockets.

uvicorn's only timeout is keep-alive, between requests, and the first byte of a request cancels it;
so a client that sends its request headers a byte every few seconds (slowloris), or a body at a
trickle, holds its connection for as long as it likes, and a few thousand such clients use up the
process's file descriptors: then nothing is accepted, ``/healthz`` included, and asyncio logs every
failed accept. The guard here is uvicorn's HTTP protocol (httptools, or h11) with two deadlines and
a cap added:

- the request line and headers must be complete within ``timeout_s`` of the connection opening, or
  of the previous response ending (a kept-alive connection);
- a body must keep arriving at ``body_min_rate`` bytes a second, judged over each ``timeout_s``;
  a span in which the server stopped reading (the app had not taken what came) does not count;
- connections stay below the limit of open files by a margin, so the stores, the projectors and
  the workers always find a descriptor: past the cap, the connection that has waited longest for
  its headers gives way to the new one (a slow client makes room for a live one, ``/healthz``
  included).

Each time the connection is just closed, as nginx does. Each closure would be a log line, and
an attack makes thousands: they are counted and reported at most once a minute. The deadlines do
not touch a request once its body is in, so a slow answer or a long download is never cut.

Should the descriptors still run out (in another part of the process), asyncio logs a traceback
for every accept that fails, thousands a second, and uvicorn a warning per malformed request:
``RepeatLimit`` lets each kind of message through a few times a minute and says how many it held
back.
"""

from __future__ import annotations

import abc
import asyncio
import dataclasses
import logging
import os
import resource
import threading
import time
from collections import Counter
from typing import Any, ClassVar

import h11
from uvicorn.protocols.http.flow_control import FlowControl
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

log = logging.getLogger("strom.connection_guard")

#: How often, at most, closures of slow clients are reported.
REPORT_EVERY_S = 60.0
#: Aimed for when the hard limit of open files is unlimited.
OPEN_FILES_WANTED = 65536
#: Descriptors kept for the process's own files, subscriptions and threads, besides connections.
RESERVED_FILES = 256
#: uvicorn's listen backlog, the most a roomy process keeps.
BACKLOG = 2048
HEADERS, BODY, FULL = "slow headers", "slow body", "waiting for headers when full"
#: The loggers an attack can make write a line per connection.
NOISY_LOGGERS = ("asyncio", "uvicorn.error")


@dataclasses.dataclass(frozen=True, slots=True)
class ClientLimits:
    """What a client must keep up with (``Settings.client_timeout_s``, ``client_body_min_rate``)."""

    timeout_s: float = 10.0
    #: Bytes a second; 0 lets a body take any time.
    body_min_rate: int = 500
    #: Open connections at most; ``None``: no cap.
    max_connections: int | None = None
    #: A new connection's descriptor number at which the longest waiting one gives way; ``None``:
    #: none. The kernel hands out the lowest free number, so a socket numbered this high means
    #: every number below is taken, whoever took it: files the process opened after the cap was
    #: set count too.
    highest_descriptor: int | None = None


class SlowClientReport:
    """Counts closures and logs them as one line per ``every_s``: the first at once, the next ones
    summed up, so an attack of any size adds a line a minute."""

    def __init__(self, every_s: float = REPORT_EVERY_S) -> None:
        self._every_s = every_s
        self._counts: Counter[str] = Counter()
        self._reported_at: float | None = None
        self._scheduled = False

    def closed(self, why: str, loop: asyncio.AbstractEventLoop) -> None:
        self._counts[why] += 1
        if self._scheduled:
            return
        self._scheduled = True
        due = 0.0 if self._reported_at is None else self._reported_at + self._every_s - time.monotonic()
        loop.call_later(max(0.0, due), self.flush)

    def flush(self) -> None:
        self._scheduled = False
        self._reported_at = time.monotonic()
        if self._counts:
            kinds = ", ".join(f"{count} {why}" for why, count in sorted(self._counts.items()))
            log.warning("closed connections of slow clients: %s", kinds)
        self._counts.clear()


#: Where a connection's current request stands, as the guard judges it.
AWAITING_HEADERS, RECEIVING_BODY, BEING_ANSWERED = "headers", "body", "answered"


class _Guard(abc.ABC):
    """The deadlines and the cap, on top of either of uvicorn's HTTP protocols (listed after this in
    the bases): the protocol says where its request stands (``_stage``), the guard does the rest."""

    limits: ClassVar[ClientLimits]
    report: ClassVar[SlowClientReport]
    #: The server's connections awaiting request headers, the longest waiting first.
    waiting: ClassVar[dict[_Guard, None]]

    transport: asyncio.Transport
    loop: asyncio.AbstractEventLoop
    flow: FlowControl
    connections: set[Any]

    _headers_due: asyncio.TimerHandle | None = None
    _body_check: asyncio.TimerHandle | None = None
    _body_bytes = 0
    _server_paused = False

    @abc.abstractmethod
    def _stage(self) -> str:
        """Where the connection's request stands: awaiting headers, receiving a body, being answered."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        self._watch()
        self._make_room()

    def data_received(self, data: bytes) -> None:
        self._body_bytes += len(data)
        super().data_received(data)  # type: ignore[misc]
        self._server_paused = self._server_paused or self.flow.read_paused
        self._watch()

    def on_response_complete(self) -> None:
        super().on_response_complete()  # type: ignore[misc]
        self._watch()

    def connection_lost(self, exc: Exception | None) -> None:
        self._unwatch_headers()
        self._unwatch_body()
        super().connection_lost(exc)  # type: ignore[misc]

    def _watch(self) -> None:
        """Headers are awaited while the client is idle; a body's rate while it sends one."""
        stage = self._stage()
        if self.transport.is_closing() or stage != AWAITING_HEADERS:
            self._unwatch_headers()
        elif self._headers_due is None:
            self._headers_due = self.loop.call_later(self.limits.timeout_s, self._headers_late)
            self.waiting[self] = None
        if self.transport.is_closing() or stage != RECEIVING_BODY or not self.limits.body_min_rate:
            self._unwatch_body()
        elif self._body_check is None:
            self._next_body_span()

    def _make_room(self) -> None:
        """Past the cap, the connection that has waited longest for its headers is closed: this one
        only if none other waits."""
        if self._past_cap():
            next(iter(self.waiting), self)._close(FULL)

    def _past_cap(self) -> bool:
        most, highest = self.limits.max_connections, self.limits.highest_descriptor
        if most is not None and len(self.connections) > most:
            return True
        sock = self.transport.get_extra_info("socket")
        return highest is not None and sock is not None and sock.fileno() >= highest

    def _headers_late(self) -> None:
        self._headers_due = None
        self._close(HEADERS)

    def _next_body_span(self) -> None:
        self._body_bytes = 0
        self._server_paused = self.flow.read_paused
        self._body_check = self.loop.call_later(self.limits.timeout_s, self._judge_body)

    def _judge_body(self) -> None:
        self._body_check = None
        if self._stage() != RECEIVING_BODY or self.transport.is_closing():
            return
        least = self.limits.body_min_rate * self.limits.timeout_s
        if self._body_bytes < least and not (self._server_paused or self.flow.read_paused):
            self._close(BODY)
            return
        self._next_body_span()

    def _close(self, why: str) -> None:
        self._unwatch_headers()
        self._unwatch_body()
        if self.transport.is_closing():
            return
        self.report.closed(why, self.loop)
        self.transport.close()

    def _unwatch_headers(self) -> None:
        self.waiting.pop(self, None)
        if self._headers_due is not None:
            self._headers_due.cancel()
            self._headers_due = None

    def _unwatch_body(self) -> None:
        if self._body_check is not None:
            self._body_check.cancel()
            self._body_check = None


class GuardedH11Protocol(_Guard, H11Protocol):
    """uvicorn's h11 protocol, guarded: h11 itself tracks where the client's request stands."""

    def _stage(self) -> str:
        state = self.conn.their_state
        if state is h11.IDLE:
            return AWAITING_HEADERS
        return RECEIVING_BODY if state is h11.SEND_BODY else BEING_ANSWERED


class GuardedHttpToolsProtocol(_Guard, HttpToolsProtocol):
    """uvicorn's httptools protocol, guarded: its parser's callbacks mark where the request stands.
    A request parsed while an earlier one is answered (pipelined) waits in ``pipeline``: until it
    is answered too, no headers are awaited."""

    _at = AWAITING_HEADERS

    def _stage(self) -> str:
        return self._at

    def on_headers_complete(self) -> None:
        self._at = RECEIVING_BODY
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._at = BEING_ANSWERED
        super().on_message_complete()

    def on_response_complete(self) -> None:
        if not self.pipeline and self._at == BEING_ANSWERED:
            self._at = AWAITING_HEADERS
        super().on_response_complete()


#: The HTTP stacks ``guarded_protocol`` guards: httptools serves the API (``benchmarks.http_stack``
#: measured it at about 1.2x h11's feed pages and 1.8x its trivial route here, with the same tail).
STACKS: dict[str, type[_Guard]] = {"httptools": GuardedHttpToolsProtocol, "h11": GuardedH11Protocol}


def guarded_protocol(client_limits: ClientLimits, stack: str = "httptools") -> type[Any]:
    """The protocol class for ``uvicorn.run(http=…)``, with its own report of closures."""

    class Guarded(STACKS[stack]):  # type: ignore[misc,valid-type]
        limits = client_limits
        report = SlowClientReport()
        waiting: ClassVar[dict[_Guard, None]] = {}

    return Guarded


class RepeatLimit(logging.Filter):
    """Lets each message (by its template) through ``burst`` times per ``per_s``; the first one let
    through after a hold says how many were held back."""

    #: Past this many kinds of message, the oldest counts are forgotten (messages built with
    #: f-strings would otherwise grow the table without end).
    MOST_KINDS = 1000

    def __init__(self, burst: int = 5, per_s: float = 60.0) -> None:
        super().__init__()
        self._burst, self._per_s = burst, per_s
        self._kinds: dict[tuple[str, str], tuple[float, int, int]] = {}
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        key, now = (record.name, str(record.msg)), time.monotonic()
        with self._lock:
            since, passed, held = self._kinds.pop(key, (now, 0, 0))
            if now - since >= self._per_s:
                since, passed = now, 0
            let_through = passed < self._burst
            self._kinds[key] = (since, passed + 1, 0) if let_through else (since, passed, held + 1)
            if len(self._kinds) > self.MOST_KINDS:
                del self._kinds[next(iter(self._kinds))]
        if let_through and held:
            record.msg = f"{record.msg} [{held} more like it were not logged]"
        return let_through


def limit_repeated_logs() -> None:
    """Puts a ``RepeatLimit`` on the loggers a flood of connections makes speak."""
    for name in NOISY_LOGGERS:
        logging.getLogger(name).addFilter(RepeatLimit())


def backlog_for(open_files: int) -> int:
    """asyncio accepts up to the backlog's length in one go, before a connection can be turned away,
    so the backlog is part of the margin kept below the limit of open files."""
    return max(16, min(BACKLOG, open_files // 8))


def connection_room(open_files: int, in_use: int = 0) -> int:
    """The connections that fit in ``open_files`` beside what the process needs for itself: the
    reserve, and twice the backlog (one burst accepted while the one before is still closing).

    The reserve covers at least the files already open when serving starts (``in_use``: stores,
    workers, process managers) and as many again for the connections their threads open later."""
    reserve = max(min(RESERVED_FILES, open_files // 4), 2 * in_use)
    return max(1, open_files - 2 * backlog_for(open_files) - reserve)


def highest_descriptor(open_files: int) -> int:
    """The descriptor number past which connections give way: below the limit by the reserve and
    twice the backlog, as ``connection_room`` keeps, so the process's own files always find one."""
    return max(1, open_files - 2 * backlog_for(open_files) - min(RESERVED_FILES, open_files // 4))


def files_in_use() -> int:
    """The files this process has open now (0 where the system does not say)."""
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return 0


def raise_open_files_limit() -> int:
    """Lifts the soft limit of open files to the hard one (often 1,024 against 500,000 or more), so
    a thousand open connections fit beside the stores' files. Returns the limit now in force (no
    limit counts as ``OPEN_FILES_WANTED``)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = OPEN_FILES_WANTED if hard == resource.RLIM_INFINITY else hard
    if soft == resource.RLIM_INFINITY:
        return OPEN_FILES_WANTED
    if soft >= wanted:
        return soft
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    except (ValueError, OSError) as error:
        log.warning("could not raise the open files limit from %d to %d: %s", soft, wanted, error)
        return soft
    return wanted
