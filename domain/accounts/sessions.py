"""An account's sessions: what the account keeps of them, and the events that start and end them.

A session is what a log-in opens and its refresh token continues. The account keeps its live
sessions (at most ``MAX_SESSIONS``) so that a role change, a password change or an erasure ends
them in the very append that records the change, and every request can be judged against the
account as it stands. Times come with the command (``now``); nothing here reads a clock.
"""

from __future__ import annotations

import dataclasses
import enum
from datetime import UTC, datetime, timedelta

from domain.accounts.events import Event, SessionEnded, SessionRefreshed, SessionsEnded, SessionStarted

#: A person rarely has more devices than this; one more log-in ends the oldest session.
MAX_SESSIONS = 20

SessionEvent = SessionStarted | SessionRefreshed | SessionEnded | SessionsEnded


class EndReason(enum.StrEnum):
    SIGNED_OUT = "signed_out"
    SIGNED_OUT_EVERYWHERE = "signed_out_everywhere"
    REFRESH_TOKEN_REUSED = "refresh_token_reused"  # a rotated token came back: maybe stolen
    LIMIT = "session_limit"
    ROLE_CHANGED = "role_changed"
    PASSWORD_CHANGED = "password_changed"
    ERASED = "erased"


@dataclasses.dataclass(frozen=True, slots=True)
class Session:
    session_id: str
    generation: int  # of the one refresh token that is good now
    started_at: datetime
    refreshed_at: datetime | None
    expires_at: datetime

    def live_at(self, now: datetime) -> bool:
        return now < self.expires_at


def stamp(moment: datetime) -> str:
    """How events store a time: ISO 8601 in UTC. A naive time is a wiring bug, not a user's."""
    if moment.tzinfo is None:
        raise ValueError("session times must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def find(sessions: tuple[Session, ...], session_id: str) -> Session | None:
    return next((s for s in sessions if s.session_id == session_id), None)


def evolve_sessions(sessions: tuple[Session, ...], event: SessionEvent) -> tuple[Session, ...]:
    """A start also forgets sessions that had expired by then, so the tuple stays bounded."""
    match event:
        case SessionStarted():
            started = instant(event.started_at)
            kept = tuple(s for s in sessions if s.live_at(started))
            return (*kept, Session(event.session_id, 0, started, None, instant(event.expires_at)))
        case SessionRefreshed():
            return tuple(_refreshed(s, event) if s.session_id == event.session_id else s for s in sessions)
        case SessionEnded():
            return tuple(s for s in sessions if s.session_id != event.session_id)
        case SessionsEnded():
            return tuple(s for s in sessions if s.session_id == event.kept_session_id)


def _refreshed(session: Session, event: SessionRefreshed) -> Session:
    return dataclasses.replace(
        session,
        generation=event.generation,
        refreshed_at=instant(event.refreshed_at),
        expires_at=instant(event.expires_at),
    )


def starting(
    user_id: str, sessions: tuple[Session, ...], session_id: str, now: datetime, ttl: timedelta
) -> list[Event]:
    """A new session; when the account already has ``MAX_SESSIONS`` live, the oldest end first."""
    if ttl <= timedelta(0):
        raise ValueError("a session must last some time")
    live = [s for s in sessions if s.live_at(now)]
    oldest = live[: max(0, len(live) - MAX_SESSIONS + 1)]
    ended: list[Event] = [SessionEnded(user_id, s.session_id, EndReason.LIMIT.value) for s in oldest]
    return [*ended, SessionStarted(user_id, session_id, stamp(now), stamp(now + ttl))]


def refreshing(user_id: str, session: Session, generation: int, now: datetime, ttl: timedelta) -> list[Event]:
    """The token of the current generation rotates (and the expiry slides); any other generation
    is a token already rotated away, presented again: the session ends, whoever holds it."""
    if generation != session.generation:
        return [SessionEnded(user_id, session.session_id, EndReason.REFRESH_TOKEN_REUSED.value)]
    return [SessionRefreshed(user_id, session.session_id, generation + 1, stamp(now), stamp(now + ttl))]


def ending_all(
    user_id: str, sessions: tuple[Session, ...], reason: EndReason, keep: str | None = None
) -> list[Event]:
    """All sessions but ``keep`` end; nothing is recorded when there is none to end."""
    if all(s.session_id == keep for s in sessions):
        return []
    kept = keep if find(sessions, keep or "") is not None else None
    return [SessionsEnded(user_id, reason.value, kept)]
