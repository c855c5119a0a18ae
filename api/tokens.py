"""Access tokens: short-lived signed JWTs naming the user (``sub``) and their session (``sid``).

A token proves only that this server issued it, to that session, not long ago. Whether the
session still stands and what the account may do are the session gate's to judge, on every
request, from the account itself: the ``role`` claim is there for the client to read, and the
server never trusts it.
"""

from __future__ import annotations

import dataclasses
import time

import jwt

from api.problems import Problem
from domain.actors import Actor

ALGORITHM = "HS256"
ISSUER = "strom"


@dataclasses.dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: str
    session_id: str


class Tokens:
    def __init__(self, secret: str, ttl_s: int) -> None:
        self._secret = secret
        self.ttl_s = ttl_s

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
        return AccessClaims(user_id, session_id)


def unauthenticated(detail: str) -> Problem:
    return Problem(401, detail, headers={"WWW-Authenticate": "Bearer"})
