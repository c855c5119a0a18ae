"""The erasure record (``erasure-<erasure_id>``): the steps the erasure cascade has taken.

Only the cascade records them (``ERASER``); each is recorded once, so a cascade repeating itself
after a crash records nothing twice.
"""

from __future__ import annotations

from commands import streams
from commands.aggregates import ERASURE
from commands.context import Outcome, Ports, Request
from commands.handling import execute, load
from domain import erasures


def complete_step(cmd: erasures.CompleteStep, *, ports: Ports, request: Request) -> Outcome:
    return execute(
        ports,
        request,
        streams.erasure(cmd.erasure_id),
        ERASURE,
        lambda state: erasures.decide_complete_step(state, cmd),
    )


def complete_erasure(cmd: erasures.CompleteErasure, *, ports: Ports, request: Request) -> Outcome:
    return execute(
        ports,
        request,
        streams.erasure(cmd.erasure_id),
        ERASURE,
        lambda state: erasures.decide_complete_erasure(state, cmd),
    )


def record_of(erasure_id: str, *, ports: Ports) -> tuple[erasures.State, int]:
    """The record as its stream says now (``initial`` before the first step), and the log position
    of its last event (0 before the first)."""
    loaded = load(ports, streams.erasure(erasure_id), ERASURE)
    return loaded.state, loaded.position
