"""The session gate reads a person's suspension from their standing stream, as it stands now."""

from __future__ import annotations

from datetime import timedelta

from commands import standing
from commands.context import Ports, Request
from domain.actors import Actor, Role
from domain.moderation import sanctions
from services.sessions import SessionGate
from tests.unit.test_session_gate import NOW, ports, reads, registered, session

__all__ = ["ports"]
MOD = Actor("0190aaaa-bbbb-7ccc-8ddd-0000000000ad", Role.MODERATOR)


def suspend(ports: Ports, user_id: str, hours: int) -> None:
    cmd = sanctions.SuspendAccount(MOD, user_id, "s1", timedelta(hours=hours), "spam")
    standing.suspend_account(cmd, ports=ports, request=Request(MOD), clock=lambda: NOW)


def test_a_suspension_in_force_is_on_the_admitted_request_until_it_ends(ports: Ports) -> None:
    # Given a suspended person with a live session
    user_id = registered(ports)
    session_id = session(ports, user_id)
    suspend(ports, user_id, hours=2)
    # When they make a request now, and after the suspension's end
    now = SessionGate(ports, clock=lambda: NOW).admit(user_id, session_id)
    later = SessionGate(ports, clock=lambda: NOW + timedelta(hours=3)).admit(user_id, session_id)
    # Then they are admitted both times, suspended only the first
    assert now.suspension is not None
    assert now.suspension.until == NOW + timedelta(hours=2)
    assert later.suspension is None


def test_a_suspension_takes_effect_on_the_next_request_and_standing_is_not_read_again(ports: Ports) -> None:
    # Given a gate that admitted a request of a person in good standing
    user_id = registered(ports)
    session_id = session(ports, user_id)
    gate = SessionGate(ports, clock=lambda: NOW)
    assert gate.admit(user_id, session_id).suspension is None
    # When they are suspended
    suspend(ports, user_id, hours=2)
    # Then the next request carries it, and the one after reads nothing more
    assert gate.admit(user_id, session_id).suspension is not None
    reads(ports).clear()
    assert gate.admit(user_id, session_id).suspension is not None
    assert reads(ports) == []
