"""Notification streams: a person's unread count pushed to their open app within a second, as
server-sent events (``GET /v1/me/notifications/stream``).

**One watcher per process, not one per stream.** The ``notifications`` projector leaves a marker
for each person whose inbox changed, at the log position of the change (``notif_changes``). The
hub's watcher reads the projector's checkpoint every ``poll_s`` and, when it moved, the markers
since the last one it saw (one partition, one page, as a rule): the people among them with a stream
open here get their new count, read once per person however many streams they have. So the cost
follows what changed, not how many are connected; with nobody connected the watcher stops.

**No thread per stream.** A stream is a coroutine waiting on an event: the watcher's reads go to the
thread pool once per round, for everyone.

**Sessions are judged again**, every ``rejudge_s``, for every stream (one round for all): a stream
whose session was ended (sign-out, password or role change, erasure) or expired ends within
seconds, with an ``end`` event so the client does not come back. If the account stream cannot be
read, the streams end too, without one (the client reconnects later, and polls meanwhile), as they
do when the server shuts down (``end_all``), so a restart is never held up by open streams.

**Bounded.** At most ``per_person`` streams a person (429) and ``per_process`` in all (503): the
rest of the connection room (``strom.connection_guard``) stays for requests. A stream lasts at most
``lifetime_s``, then ends and the client opens a new one, so a peer gone without a word (a phone off
the network) holds its place no longer than that; a client that stops reading is dropped once a
write has waited ``send_timeout_s``. An open stream is never an idle client to the slow-client
guard: its request is complete and it is being answered, so no header deadline runs, and it is
never the connection that gives way when the server is full.

**The wire.** ``retry:`` first (how long the browser waits before it reconnects), then an ``unread``
event with the current count (from the watcher's next round), then one each time the person's
inbox changes (items or read mark, so reading the inbox in another tab clears the badge here too), a
comment line every ``heartbeat_s`` so proxies keep the connection, and ``end`` when the server ends
the stream for good.
Event ids are log positions; the count is state, not a log, so a client that reconnects (with or
without ``Last-Event-ID``) is simply sent the current count: there is nothing to replay.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import orjson
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from commands.errors import Unavailable
from domain.errors import InvalidCredentials
from read_models import notifications as model
from read_models.errors import ReadStoreError, ReadStoreUnavailable
from read_models.port import ReadStore
from services.sessions import SessionGate

log = logging.getLogger("strom.notification_stream")
SESSION_ENDED, UNAVAILABLE, SHUTTING_DOWN = "session ended", "unavailable", "shutting down"


@dataclasses.dataclass(frozen=True, slots=True)
class StreamLimits:
    per_person: int = 5
    per_process: int = 1000
    heartbeat_s: float = 15.0
    #: How often the watcher reads the checkpoint while anyone is connected.
    poll_s: float = 0.1
    rejudge_s: float = 2.0
    lifetime_s: float = 900.0
    send_timeout_s: float = 30.0
    #: What ``retry:`` tells the browser to wait before reconnecting.
    retry_ms: int = 3000


class StreamRefused(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status


class Subscription:
    """One open stream: the latest count not sent yet, and why the server ends it, if it does."""

    def __init__(self, user_id: str, session_id: str) -> None:
        self.user_id = user_id
        self.session_id = session_id
        self.latest: tuple[int, int] | None = None  # (position, unread)
        self.ended: str | None = None
        self.fresh = True  # the watcher has not read its count yet
        self.wake = asyncio.Event()
        self._unread: int | None = None

    def push(self, position: int, unread: int) -> None:
        """A count the client already has is not sent again: the watcher's first read of a new
        stream mostly repeats the count it opened with."""
        if unread == self._unread:
            return
        self._unread = unread
        self.latest = (position, unread)
        self.wake.set()

    def end(self, why: str) -> None:
        self.ended = self.ended or why
        self.wake.set()


class NotificationHub:
    def __init__(
        self, store: ReadStore | None, gate: SessionGate, limits: StreamLimits | None = None
    ) -> None:
        self.store = store
        self.limits = limits or StreamLimits()
        self._gate = gate
        self._people: dict[str, set[Subscription]] = {}
        self._open = 0
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._warned_at = 0.0

    @property
    def open(self) -> int:
        return self._open

    def hold_within(self, connections: int) -> None:
        """Streams take at most half the connections the server has room for: the rest stay for
        requests (``strom.connection_guard``), however high ``per_process`` was set."""
        most = max(1, min(self.limits.per_process, connections // 2))
        self.limits = dataclasses.replace(self.limits, per_process=most)

    async def count_now(self, user_id: str) -> tuple[int, int]:
        """(position, unread) as they stand, read before a stream opens: a read store that cannot
        answer refuses the stream (503) instead of opening one with nothing to say, and the count
        goes out at once rather than on the watcher's next round. That round reads it again (the
        stream may have opened after the watcher took its list), and the repeat is not sent."""
        _, counts = await asyncio.to_thread(self._counts, None, set(), {user_id})
        return counts[user_id]

    def subscribe(self, user_id: str, session_id: str) -> Subscription:
        """Raises ``StreamRefused`` past a cap. Runs on the event loop, as every change to the
        subscriptions does (the watcher's thread only ever sees copies)."""
        mine = self._people.get(user_id, set())
        if len(mine) >= self.limits.per_person:
            raise StreamRefused(429, f"at most {self.limits.per_person} notification streams a person")
        if self._open >= self.limits.per_process:
            raise StreamRefused(503, "this server holds as many notification streams as it may")
        sub = Subscription(user_id, session_id)
        self._people.setdefault(user_id, set()).add(sub)
        self._open += 1
        self._loop = asyncio.get_running_loop()
        if self._task is None or self._task.done():
            self._task = self._loop.create_task(self._watch(), name="notification-streams")
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        mine = self._people.get(sub.user_id)
        if mine is None or sub not in mine:
            return
        mine.discard(sub)
        self._open -= 1
        if not mine:
            del self._people[sub.user_id]

    def end_all(self, why: str = SHUTTING_DOWN) -> None:
        """Ends every stream (the server is stopping); safe to call from any thread."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return

        def end() -> None:
            for sub in self._subscriptions():
                sub.end(why)

        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(end)

    def collector(self) -> Collector:
        return _OpenStreams(lambda: self._open)

    def _subscriptions(self) -> Iterator[Subscription]:
        return (sub for subs in list(self._people.values()) for sub in list(subs))

    async def _watch(self) -> None:
        """Reads what changed, pushes new counts, judges sessions; until nobody is connected. A
        failure it does not expect ends every stream (their clients poll, and come back later to a
        new watcher) rather than leave them open and silent."""
        seen: int | None = None
        judged = time.monotonic()
        try:
            while self._people:
                seen = await self._push_counts(seen)
                if time.monotonic() - judged >= self.limits.rejudge_s:
                    judged = time.monotonic()
                    await self._end_ended_sessions()
                await asyncio.sleep(self.limits.poll_s)
        except Exception:
            log.exception("the notification streams' watcher failed; ending every stream")
            for sub in self._subscriptions():
                sub.end(UNAVAILABLE)

    async def _push_counts(self, seen: int | None) -> int | None:
        fresh = {sub.user_id for sub in self._subscriptions() if sub.fresh}
        try:
            seen, counts = await asyncio.to_thread(self._counts, seen, set(self._people), fresh)
        except ReadStoreError as exc:  # the store is away, or the read model not built yet
            self._warn(f"notification streams cannot read the inbox read model: {exc}")
            return seen
        for user_id, (position, unread) in counts.items():
            for sub in self._people.get(user_id, ()):
                sub.fresh = False
                sub.push(position, unread)
        return seen

    async def _end_ended_sessions(self) -> None:
        pairs = {(sub.user_id, sub.session_id) for sub in self._subscriptions()}
        ended = await asyncio.to_thread(self._judge, pairs)
        for sub in self._subscriptions():
            why = ended.get((sub.user_id, sub.session_id))
            if why is not None:
                sub.end(why)

    def _counts(
        self, seen: int | None, connected: set[str], fresh: set[str]
    ) -> tuple[int, dict[str, tuple[int, int]]]:
        """On the thread pool: the checkpoint now, and the count of each connected person whose
        inbox changed after ``seen`` (all of them, when more changed than is worth listing) or who
        has just connected. A count is read after the checkpoint it is sent with, so it holds at
        least every change up to it, and any change after it is found in the next round."""
        store = self._read_store()
        changed: set[str] = set()
        if seen is None:
            upto = model.checkpoint(store)
        else:
            found = model.changes(store, seen)
            upto = max(seen, found.upto)
            changed = connected if found.recipients is None else connected & found.recipients
        return upto, {user: (upto, model.unread_count(store, user)) for user in changed | fresh}

    def _judge(self, pairs: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """On the thread pool: the sessions that no longer stand, and why."""
        ended = {}
        for user_id, session_id in pairs:
            try:
                self._gate.admit(user_id, session_id)
            except InvalidCredentials:
                ended[(user_id, session_id)] = SESSION_ENDED
            except Unavailable as exc:
                self._warn(f"notification streams cannot judge sessions: {exc}")
                ended[(user_id, session_id)] = UNAVAILABLE
        return ended

    def _read_store(self) -> ReadStore:
        if self.store is None:
            raise ReadStoreUnavailable([], "this process serves no read models")
        return self.store

    def _warn(self, message: str) -> None:
        """At most once a minute: an outage would otherwise write a line ten times a second."""
        now = time.monotonic()
        if now - self._warned_at >= 60.0:
            self._warned_at = now
            log.warning(message)


class _OpenStreams(Collector):
    def __init__(self, count: Callable[[], int]) -> None:
        self._count = count

    def collect(self) -> Iterator[GaugeMetricFamily]:
        gauge = GaugeMetricFamily("strom_notification_streams", "Notification streams open in this process")
        gauge.add_metric([], self._count())
        yield gauge


# -- the response ------------------------------------------------------------------------------------


def unread_event(position: int, unread: int) -> bytes:
    return b"id: %d\nevent: unread\ndata: %s\n\n" % (position, orjson.dumps({"unread": unread}))


HEARTBEAT = b": keep-alive\n\n"


def end_event(why: str) -> bytes:
    return b"event: end\ndata: %s\n\n" % orjson.dumps({"reason": why})


class EventStream(Response):
    """The stream of one subscription, on the connection's own coroutine; a count pushed before it
    starts (the one the stream opened with) is its first event."""

    media_type = "text/event-stream"

    def __init__(self, hub: NotificationHub, sub: Subscription) -> None:
        headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        super().__init__(status_code=200, headers=headers, media_type=self.media_type)
        # No length: the body goes on (sent chunked) until the stream ends.
        self.raw_headers = [(name, value) for name, value in self.raw_headers if name != b"content-length"]
        self._hub, self._sub = hub, sub

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        gone = asyncio.ensure_future(_disconnect(receive))
        try:
            await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
            retry = b"retry: %d\n\n" % self._hub.limits.retry_ms
            if await self._send(send, retry) and await self._pump(send, gone):
                await self._send(send, b"", more=False)
        finally:
            self._hub.unsubscribe(self._sub)
            gone.cancel()

    async def _pump(self, send: Send, gone: asyncio.Future[None]) -> bool:
        """Sends counts and heartbeats until the stream ends; ``False`` when the client left or
        stopped reading (nothing more can be sent)."""
        limits, sub = self._hub.limits, self._sub
        deadline = time.monotonic() + limits.lifetime_s
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return True
            woken: asyncio.Future[Any] = asyncio.ensure_future(sub.wake.wait())
            waiters: list[asyncio.Future[Any]] = [woken, gone]
            try:
                timeout = min(limits.heartbeat_s, left)
                await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            finally:  # also when the connection's task is cancelled: no waiter is left behind
                quiet = not woken.done()
                woken.cancel()
            if gone.done():
                return False
            sub.wake.clear()
            if sub.ended == SESSION_ENDED:  # for good: the client must not come back
                return await self._send(send, end_event(sub.ended))
            if sub.ended is not None:  # the client comes back after ``retry``, here or elsewhere
                return True
            if sub.latest is not None:
                frame, sub.latest = unread_event(*sub.latest), None
            elif quiet:
                frame = HEARTBEAT
            else:
                continue
            if not await self._send(send, frame):
                return False

    async def _send(self, send: Send, body: bytes, *, more: bool = True) -> bool:
        """``False`` if the client has not taken the bytes in ``send_timeout_s``: the connection is
        then left for the server to close (the response unfinished)."""
        message: dict[str, Any] = {"type": "http.response.body", "body": body, "more_body": more}
        try:
            await asyncio.wait_for(send(message), self._hub.limits.send_timeout_s)
        except TimeoutError:
            return False
        return True


async def _disconnect(receive: Receive) -> None:
    """Returns once the client has gone (the request itself carries no body worth reading)."""
    message = await receive()
    while message["type"] != "http.disconnect":
        message = await receive()
