"""Why a decider refused a command. The API maps each kind to its HTTP status."""

from __future__ import annotations


class DomainError(Exception):
    """A command was refused; the message is safe to show to the person who sent it."""


class InvalidCommand(DomainError):
    """The command is malformed or breaks a rule of the domain (422)."""


class NotAllowed(DomainError):
    """The actor may not do this (403)."""


class NotFound(DomainError):
    """The thing acted on does not exist, or is invisible to the actor (404)."""


class Conflict(DomainError):
    """The current state does not allow this, e.g. a taken handle or a deleted video (409)."""


class InvalidCredentials(DomainError):
    """Log-in failed; deliberately vague about which part was wrong (401)."""


class TooMany(DomainError):
    """Over a limit that lifts with time (429); ``retry_after_s`` says when to try again."""

    def __init__(self, message: str, *, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s
