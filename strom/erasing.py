"""Wiring for erasures: the cascade, with the commands it gives on this deployment's stores."""

from __future__ import annotations

from commands.context import Ports
from projections import registry
from projections.erasure_cascade import ErasureCascade, views_reached
from read_models.port import ReadStore
from services.erasure import ErasureCommands


def erasure_cascade(ports: Ports, store: ReadStore) -> ErasureCascade:
    """Its ``views`` step waits on every projector Strom runs."""
    projectors = [(p.name, p.version) for p in registry.ALL]
    return ErasureCascade(
        events=ports.store,
        codec=ports.codec,
        store=store,
        commands=ErasureCommands(ports),
        views_reached=lambda: views_reached(store, projectors),
    )
