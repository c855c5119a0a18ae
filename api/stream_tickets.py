"""Tickets that open a notification stream: short-lived, single-use, good for nothing else.

A browser's ``EventSource`` cannot send an ``Authorization`` header, and an access token must never
travel in a URL (URLs end up in logs, histories and proxies' caches, and a token there is good for
every route for minutes). So the client asks for a ticket with its bearer token
(``POST /v1/me/notifications/stream-ticket``) and opens the stream with it in the query string.

A ticket is a JWT signed with a key derived from the app's secret for this one purpose: it can never
pass as an access token, nor an access token as a ticket. It names the person and the session it
was asked in, lives ``TICKET_TTL_S`` seconds, and is taken once: a second use is refused. What
remains of a leaked ticket is a race of seconds, for one look at one person's unread count, and only
while their session lasts (the stream is judged against the session, not the ticket, from then on).

Single use is kept by each API process in memory, for the ticket's lifetime. Behind a load balancer
with several API processes, a copied ticket could be taken once in each of them within those
seconds; each such stream still belongs to the ticket's own session.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

import jwt

from api.tokens import ALGORITHM, ISSUER, unauthenticated

#: How long a ticket may wait before it opens a stream.
TICKET_TTL_S = 30
AUDIENCE = "notification-stream"
_REFUSED = "the stream ticket is not valid, has expired or was used: ask for a new one"


@dataclasses.dataclass(frozen=True, slots=True)
class Ticket:
    user_id: str
    session_id: str


class StreamTickets:
    def __init__(
        self, secret: str, ttl_s: int = TICKET_TTL_S, clock: Callable[[], float] = time.time
    ) -> None:
        self._key = hmac.new(secret.encode(), b"strom notification stream tickets", hashlib.sha256).digest()
        self.ttl_s = ttl_s
        self._clock = clock
        #: Tickets taken, by id, with when they expire; in the order taken, which is close to the
        #: order they expire in (every ticket lives as long), so the expired ones are at the front.
        self._taken: OrderedDict[str, float] = OrderedDict()  # oldest first
        self._lock = threading.Lock()

    def issue(self, user_id: str, session_id: str) -> str:
        now = int(self._clock())
        claims = {"sub": user_id, "sid": session_id, "jti": secrets.token_urlsafe(16), "aud": AUDIENCE}
        times = {"iat": now, "exp": now + self.ttl_s}
        return jwt.encode({**claims, **times, "iss": ISSUER}, self._key, algorithm=ALGORITHM)

    def redeem(self, ticket: str) -> Ticket:
        """The ticket's person and session, once; a ticket that is forged, expired, for another
        purpose, or taken before is refused (401)."""
        try:
            claims = jwt.decode(
                ticket,
                self._key,
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                issuer=ISSUER,
                # Expiry is judged below, by this object's clock (which tests can move).
                options={"require": ["exp", "iat", "sub", "sid", "jti", "aud", "iss"], "verify_exp": False},
            )
        except jwt.InvalidTokenError as exc:
            raise unauthenticated(_REFUSED) from exc
        parts = (claims["sub"], claims["sid"], claims["jti"])
        if not all(isinstance(part, str) for part in parts) or not isinstance(claims["exp"], int):
            raise unauthenticated(_REFUSED)
        if claims["exp"] <= self._clock() or not self._take(claims["jti"], float(claims["exp"])):
            raise unauthenticated(_REFUSED)
        return Ticket(user_id=claims["sub"], session_id=claims["sid"])

    def _take(self, ticket_id: str, expires: float) -> bool:
        now = self._clock()
        with self._lock:
            while self._taken:
                until = next(iter(self._taken.values()))  # an OrderedDict's first: constant time
                if until > now:
                    break
                self._taken.popitem(last=False)
            if ticket_id in self._taken:
                return False
            self._taken[ticket_id] = expires
            return True
