"""The two HTTP clients the API benchmark drives its servers with: bare asyncio and httpx.

Both answer ``Sender.send(method, path, headers) -> (status, body)``; ``senders`` opens one per user.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator, Mapping
from typing import Protocol

import httpx

CLIENTS = ("bare", "httpx")
#: What a client raises for a request that got no HTTP answer (TimeoutError is an OSError).
CLIENT_ERRORS = (httpx.HTTPError, OSError, EOFError, asyncio.LimitOverrunError, ValueError)


class Sender(Protocol):
    async def send(self, method: str, path: str, headers: Mapping[str, str]) -> tuple[int, bytes]: ...


class BareConnection:
    """One keep-alive HTTP/1.1 connection and the least client code that can drive it.

    ``httpx.AsyncClient`` costs about 1.5 ms of CPU a request on the reference machine and slows
    down as its pool grows (encode/httpx#3215): with 50 connections it fed the trivial app ~200
    req/s when the app could answer ~1,400, so the "limit" measured the client. This one costs
    about a tenth of that. It reads only bodies with a Content-Length, which uvicorn always sends
    for these routes. It reconnects after an error, and when uvicorn has closed it for idling past
    its keep-alive timeout (5 s) while the other server had its turn, as httpx would.
    """

    def __init__(self, host: str, port: int) -> None:
        self._host, self._port = host, port
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def send(self, method: str, path: str, headers: Mapping[str, str]) -> tuple[int, bytes]:
        if self._streams is None or self._streams[0].at_eof():
            self.close()
            self._streams = await asyncio.open_connection(self._host, self._port)
        reader, writer = self._streams
        try:
            writer.write(_request(method, path, f"{self._host}:{self._port}", headers))
            head = await reader.readuntil(b"\r\n\r\n")
            body = await reader.readexactly(_content_length(head))
        except BaseException:
            self.close()
            raise
        return int(head[9:12]), body

    def close(self) -> None:
        if self._streams is not None:
            self._streams[1].close()
            self._streams = None


def _request(method: str, path: str, host: str, headers: Mapping[str, str]) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join([*lines, "Content-Length: 0", "", ""])).encode("latin-1")


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    raise ValueError(f"no Content-Length in {head[:200]!r}")


@dataclasses.dataclass(frozen=True, slots=True)
class HttpxSender:
    """The same interface over a shared ``httpx.AsyncClient``, for ``--client httpx``."""

    client: httpx.AsyncClient

    async def send(self, method: str, path: str, headers: Mapping[str, str]) -> tuple[int, bytes]:
        response = await self.client.request(method, path, headers=dict(headers))
        return response.status_code, response.content


@contextlib.asynccontextmanager
async def senders(
    kind: str, host: str, port: int, users: int, timeout_s: float
) -> AsyncIterator[list[Sender]]:
    """One per user: its own bare connection, or one httpx client with a connection per user."""
    if kind == "httpx":
        limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
        url = f"http://{host}:{port}"
        async with httpx.AsyncClient(base_url=url, limits=limits, timeout=timeout_s) as client:
            yield [HttpxSender(client)] * users
        return
    connections = [BareConnection(host, port) for _ in range(users)]
    try:
        yield list(connections)
    finally:
        for connection in connections:
            connection.close()
