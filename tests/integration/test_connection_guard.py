"""The slow-client guard cuts only what is slow on the client's side: a body sent at a steady pace,
a kept-alive connection, a slow answer all go through; headers or a body at a trickle do not. And
the log filter keeps a flood of one message to a few lines that say what they held back."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from strom.connection_guard import STACKS, ClientLimits, RepeatLimit, guarded_protocol
from tests.integration.api.live_server import free_port

TIMEOUT_S = 0.5
MIN_RATE = 1000


async def echo_length(request: Request) -> PlainTextResponse:
    try:
        return PlainTextResponse(str(len(await request.body())))
    except ClientDisconnect:
        return PlainTextResponse("cut short", status_code=400)


async def slow_answer(_: Request) -> PlainTextResponse:
    await asyncio.sleep(3 * TIMEOUT_S)
    return PlainTextResponse("done")


@pytest.fixture(scope="module", params=sorted(STACKS))
def stack(request: pytest.FixtureRequest) -> str:
    """Every HTTP stack the guard guards (the API serves on httptools) must keep its promises."""
    name: str = request.param
    return name


@pytest.fixture(scope="module")
def port(stack: str) -> Iterator[int]:
    with serving(ClientLimits(TIMEOUT_S, MIN_RATE), stack) as chosen:
        yield chosen


@contextlib.contextmanager
def serving(limits: ClientLimits, stack: str) -> Iterator[int]:
    app = Starlette(routes=[Route("/echo", echo_length, methods=["POST"]), Route("/slow", slow_answer)])
    chosen = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=chosen,
        log_level="warning",
        http=guarded_protocol(limits, stack),
        loop="asyncio",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.01)
    yield chosen
    server.should_exit = True
    thread.join(timeout=10)


def connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=5 * TIMEOUT_S)


def answer(sock: socket.socket) -> bytes:
    """The whole answer to one request (the test routes send a Content-Length)."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(4096)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
    while len(body) < length:
        body += sock.recv(4096)
    return head.split(b"\r\n")[0] + b" " + body


def hung_up(sock: socket.socket) -> bool:
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def test_a_body_sent_at_a_steady_pace_for_longer_than_the_timeout_goes_through(port: int) -> None:
    length, chunk = 6000, 300  # 3,000 bytes a second for two seconds
    with connect(port) as sock:
        sock.sendall(f"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: {length}\r\n\r\n".encode())
        for _ in range(length // chunk):
            sock.sendall(b"x" * chunk)
            time.sleep(0.1)
        assert answer(sock) == b"HTTP/1.1 200 OK 6000"


def test_a_kept_alive_connection_serves_one_request_after_another(port: int) -> None:
    with connect(port) as sock:
        for _ in range(3):
            sock.sendall(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nab")
            assert answer(sock) == b"HTTP/1.1 200 OK 2"
            time.sleep(TIMEOUT_S / 2)


def test_an_answer_slower_than_the_timeout_is_not_cut(port: int) -> None:
    with connect(port) as sock:
        sock.sendall(b"GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
        assert answer(sock) == b"HTTP/1.1 200 OK done"


@pytest.mark.parametrize(
    "start",
    [
        b"",
        b"GET /slow HTTP/1.1\r\nHost: t\r\n",
        b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 9000\r\n\r\n",
    ],
    ids=["nothing", "half the headers", "the headers of a body"],
)
def test_a_client_that_stalls_is_hung_up_on(port: int, start: bytes) -> None:
    with connect(port) as sock:
        sock.sendall(start)
        started = time.monotonic()
        while not hung_up(sock):  # a byte now and then, far below the pace asked
            sock.sendall(b"x")
        assert time.monotonic() - started < 4 * TIMEOUT_S


def test_a_flood_of_one_message_is_logged_a_few_times_then_counted(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("strom.test.flood")
    limit = RepeatLimit(burst=3, per_s=1.0)
    logger.addFilter(limit)
    try:
        with caplog.at_level(logging.WARNING, logger="strom.test.flood"):
            for n in range(1000):
                logger.warning("accept failed on socket %d", n)
            time.sleep(1.1)
            logger.warning("accept failed on socket %d", 1000)
    finally:
        logger.removeFilter(limit)
    messages = [record.getMessage() for record in caplog.records if record.name == logger.name]
    assert messages[:3] == [f"accept failed on socket {n}" for n in range(3)]
    assert messages[3:] == ["accept failed on socket 1000 [997 more like it were not logged]"]


def test_when_descriptors_run_high_the_longest_waiting_connection_gives_way(stack: str) -> None:
    # Given a server with no cap on connections, whose process then opened files up to near the
    # descriptor number at which connections give way
    with contextlib.ExitStack() as held:
        near = len(os.listdir("/proc/self/fd")) + 40
        with serving(ClientLimits(60.0, 0, None, highest_descriptor=near), stack) as port:
            for _ in range(30):
                held.enter_context(open(os.devnull, "rb"))
            # When idle clients keep opening connections (each takes two descriptors here)
            first = held.enter_context(connect(port))
            time.sleep(0.2)
            for _ in range(10):
                held.enter_context(connect(port))
            # Then the one that waited longest was hung up on, long before its deadline
            first.settimeout(2.0)
            assert hung_up(first)
