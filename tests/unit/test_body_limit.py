"""The body limit counts every body a request can carry, and leaves a request with none untouched."""

from __future__ import annotations

from typing import Any

from starlette.types import Message, Receive, Scope, Send

from api.limits import BodyLimit
from tests import loops

MOST = 10


class Echo:
    """An app that reads the whole body it is given and answers with its length."""

    def __init__(self) -> None:
        self.received: list[Receive] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.received.append(receive)
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": str(len(body)).encode()})


def ask(headers: list[tuple[bytes, bytes]], chunks: list[bytes]) -> tuple[int, Echo, Receive]:
    """The status the limit answers with, the app behind it, and the server's own ``receive``."""
    app = Echo()
    messages: list[dict[str, Any]] = [
        {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)
    ]

    async def receive() -> Message:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/v1/x", "headers": headers}
    loops.run(BodyLimit(app, max_bytes=MOST)(scope, receive, send))
    return sent[0]["status"], app, receive


def test_a_declared_length_over_the_limit_is_refused_before_the_app() -> None:
    status, app, _ = ask([(b"content-length", b"11")], [b"x" * 11])
    assert (status, app.received) == (413, [])


def test_a_chunked_body_is_counted_as_it_comes_and_refused_past_the_limit() -> None:
    status, app, _ = ask([(b"transfer-encoding", b"chunked")], [b"x" * 6, b"x" * 6])
    assert (status, app.received) == (413, [])


def test_a_chunked_body_within_the_limit_reaches_the_app_whole() -> None:
    status, app, server = ask([(b"transfer-encoding", b"chunked")], [b"x" * 5, b"x" * 5])
    assert status == 200
    assert len(app.received) == 1
    assert app.received[0] is not server  # replayed from what was counted


def test_a_request_without_a_body_reaches_the_app_as_the_server_gave_it() -> None:
    # Given a request with neither Content-Length nor Transfer-Encoding: its body is empty
    for headers in ([], [(b"content-length", b"0")]):
        # When it passes the limit
        status, app, server = ask(headers, [b""])

        # Then the app reads the server's own messages: nothing was read ahead of it
        assert status == 200
        assert app.received == [server]
