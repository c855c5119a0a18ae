"""``strom project`` runs projectors; ``strom projections status`` says where each one stands."""

from __future__ import annotations

import signal
from datetime import UTC, datetime
from typing import Annotated

import typer

from migrations.runner import apply_pending
from projections import registry
from projections.runner import Partition
from projections.supervisor import Supervisor
from read_models import projection_state
from strom.settings import Settings
from strom.wiring import make_codec, open_event_store, open_key_store, open_read_store

projections_app = typer.Typer(no_args_is_help=True, help="Engineers: inspect the projections.")


def project_command(
    only: Annotated[list[str] | None, typer.Option(help="Run only this projector (repeatable).")] = None,
    partition: Annotated[str, typer.Option(help="Own slice i of n of the entities, e.g. 0/4.")] = "0/1",
) -> None:
    """Run projectors until stopped (Ctrl-C), each from its checkpoint."""
    try:
        projectors, part = registry.by_name(only), Partition.parse(partition)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    settings = Settings()
    events, keys, store = open_event_store(settings), open_key_store(settings), open_read_store(settings)
    apply_pending(store)
    supervisor = Supervisor(projectors, events=events, codec=make_codec(keys), store=store, partition=part)
    signal.signal(signal.SIGTERM, lambda *_: supervisor.stop())
    supervisor.start()
    typer.echo(f"projecting {', '.join(r.name for r in supervisor.runners)}; Ctrl-C stops")
    try:
        supervisor.wait()
    except KeyboardInterrupt:
        supervisor.stop()


@projections_app.command("status")
def status_command() -> None:
    """Every projector: version, checkpoint, lag in events and seconds, state, and any error."""
    settings = Settings()
    events, store = open_event_store(settings), open_read_store(settings)
    head = events.head_position()
    typer.echo(f"{'projector':<24} {'ver':>3} {'checkpoint':>10} {'lag':>8} {'lag s':>7}  state")
    for projector in registry.ALL:
        state = projection_state.load(store, projector.name, projector.version)
        lag = max(0, head - state.position)
        seconds = _seconds_behind(state) if lag else 0.0
        where = f"{state.version:>3} {state.position:>10} {lag:>8} {seconds:>7.1f}"
        typer.echo(f"{projector.name:<24} {where}  {state.status}")
        if state.error:
            typer.echo(f"    stopped at position {state.error_position}: {state.error}")


def _seconds_behind(state: projection_state.ProjectionState) -> float:
    if state.updated_at is None:
        return 0.0
    return (datetime.now(UTC) - state.updated_at).total_seconds()
