"""Bearer tokens: short-lived signed JWTs naming the user and their role."""

from __future__ import annotations

import time

import jwt

from api.problems import Problem
from domain.actors import Actor, Role

ALGORITHM = "HS256"
ISSUER = "strom"


class Tokens:
    def __init__(self, secret: str, ttl_s: int) -> None:
        self._secret = secret
        self.ttl_s = ttl_s

    def issue(self, actor: Actor) -> str:
        now = int(time.time())
        claims = {"sub": actor.user_id, "role": actor.role.value, "iat": now, "exp": now + self.ttl_s}
        return jwt.encode({**claims, "iss": ISSUER}, self._secret, algorithm=ALGORITHM)

    def verify(self, token: str) -> Actor:
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                issuer=ISSUER,
                options={"require": ["exp", "sub", "iss"]},
            )
            return Actor(user_id=str(claims["sub"]), role=Role(claims.get("role", "user")))
        except jwt.ExpiredSignatureError as exc:
            raise _unauthenticated("the token has expired; sign in again") from exc
        except (jwt.InvalidTokenError, ValueError) as exc:
            raise _unauthenticated("the token is not valid") from exc


def _unauthenticated(detail: str) -> Problem:
    return Problem(401, detail, headers={"WWW-Authenticate": "Bearer"})
