"""Slow clients cannot take the server down: a thousand connections sending their headers, or their
body, a byte every couple of seconds leave ``/healthz`` answering within a second, are closed by the
server, barely touch its log, and leave no file descriptors behind.

The server is ``strom run`` as a subprocess on loopback, started with the soft limit of open files
most distributions give (1,024), so the connections fit only because the server lifts it.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import resource
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.integration.api.live_server import free_port

SLOW_HEADERS = SLOW_BODIES = 500
#: The server's deadline for headers, and the span over which a body must keep its pace.
CLIENT_TIMEOUT_S = 2.0
#: Each slow connection sends one byte this often.
TRICKLE_EVERY_S = 1.5
PROBES, PROBE_EVERY_S, PROBE_WITHIN_S = 20, 0.5, 1.0
DISTRO_SOFT_LIMIT = 1024
MOST_NEW_LOG_LINES = 5
#: Room for the process's own files and 192 connections (``connection_room``); more clients come.
TIGHT_LIMIT, ATTACKERS = 384, 400
#: Connections hold descriptors below half the tight limit (``highest_descriptor``), so once every
#: attacker is accepted at least this many of them were closed to make way.
GAVE_WAY_AT_LEAST = ATTACKERS - TIGHT_LIMIT // 2
FD_SLACK = 20


@pytest.fixture(autouse=True)
def room_for_sockets() -> Iterator[None]:
    """This process holds the slow connections, so it needs the room it asks of the server."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 4 * (SLOW_HEADERS + SLOW_BODIES)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        if hard != resource.RLIM_INFINITY and hard < wanted:
            pytest.skip(f"the hard limit of open files ({hard}) is below {wanted}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


#: The soft limit alone: the server may lift it up to the hard one.
DISTRO_DEFAULT = f"ulimit -S -n {DISTRO_SOFT_LIMIT}"
#: Soft and hard alike, so the server cannot lift it: more clients than this exhaust it.
TIGHT = f"ulimit -S -n {TIGHT_LIMIT} && ulimit -H -n {TIGHT_LIMIT}"


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def open_fds(self) -> int:
        return len(os.listdir(f"/proc/{self.process.pid}/fd"))

    def log_lines(self) -> int:
        return len(self.log.read_bytes().splitlines())

    def healthz_s(self) -> float:
        """Seconds to a 200 from ``/healthz`` on a fresh connection; fails past ``PROBE_WITHIN_S``."""
        started = time.monotonic()
        probe = http.client.HTTPConnection("127.0.0.1", self.port, timeout=PROBE_WITHIN_S)
        try:
            probe.request("GET", "/healthz", headers={"Connection": "close"})
            response = probe.getresponse()
            assert response.status == 200, response.read()
            response.read()
        finally:
            probe.close()
        return time.monotonic() - started


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    with serving(tmp_path, DISTRO_DEFAULT) as served:
        yield served


@contextlib.contextmanager
def serving(tmp_path: Path, limit: str, timeout_s: float = CLIENT_TIMEOUT_S) -> Iterator[Server]:
    """``strom run`` started by a shell that first sets ``limit`` on open files, then becomes it."""
    data = tmp_path / "var"
    env = {
        **os.environ,
        "STROM_DATA_DIR": str(data),
        "STROM_EVENTSTORE_URL": f"sqlite:///{data}/events.db",
        "STROM_READSTORE_URL": f"sqlite:///{data}/read.db",
        "STROM_KEYSTORE_URL": f"sqlite:///{data}/keys.db",
        "STROM_MEDIA_URL": f"file://{data}/media",
        "STROM_UPLOADS_DIR": str(data / "uploads"),
        "STROM_BROKER_URL": "memory://",
        "STROM_CLIENT_TIMEOUT_S": str(timeout_s),
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    data.mkdir()
    port, log = free_port(), tmp_path / "server.log"
    with log.open("wb") as out:
        command = [sys.executable, "-m", "strom", "run", "--no-demo", "--port", str(port)]
        process = subprocess.Popen(
            ["sh", "-c", f'{limit} && exec "$@"', "sh", *command],
            cwd=tmp_path,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    served = Server(process, port, log)
    try:
        _wait_until_up(served)
        yield served
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + 30
    while True:
        assert server.process.poll() is None, server.log.read_text()
        with contextlib.suppress(OSError):
            server.healthz_s()
            return
        assert time.monotonic() < deadline, server.log.read_text()
        time.sleep(0.1)


@dataclass
class SlowClients:
    """Connections that each send one byte every ``TRICKLE_EVERY_S``; a connection the server
    closes is counted and opened again, as an attacker would, so the load lasts."""

    port: int
    sockets: dict[socket.socket, str] = field(default_factory=dict)
    closed_by_server: dict[str, int] = field(default_factory=lambda: {"headers": 0, "body": 0})
    stopped: threading.Event = field(default_factory=threading.Event)

    def open(self, kind: str) -> None:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        if kind == "headers":
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        else:
            head = "POST /v1/accounts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            sock.sendall(f"{head}Content-Length: 60000\r\n\r\n{{".encode())
        sock.setblocking(False)
        self.sockets[sock] = kind

    def trickle(self) -> None:
        """Runs until stopped: a slice of the connections gets its byte every tenth of a second."""
        tick, turn = 0.1, 0
        while not self.stopped.wait(tick):
            everyone = list(self.sockets.items())
            share = max(1, int(len(everyone) * tick / TRICKLE_EVERY_S))
            for sock, kind in everyone[turn * share : (turn + 1) * share]:
                self._send_byte(sock, kind)
            turn = 0 if (turn + 1) * share >= len(everyone) else turn + 1

    def _send_byte(self, sock: socket.socket, kind: str) -> None:
        if not _closed(sock):
            with contextlib.suppress(BlockingIOError):
                sock.send(b"X" if kind == "headers" else b" ")
            return
        self.closed_by_server[kind] += 1
        del self.sockets[sock]
        sock.close()
        self.open(kind)

    def close(self) -> None:
        self.stopped.set()
        for sock in self.sockets:
            sock.close()
        self.sockets.clear()


def _closed(sock: socket.socket) -> bool:
    """The server hung up: an end of stream, or a reset."""
    try:
        return sock.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


@pytest.fixture
def slow_clients(server: Server) -> Iterator[SlowClients]:
    clients = SlowClients(server.port)
    try:
        yield clients
    finally:
        clients.close()


def test_a_thousand_slow_clients_leave_healthz_answering_and_are_closed_quietly(
    server: Server, slow_clients: SlowClients
) -> None:
    # Given a server up and idle
    fds_before, log_before = server.open_fds(), server.log_lines()

    # When a thousand clients open connections and send their requests at a trickle
    for _ in range(SLOW_HEADERS):
        slow_clients.open("headers")
    for _ in range(SLOW_BODIES):
        slow_clients.open("body")
    trickler = threading.Thread(target=slow_clients.trickle, daemon=True)
    trickler.start()
    answers = []
    for _ in range(PROBES):
        answers.append(server.healthz_s())
        time.sleep(PROBE_EVERY_S)
    slow_clients.stopped.set()
    trickler.join(timeout=5)

    # Then /healthz answered in time throughout, and the server closed the slow connections itself
    assert max(answers) < PROBE_WITHIN_S, answers
    assert slow_clients.closed_by_server["headers"] >= SLOW_HEADERS, slow_clients.closed_by_server
    assert slow_clients.closed_by_server["body"] >= SLOW_BODIES, slow_clients.closed_by_server
    # And once the clients are gone, so are their file descriptors
    slow_clients.close()
    deadline = time.monotonic() + 2 * CLIENT_TIMEOUT_S + 5
    while server.open_fds() > fds_before + FD_SLACK:
        assert time.monotonic() < deadline, (fds_before, server.open_fds())
        time.sleep(0.2)
    # And the log grew by a few lines, not one per connection
    added = server.log_lines() - log_before
    assert added <= MOST_NEW_LOG_LINES, server.log.read_text()


def test_more_clients_than_descriptors_make_way_for_new_ones_and_the_process_keeps_its_own(
    tmp_path: Path,
) -> None:
    # Given a server whose open files cannot be lifted past TIGHT_LIMIT, and a deadline far off
    with serving(tmp_path, TIGHT, timeout_s=60) as server:
        log_before = server.log_lines()

        # When more clients than fit open connections and send nothing
        attackers = [
            socket.create_connection(("127.0.0.1", server.port), timeout=5) for _ in range(ATTACKERS)
        ]
        try:
            # Then the connections waiting longest gave way to the newer ones
            _wait_until_closed_by_server(attackers, GAVE_WAY_AT_LEAST)
            # And /healthz answers at once
            try:
                answers = [server.healthz_s() for _ in range(5)]
            except OSError as error:
                pytest.fail(f"/healthz: {error!r}; the log ends:\n{server.log.read_text()[-3000:]}")
            assert max(answers) < PROBE_WITHIN_S, answers
            assert server.open_fds() < TIGHT_LIMIT
        finally:
            for sock in attackers:
                sock.close()

        # And nothing in the process ran out of descriptors, and the log says so in a line
        log = server.log.read_text()
        assert "Too many open files" not in log, log[-3000:]
        assert "unable to open" not in log, log[-3000:]
        assert server.log_lines() - log_before <= MOST_NEW_LOG_LINES, log[-3000:]


def _wait_until_closed_by_server(sockets: list[socket.socket], at_least: int) -> None:
    """Until the server has closed ``at_least`` of ``sockets``: by then it has accepted them all.

    A client connecting in a tight loop outruns the server's accepts now and then, and a connection
    that finds the listen backlog full is dropped and retried a second later; a probe sent while
    the flood still fills the backlog would wait on that retry, which says nothing of the server.
    """
    for sock in sockets:
        sock.setblocking(False)
    deadline = time.monotonic() + 10
    while (closed := sum(_closed(sock) for sock in sockets)) < at_least:
        assert time.monotonic() < deadline, f"{closed} of {len(sockets)} closed by the server"
        time.sleep(0.1)
