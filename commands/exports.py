"""What the exporter records about a data export (stream ``export-<id>``), and what it asks the
account before it builds one.

Each handler decides against the export's stream as it stands (``domain.accounts.exports``): a job
that runs twice records once, and one that lost a race to another outcome is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from commands import streams
from commands.aggregates import ACCOUNT
from commands.context import Outcome, Ports, Request
from commands.handling import Aggregate, execute, load
from domain.accounts import exports

EXPORT: Aggregate[exports.State] = Aggregate(exports.initial, exports.evolve)


def export_state(export_id: str, *, ports: Ports) -> exports.State:
    return load(ports, streams.export(export_id), EXPORT).state


def holder_erased(user_id: str, *, ports: Ports) -> bool:
    """Read from the account itself: an erasure deletes the key at once, before any projection."""
    return load(ports, streams.user(user_id), ACCOUNT).state.erased


def record_ready(cmd: exports.RecordExportReady, *, ports: Ports, request: Request) -> Outcome:
    return _on_export(ports, request, cmd.export_id, lambda s: exports.decide_record_ready(s, cmd))


def record_failed(cmd: exports.RecordExportFailed, *, ports: Ports, request: Request) -> Outcome:
    return _on_export(ports, request, cmd.export_id, lambda s: exports.decide_record_failed(s, cmd))


def expire(cmd: exports.ExpireExport, *, ports: Ports, request: Request) -> Outcome:
    return _on_export(ports, request, cmd.export_id, lambda s: exports.decide_expire(s, cmd))


def abandon(cmd: exports.AbandonExport, *, ports: Ports, request: Request) -> Outcome:
    return _on_export(ports, request, cmd.export_id, lambda s: exports.decide_abandon(s, cmd))


def _on_export(
    ports: Ports,
    request: Request,
    export_id: str,
    decide: Callable[[exports.State], Sequence[exports.Event]],
) -> Outcome:
    return execute(ports, request, streams.export(export_id), EXPORT, decide)
