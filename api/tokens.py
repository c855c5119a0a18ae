"""Access tokens: short-lived signed JWTs naming the user (``sub``) and their session (``sid``).

A token proves only that this server issued it, to that session, not long ago. Whether the
session still stands and what the account may do are the session gate's to judge, on every
request, from the account itself: the ``role`` claim is there for the client to read, and the
server never trusts it.
"""

from __future__ import annotations

import dataclasses
import time
from collections import OrderedDict

import jwt

from api.problems import Problem
from domain.actors import Actor

ALGORITHM = "HS256"
ISSUER = "strom"


@dataclasses.dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: str
    session_id: str


#: How long a token that passed the signature check is taken as checked: the check costs more than a
#: feed page's reads. It says nothing about the session (the gate judges that on every request).
CHECKED_S = 30.0
#: Tokens kept as checked at most; past it the oldest go first.
CHECKED_MAX = 50_000


class Tokens:
    def __init__(self, secret: str, ttl_s: int) -> None:
        self._secret = secret
        self.ttl_s = ttl_s
        #: token → (checked until, epoch seconds: never past its ``exp``; its claims)
        #: Oldest first; an ``OrderedDict`` finds its oldest in constant time, where a dict walks
        #: past every slot deleted from its front (tens of µs a check once it is full).
        self._checked: OrderedDict[str, tuple[float, AccessClaims]] = OrderedDict()

    def issue(self, actor: Actor, session_id: str) -> str:
        now = int(time.time())
        claims = {
            "sub": actor.user_id,
            "sid": session_id,
            "role": actor.role.value,
            "iat": now,
            "exp": now + self.ttl_s,
        }
        return jwt.encode({**claims, "iss": ISSUER}, self._secret, algorithm=ALGORITHM)

    def verify(self, token: str) -> AccessClaims:
        """The token's claims once its signature, issuer and expiry pass; a token that passed is
        taken at its word until ``CHECKED_S`` later or its expiry, whichever comes first."""
        now = time.time()
        checked = self._checked.get(token)
        if checked is not None and now < checked[0]:
            return checked[1]
        claims = self._verified(token)
        self._checked.pop(token, None)
        while len(self._checked) >= CHECKED_MAX:
            self._checked.popitem(last=False)
        self._checked[token] = (min(now + CHECKED_S, claims[1]), claims[0])
        return claims[0]

    def _verified(self, token: str) -> tuple[AccessClaims, float]:
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                issuer=ISSUER,
                options={"require": ["exp", "iat", "sub", "sid", "iss"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise unauthenticated("the token has expired; refresh it or sign in again") from exc
        except jwt.InvalidTokenError as exc:
            raise unauthenticated("the token is not valid") from exc
        user_id, session_id = claims["sub"], claims["sid"]
        if not isinstance(user_id, str) or not isinstance(session_id, str):
            raise unauthenticated("the token is not valid")
        return AccessClaims(user_id, session_id), float(claims["exp"])


def unauthenticated(detail: str) -> Problem:
    return Problem(401, detail, headers={"WWW-Authenticate": "Bearer"})
