"""``strom project`` runs projectors; ``strom projections status|rebuild`` are the engineers' tools."""

from __future__ import annotations

import signal
import sys
import threading
import time
from datetime import UTC, datetime
from typing import Annotated

import typer

from commands.context import Ports
from migrations.runner import apply_pending
from plumbing.gc_settle import settle, settled
from projections import process_managers, registry
from projections.rebuild import ParityFailed, rebuild
from projections.runner import Partition
from projections.supervisor import Supervisor
from read_models import live, projection_state
from read_models.errors import MissingTable
from read_models.port import ReadStore
from services.leases import MANAGERS, Lease, Leased, Startable, holder_of
from strom import pipeline
from strom.erasing import erasure_cascade
from strom.exporting import data_exports
from strom.ports import ports_for
from strom.publishing import publish_schedule
from strom.screening import screening_requests
from strom.settings import Settings
from strom.wiring import make_codec, open_event_store, open_key_store, open_media_storage, open_read_store
from workers.broker import is_durable

projections_app = typer.Typer(no_args_is_help=True, help="Engineers: inspect and rebuild the projections.")


def project_command(
    only: Annotated[list[str] | None, typer.Option(help="Run only this projector (repeatable).")] = None,
    partition: Annotated[str, typer.Option(help="Own slice i of n of the entities, e.g. 0/4.")] = "0/1",
    managers: Annotated[
        bool,
        typer.Option(
            "--managers/--no-managers",
            help="Run the process managers beside the first slice (without --only); "
            "--no-managers where `strom manage` runs them.",
        ),
    ] = True,
) -> None:
    """Run projectors until stopped (Ctrl-C), each from its checkpoint."""
    try:
        projectors, part = registry.by_name(only), Partition.parse(partition)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    settings = Settings()
    events, keys, store = open_event_store(settings), open_key_store(settings), open_read_store(settings)
    apply_pending(store)
    codec = make_codec(keys)
    supervisor = Supervisor(projectors, events=events, codec=codec, store=store, partition=part)
    beside = managers and only is None and part.index == 0
    leased = _leased_managers(settings, ports_for(settings, events, keys), store) if beside else None
    signal.signal(signal.SIGTERM, lambda *_: supervisor.stop())
    settle()  # the rows projectors keep in memory out of the cycle collector's way
    supervisor.start()
    if leased is not None:
        leased.start()
    typer.echo(f"projecting {', '.join(supervisor.names)}; Ctrl-C stops")
    try:
        supervisor.wait()
    except KeyboardInterrupt:
        supervisor.stop()
    if leased is not None:
        leased.stop()


def manage_command() -> None:
    """Run the process managers alone until stopped (Ctrl-C): exports, the erasure cascade, the
    publish schedule, media cleanup and the job requests, one copy of each for the whole log.

    In a process of their own they take no turn of the projectors' interpreter: beside them, their
    subscriptions and round trips lengthen every projector's commit (measured on Cassandra: live
    lag p99 about twice as long). Run it beside ``strom project --no-managers``. The managers run
    under a lease (``services.leases``): a second ``strom manage`` stands by, and takes over within
    ``STROM_MANAGERS_LEASE_S`` and a third of it of the first one's death."""
    settings = Settings()
    events, keys, store = open_event_store(settings), open_key_store(settings), open_read_store(settings)
    apply_pending(store)
    leased = _leased_managers(settings, ports_for(settings, events, keys), store)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    settle()  # what the managers keep in memory (folds, indexes seen) out of the cycle collector's way
    leased.start()
    typer.echo("managing exports, erasures, the publish schedule and media under a lease; Ctrl-C stops")
    try:
        stopped.wait()  # SIGTERM sets it; Ctrl-C interrupts the wait
    except KeyboardInterrupt:
        stopped.set()
    leased.stop()


def _leased_managers(settings: Settings, ports: Ports, store: ReadStore) -> Leased:
    """The process managers, run only while this process holds their lease: built afresh each time
    it takes the lease, so a process that lost it and takes it again starts from the checkpoints."""

    def said(held: bool) -> None:
        if held:
            typer.echo(f"holding the process managers' lease ({lease.holder}): running them")
        else:
            typer.echo("standing by: this process does not hold the process managers' lease")

    lease = Lease(store, MANAGERS, settings.managers_lease_s)
    return Leased(lease, lambda: _process_managers(settings, ports, store), on_change=said)


