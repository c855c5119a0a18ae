"""The notification stream through a real server: an open stream gets the new unread count soon
after the inbox changes, ends when its session does, and opens only with a fresh ticket of one's
own, once; streams are capped, and the slow-client guard leaves an open one alone.

Times here are liveness bounds, generous on purpose; how fast a count arrives is the benchmarks' to
measure."""

from __future__ import annotations

import contextlib
import dataclasses
import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import uvicorn

from api.notification_stream import StreamLimits
from api.stream_tickets import StreamTickets
from projections.models import notifications
from strom.connection_guard import ClientLimits, guarded_protocol
from tests.integration.api.harness import SECRET, System, User
from tests.integration.api.live_server import free_port

#: A liveness bound: the count must come, not come fast (the watcher reads every 0.1 s).
ARRIVES_S = 5.0
STREAM = "/v1/me/notifications/stream"
QUICK = StreamLimits(heartbeat_s=0.2, rejudge_s=0.2)


@dataclasses.dataclass(frozen=True)
class Event:
    kind: str  # "unread", "end", or "heartbeat" for a comment line
    data: dict[str, Any]
    id: str | None = None


class Reader:
    """Reads one stream on a thread of its own, each event into a queue as it comes."""

    def __init__(self, url: str, ticket: str) -> None:
        self.events: queue.Queue[Event | None] = queue.Queue()
        self.status: int | None = None
        self.closed = threading.Event()
        #: Why the stream ended from the client's side (the server hung up, or the test closed it).
        self.error: httpx.HTTPError | None = None
        self._client = httpx.Client(timeout=httpx.Timeout(30.0, read=30.0))
        self._opened = threading.Event()
        threading.Thread(target=self._read, args=(f"{url}{STREAM}", ticket), daemon=True).start()
        assert self._opened.wait(10), "the stream did not answer"

    def _read(self, url: str, ticket: str) -> None:
        try:
            with self._client.stream("GET", url, params={"ticket": ticket}) as response:
                self.status = response.status_code
                self.headers = response.headers
                self._opened.set()
                kind, data, event_id = "message", "", None
                for line in response.iter_lines():
                    if line.startswith(":"):
                        self.events.put(Event("heartbeat", {}))
                    elif line.startswith("event: "):
                        kind = line.removeprefix("event: ")
                    elif line.startswith("data: "):
                        data = line.removeprefix("data: ")
                    elif line.startswith("id: "):
                        event_id = line.removeprefix("id: ")
                    elif line == "" and data:
                        self.events.put(Event(kind, orjson.loads(data), event_id))
                        kind, data, event_id = "message", "", None
        except httpx.HTTPError as exc:
            self.error = exc
        finally:
            self._opened.set()
            self.closed.set()
            self.events.put(None)

    def next(self, kind: str, timeout: float = ARRIVES_S) -> Event:
        """The next event of this kind (others are skipped)."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                event = self.events.get(timeout=left)
            except queue.Empty:
                break
            if event is None:
                raise AssertionError(f"the stream ended before an {kind!r} event")
            if event.kind == kind:
                return event
        raise AssertionError(f"no {kind!r} event within {timeout} s")

    def close(self) -> None:
        self._client.close()


class Live:
    def __init__(self, system: System, url: str) -> None:
        self.system, self.url = system, url
        self.readers: list[Reader] = []

    def ticket(self, user: User) -> str:
        response = self.system.client.post("/v1/me/notifications/stream-ticket", headers=user.auth)
        assert response.status_code == 200, response.text
        ticket: str = response.json()["ticket"]
        return ticket

    def open(self, user: User) -> Reader:
        reader = Reader(self.url, self.ticket(user))
        self.readers.append(reader)
        assert reader.status == 200
        return reader

    def project(self) -> None:
        self.system.project(notifications.PROJECTOR)


@contextlib.contextmanager
def served(system: System, http: Any = "httptools") -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(system.app, host="127.0.0.1", port=port, log_level="warning", http=http)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "test server did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        system.state.notification_streams.end_all()
        server.should_exit = True
        thread.join(timeout=10)


@contextlib.contextmanager
def live_world(tmp: Path, http: Any = "httptools", limits: StreamLimits = QUICK) -> Iterator[Live]:
    system = System.with_read_side(tmp, stream_limits=limits)
    system.project(notifications.PROJECTOR)
    try:
        with served(system, http) as url:
            live = Live(system, url)
            try:
                yield live
            finally:
                for reader in live.readers:
                    reader.close()
    finally:
        system.close()


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    with live_world(tmp_path) as world:
        yield world


def test_a_like_reaches_an_open_stream_soon_after_it_is_projected(live: Live) -> None:
    # Given mira's app has her stream open, and it told her count at once
    mira, ben = live.system.register("mira"), live.system.register("ben")
    video = live.system.published_video(mira)
    stream = live.open(mira)
    assert stream.headers["content-type"].startswith("text/event-stream")
    assert stream.next("unread").data == {"unread": 0}
    # When ben likes her video and the inbox projects it
    response = live.system.client.put(f"/v1/videos/{video}/like", headers=ben.auth)
    assert response.status_code == 200, response.text
    live.project()
    projected = time.monotonic()
    # Then the stream tells her new count, with the position it holds as the event id
    event = stream.next("unread")
    assert event.data == {"unread": 1}
    assert time.monotonic() - projected < ARRIVES_S
    assert event.id is not None
    assert int(event.id) >= response.json()["position"]
    # And when she reads her inbox (in another tab), the stream tells that too
    live.system.client.post("/v1/me/notifications/read", headers=mira.auth)
    live.project()
    assert stream.next("unread").data == {"unread": 0}


def test_someone_elses_activity_is_not_told_on_my_stream(live: Live) -> None:
    # Given ben's stream open, and mira's video
    mira, ben, cy = (live.system.register(h) for h in ("mira", "ben", "cyd"))
    video = live.system.published_video(mira)
    stream = live.open(ben)
    assert stream.next("unread").data == {"unread": 0}
    # When cy likes mira's video, then follows ben
    live.system.client.put(f"/v1/videos/{video}/like", headers=cy.auth)
    live.project()
    live.system.client.put(f"/v1/users/{ben.user_id}/follow", headers=cy.auth)
    live.project()
    # Then ben's stream tells of his follower only
    assert stream.next("unread").data == {"unread": 1}


def test_signing_out_ends_the_stream_within_seconds(live: Live) -> None:
    # Given mira's stream open
    mira = live.system.register("mira")
    stream = live.open(mira)
    stream.next("unread")
    # When she signs out
    assert live.system.client.post("/v1/auth/sign-out", headers=mira.auth).status_code == 204
    # Then the stream says why and ends, so her app does not come back
    assert stream.next("end").data == {"reason": "session ended"}
    assert stream.closed.wait(ARRIVES_S)


def test_heartbeats_keep_a_quiet_stream_alive(live: Live) -> None:
    # Given mira's stream open, with nothing happening
    stream = live.open(live.system.register("mira"))
    stream.next("unread")
    # Then comment lines keep coming
    for _ in range(3):
        stream.next("heartbeat", timeout=2.0)


def test_a_ticket_opens_a_stream_once_and_only_for_a_while(tmp_path: Path) -> None:
    system = System.with_read_side(tmp_path)
    try:
        # Given tickets whose clock the test moves
        now = [1_000_000.0]
        system.state.stream_tickets = StreamTickets(SECRET, ttl_s=30, clock=lambda: now[0])
        mira = system.register("mira")
        used, stale = (system.client.post(f"{STREAM}-ticket", headers=mira.auth).json() for _ in range(2))
        assert used["expires_in"] == 30
        # When one is redeemed (as the stream does), and the clock passes the other's lifetime
        system.state.stream_tickets.redeem(used["ticket"])
        now[0] += 31
        # Then neither opens a stream
        for ticket in (used["ticket"], stale["ticket"]):
            refused = system.client.get(STREAM, params={"ticket": ticket})
            assert refused.status_code == 401, refused.text
            assert refused.headers["content-type"] == "application/problem+json"
    finally:
        system.close()


def test_a_ticket_is_its_holders_and_good_for_nothing_else(tmp_path: Path) -> None:
    system = System.with_read_side(tmp_path)
    try:
        mira, ben = system.register("mira"), system.register("ben")
        ticket = system.client.post(f"{STREAM}-ticket", headers=mira.auth).json()["ticket"]
        # Then mira's ticket with ben's bearer token is refused, and spent
        refused = system.client.get(STREAM, params={"ticket": ticket}, headers=ben.auth)
        assert (refused.status_code, refused.json()["detail"]) == (401, "the stream ticket is someone else's")
        # And an access token is no ticket, nor a ticket an access token
        assert system.client.get(STREAM, params={"ticket": mira.token}).status_code == 401
        ticket = system.client.post(f"{STREAM}-ticket", headers=mira.auth).json()["ticket"]
        as_bearer = system.client.get("/v1/me/notifications", headers={"Authorization": f"Bearer {ticket}"})
        assert as_bearer.status_code == 401
        # And none is given without a sign-in, nor a stream opened without one
        assert system.client.post(f"{STREAM}-ticket").status_code == 401
        assert system.client.get(STREAM).status_code == 401
        assert system.client.get(STREAM, params={"ticket": "x" * 40}).status_code == 401
    finally:
        system.close()


def test_a_ticket_of_a_session_that_ended_opens_nothing(tmp_path: Path) -> None:
    system = System.with_read_side(tmp_path)
    try:
        # Given mira's ticket, then she signs out
        mira = system.register("mira")
        ticket = system.client.post(f"{STREAM}-ticket", headers=mira.auth).json()["ticket"]
        system.client.post("/v1/auth/sign-out", headers=mira.auth)
        # Then the ticket opens no stream
        assert system.client.get(STREAM, params={"ticket": ticket}).status_code == 401
    finally:
        system.close()


def test_streams_are_capped_per_person_and_per_process(tmp_path: Path) -> None:
    with live_world(tmp_path, limits=StreamLimits(per_person=1, per_process=2)) as live:
        # Given mira has a stream open, the most a person may
        mira, ben, cy = (live.system.register(h) for h in ("mira", "ben", "cyd"))
        live.open(mira).next("unread")
        # Then her second is refused (her app polls meanwhile)
        second = httpx.get(f"{live.url}{STREAM}", params={"ticket": live.ticket(mira)})
        assert (second.status_code, second.headers["retry-after"]) == (429, "30")
        # And once the process holds its most, so is anyone's
        live.open(ben).next("unread")
        third = httpx.get(f"{live.url}{STREAM}", params={"ticket": live.ticket(cy)})
        assert third.status_code == 503


def test_the_slow_client_guard_leaves_an_open_stream_alone(tmp_path: Path) -> None:
    # Given the guard closes clients that send no request within half a second
    guard = guarded_protocol(ClientLimits(timeout_s=0.5, body_min_rate=500, max_connections=50))
    with live_world(tmp_path, http=guard) as live:
        mira, ben = live.system.register("mira"), live.system.register("ben")
        stream = live.open(mira)
        stream.next("unread")
        # When the stream stays open four times as long
        time.sleep(2.0)
        # Then it is still open, and still tells
        live.system.client.put(f"/v1/users/{mira.user_id}/follow", headers=ben.auth)
        live.project()
        assert stream.next("unread").data == {"unread": 1}
        assert not stream.closed.is_set()


def test_a_server_stopping_ends_its_streams_for_the_clients_to_come_back(live: Live) -> None:
    # Given mira's stream open
    stream = live.open(live.system.register("mira"))
    stream.next("unread")
    # When the server is told to stop (as its signal handler does)
    live.system.state.notification_streams.end_all()
    # Then the stream ends at once, with no end event: her app reconnects, here or elsewhere
    assert stream.closed.wait(ARRIVES_S)
    assert all(event is None or event.kind != "end" for event in list(stream.events.queue))
