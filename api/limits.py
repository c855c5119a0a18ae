"""Protection for the write side: per-user rate limits and a cap on request bodies."""

from __future__ import annotations

import re
import threading
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import Problem, problem_response
from media import webvtt

#: Paths whose bodies may be larger than the usual cap, and how large: a caption file.
LARGER_BODIES: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"/v1/videos/[^/]+/captions/[^/]+"), webvtt.LIMITS.max_bytes),
)


class RateLimiter:
    """A token bucket per user: ``burst`` writes at once, refilled at ``rate`` per second."""

    def __init__(self, rate: float, burst: int) -> None:
        self._rate = rate
        self._burst = burst
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str) -> None:
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (float(self._burst), now))
            tokens = min(self._burst, tokens + (now - last) * self._rate)
            if tokens < 1:
                wait = (1 - tokens) / self._rate
                raise Problem(429, "too many writes; slow down", headers={"Retry-After": str(int(wait) + 1)})
            self._buckets[key] = (tokens - 1, now)


class BodyLimit:
    """Refuses bodies over ``max_bytes`` with 413, whether or not Content-Length was sent."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        exempt_prefixes: tuple[str, ...] = (),
        larger: tuple[tuple[re.Pattern[str], int], ...] = LARGER_BODIES,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.exempt = exempt_prefixes
        self.larger = larger

    def _most(self, path: str) -> int:
        """The cap for this path: the usual one, or a larger one the path is allowed."""
        allowed = (most for pattern, most in self.larger if pattern.fullmatch(path))
        return max([self.max_bytes, *allowed])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.exempt):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared in (None, b"0") and b"transfer-encoding" not in headers:
            # No body to count: without either header a request's body is empty (RFC 9112
            # section 6.3), and uvicorn frames it so (any bytes after it are the next request's).
            # Most requests, every GET among them, come so: nothing is read ahead of the app.
            await self.app(scope, receive, send)
            return
        most = self._most(scope["path"])
        if declared is not None and declared.isdigit() and int(declared) > most:
            await self._refuse(scope, receive, send, most)
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > most:
                await self._refuse(scope, receive, send, most)
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, most: int) -> None:
        detail = f"the body is larger than {most} bytes"
        await problem_response(413, detail)(scope, receive, send)
