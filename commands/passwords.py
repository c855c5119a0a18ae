"""Password hashing with argon2id; the plain password never leaves the request that carried it."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from domain.errors import InvalidCommand

MIN_LENGTH = 8
MAX_LENGTH = 256
# argon2id at OWASP's recommended floor (19 MiB, 2 passes, 1 lane): the library default
# (64 MiB, 3 passes, 4 lanes) takes about a second per log-in on a 2-core server.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def check_strength(password: str) -> None:
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise InvalidCommand(f"password must be {MIN_LENGTH}..{MAX_LENGTH} characters")
    if password.isdigit() or len(set(password)) < 4:
        raise InvalidCommand("password is too easy to guess")


def hash_password(password: str) -> str:
    check_strength(password)
    return _HASHER.hash(password)


def matches(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
