"""Headers that tell browsers how little to trust what we send, on every response.

Three Content-Security-Policies, by what the response is:

- ``CLIENT``, for HTML (the web client's ``index.html``): the Vite build loads only hashed files
  from our origin and has no inline script or style; hls.js plays through Media Source Extensions,
  so the ``<video>`` gets a ``blob:`` URL (``media-src``), and private posters are fetched with the
  bearer and shown as ``blob:`` images (``img-src``). hls.js' ES module build has no worker of its
  own, so ``worker-src`` stays at our origin. Everything the client fetches is same-origin.
- ``DOCS``, for ``/docs`` (Swagger UI): its script and style come from our origin (``api.docs_page``)
  and the page starts the viewer with one inline script, allowed by its hash (computed from the page
  served, so it stays right whatever FastAPI renders). The viewer sets styles inline and draws its
  icons from ``data:`` URLs.
- ``API``, for everything else (JSON, problems, media): nothing may load or run. Should a browser
  ever render such a body as a page, it is inert.

``Referrer-Policy: no-referrer``: Strom reads no ``Referer`` anywhere, so sending none costs nothing,
and no page or link URL (a followers-only video's id, a signed media link) can leave through it.
"""

from __future__ import annotations

import base64
import hashlib
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CLIENT = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob:; "
    "media-src 'self' blob:; connect-src 'self'; worker-src 'self'; font-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
DOCS = (
    "default-src 'none'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
API = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
DOCS_PATHS = ("/docs",)
ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
_ALWAYS = tuple((name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in ALWAYS.items())
INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)


class SecurityHeaders:
    """Adds the headers to every HTTP response that does not set its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
        elif scope["path"].startswith(DOCS_PATHS):
            await self.app(scope, receive, _HashedPage(send))
        else:

            async def stamped(message: Message) -> None:
                if message["type"] == "http.response.start":
                    _stamp(message)
                await send(message)

            await self.app(scope, receive, stamped)


def _stamp(start: Message, policy: str | None = None) -> None:
    """Adds each header the response does not set itself, and the policy for what it is (``policy``,
    or by its content type). One pass over its headers: this runs for every response."""
    headers = start["headers"] = list(start.get("headers", ()))
    present = {name for name, _ in headers}  # ASGI response header names are lowercase
    if policy is None:
        content_type = next((value for name, value in headers if name == b"content-type"), b"")
        policy = CLIENT if content_type.startswith(b"text/html") else API
    for name, value in (*_ALWAYS, (b"content-security-policy", policy.encode("latin-1"))):
        if name not in present:
            headers.append((name, value))


class _HashedPage:
    """Holds a docs page back until its body is whole, to allow exactly its inline scripts."""

    def __init__(self, send: Send) -> None:
        self.send = send
        self.start: Message | None = None
        self.body = bytearray()

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.start = message
            return
        if message["type"] != "http.response.body" or self.start is None:
            await self.send(message)
            return
        self.body += message.get("body", b"")
        if message.get("more_body", False):
            return
        _stamp(self.start, DOCS.format(hashes=" ".join(_script_hashes(bytes(self.body)))))
        await self.send(self.start)
        await self.send({"type": "http.response.body", "body": bytes(self.body)})


def _script_hashes(page: bytes) -> list[str]:
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(script).digest()).decode() + "'"
        for script in INLINE_SCRIPT.findall(page)
    ]
