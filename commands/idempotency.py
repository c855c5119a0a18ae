"""Idempotency keys: the first result of a request is remembered in its own stream."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from commands.context import Ports, Request
from commands.handling import append, append_async
from domain.errors import InvalidCommand
from domain.requests import RequestCompleted
from eventstore.errors import StreamNotFound, WrongExpectedVersion

KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}")


def check_key(key: str) -> str:
    if not KEY_PATTERN.fullmatch(key):
        raise InvalidCommand("Idempotency-Key must be 1..255 printable ASCII characters without spaces")
    return key


def stream_for(actor_id: str, key: str) -> str:
    """Keys are scoped to the actor: two people may use the same key independently."""
    return "idempotency-" + hashlib.sha256(f"{actor_id}\x1f{key}".encode()).hexdigest()[:40]


def recall(ports: Ports, actor_id: str, key: str) -> RequestCompleted | None:
    try:
        records = ports.store.read_stream(stream_for(actor_id, key), limit=1)
    except StreamNotFound:
        return None
    if not records:
        return None
    event = ports.codec.decode(records[0]).event
    return event if isinstance(event, RequestCompleted) else None


def remember(
    ports: Ports, request: Request, fingerprint: str, status: int, response: dict[str, Any]
) -> RequestCompleted:
    """Records the outcome; if a concurrent retry recorded first, its outcome wins and is returned."""
    completed, stream = _completed(request, fingerprint, status, response)
    try:
        append(ports, request, stream, [completed], None)
    except WrongExpectedVersion:
        return _first(ports, request, completed)
    return completed


async def remember_async(
    ports: Ports, request: Request, fingerprint: str, status: int, response: dict[str, Any]
) -> RequestCompleted:
    """``remember`` on an event loop, awaiting the append (``handling.append_async``)."""
    completed, stream = _completed(request, fingerprint, status, response)
    try:
        await append_async(ports, request, stream, [completed], None)
    except WrongExpectedVersion:
        return _first(ports, request, completed)
    return completed


def _completed(
    request: Request, fingerprint: str, status: int, response: dict[str, Any]
) -> tuple[RequestCompleted, str]:
    assert request.idempotency_key is not None
    completed = RequestCompleted(fingerprint=fingerprint, status=status, response=response)
    return completed, stream_for(request.actor.user_id, request.idempotency_key)


def _first(ports: Ports, request: Request, completed: RequestCompleted) -> RequestCompleted:
    assert request.idempotency_key is not None
    return recall(ports, request.actor.user_id, request.idempotency_key) or completed