def _process_managers(settings: Settings, ports: Ports, store: ReadStore) -> list[Startable]:
    """The process managers run once, beside the first slice of every projector (``--partition 0/n``
    without ``--only`` or ``--no-managers``) or alone (``strom manage``): each follows the whole log,
    so a second copy would do its work twice. Beside projectors they share their read store, as in
    ``strom run``: on Cassandra each store is a session with its own connections and threads, one a
    process being what the driver is made for.

    Transcode, screening and cover requests need a broker a worker process shares: with ``memory://`` no
    worker could ever see what they queue (``strom run`` has both in one process)."""
    events, codec = ports.store, ports.codec
    storage = open_media_storage(settings)
    managers: list[Startable] = []
    broker = pipeline.broker_for(settings)
    if is_durable(broker):
        short_s = settings.transcode_short_s
        managers.append(
            pipeline.transcode_requests(broker, events=events, codec=codec, store=store, short_s=short_s)
        )
        managers.append(screening_requests(broker, events=events, codec=codec, store=store))
        managers.append(pipeline.cover_requests(broker, events=events, codec=codec, store=store))
    else:
        typer.echo(
            "transcode, screening and cover requests are left to `strom run`: STROM_BROKER_URL is memory://",
            err=True,
        )
    managers.append(pipeline.media_cleanup(storage, events=events, codec=codec, store=store))
    managers.append(data_exports(settings, ports, store, storage))
    managers.append(erasure_cascade(ports, store))
    managers.append(publish_schedule(ports, store))
    return managers


@projections_app.command("status")
def status_command() -> None:
    """Every projector and build, then the process managers: version, checkpoint, lag in events and
    seconds, state, any error. Only reads: a store not migrated yet is reported, not changed."""
    settings = Settings()
    events, store = open_event_store(settings), open_read_store(settings)
    head = events.head_position()
    typer.echo(f"{'projector':<24} {'build':<6} {'checkpoint':>10} {'lag':>8} {'lag s':>7}  state")
    try:
        for projector in registry.ALL:
            current = live.live_build(store, projector.name)
            live_label = current.label if current is not None else None
            _show(projector.name, projection_state.states_of(store, projector.name), head, live_label)
        for name, _build in process_managers.ALL:
            _show(name, projection_state.states_of(store, name), head, None, kind=" (process manager)")
        holder = holder_of(store, MANAGERS) or "nobody (no process holds their lease)"
        typer.echo(f"process managers run by {holder}")
    except MissingTable:
        typer.echo("error: the read store is not migrated yet: run `strom migrate`", err=True)
        raise typer.Exit(1) from None


def _show(
    name: str, rows: list[projection_state.ProjectionState], head: int, live_label: str | None, kind: str = ""
) -> None:
    """One line per build and partition; ``kind`` follows the state, e.g. " (process manager)"."""
    if not rows:
        typer.echo(f"{name:<24} {'-':<6} {0:>10} {head:>8} {'-':>7}  never run{kind}")
    for state in rows:
        lag = max(0, head - state.position)
        seconds = _seconds_behind(state) if lag else 0.0
        mark = " (live)" if live_label == state.build else ""
        where = f"{state.build:<6} {state.position:>10} {lag:>8} {seconds:>7.1f}"
        typer.echo(f"{state.name:<24} {where}  {state.status}{mark}{kind}")
        if state.error:
            typer.echo(f"    stopped at position {state.error_position}: {state.error}")


@projections_app.command("rebuild")
def rebuild_command(
    name: Annotated[str, typer.Argument(help="The projector to rebuild.")],
    accept_count_differences: Annotated[
        bool, typer.Option(help="Switch even if row counts differ from the old build of the same version.")
    ] = False,
) -> None:
    """Build the projector into fresh tables, check parity, switch the API over, drop the old tables."""
    try:
        (projector,) = registry.by_name([name])
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    settings = Settings()
    events, keys, store = open_event_store(settings), open_key_store(settings), open_read_store(settings)
    apply_pending(store)
    bar = ProgressBar()
    try:
        with settled():  # what the rebuild keeps in memory out of the cycle collector's way
            done = rebuild(
                projector,
                events=events,
                codec=make_codec(keys),
                store=store,
                on_progress=bar.show,
                accept_count_differences=accept_count_differences,
            )
    except ParityFailed as exc:
        bar.close()
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    bar.close()
    for line in done.report.lines():
        typer.echo(line)
    old = done.old.label if done.old else "none"
    typer.echo(
        f"{projector.name}: build {done.new.label} is live (was {old}); "
        f"{done.position} events at {done.events_per_s:,.0f} events/s"
    )


class ProgressBar:
    """One line on stderr, redrawn in place: how far, how fast."""

    WIDTH = 30

    def __init__(self) -> None:
        self._started = time.monotonic()
        self._drawn = 0.0

    def show(self, position: int, head: int) -> None:
        now = time.monotonic()
        if now - self._drawn < 0.1 and position < head:
            return
        self._drawn = now
        share = min(position / head, 1.0) if head else 1.0
        filled = int(share * self.WIDTH)
        rate = position / max(now - self._started, 1e-9)
        bar = "#" * filled + "." * (self.WIDTH - filled)
        sys.stderr.write(f"\r[{bar}] {share:6.1%} {position:>10,}/{head:,} events  {rate:>9,.0f} events/s")
        sys.stderr.flush()

    def close(self) -> None:
        sys.stderr.write("\n")
        sys.stderr.flush()


def _seconds_behind(state: projection_state.ProjectionState) -> float:
    if state.updated_at is None:
        return 0.0
    return (datetime.now(UTC) - state.updated_at).total_seconds()
