"""The ``strom`` command: one entry point for every process and every operator task."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer

from commands import audit
from commands.accounts import OPERATOR
from commands.context import Ports, Request
from commands.errors import Unavailable
from domain.auditing import RevealPersonalData
from domain.errors import DomainError
from eventstore.chain import ChainVerifier
from eventstore.checkpoints import CheckpointError, public_key_path
from eventstore.errors import CorruptEvent, EventStoreError
from eventstore.port import EventStore
from strom.migrate_cli import migrate_command
from strom.project_cli import manage_command, project_command, projections_app
from strom.screening_cli import screening_app
from strom.settings import Settings
from strom.users_cli import users_app
from strom.wiring import make_codec, open_event_store, open_key_store
from strom.worker_cli import worker_command

AS_OF_HELP = "Show the stream up to a global position, or an ISO-8601 time with zone."
CheckpointsOption = Annotated[
    Path | None, typer.Option(help="The checkpoint file (default: checkpoints.jsonl beside the signing key).")
]

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Strom: an event-sourced video feed.")
audit_app = typer.Typer(no_args_is_help=True, help="Replay and verify the event history.")
app.add_typer(audit_app, name="audit")
app.add_typer(users_app, name="users")
app.command("migrate")(migrate_command)
app.command("project")(project_command)
app.command("manage")(manage_command)
app.command("worker")(worker_command)
app.add_typer(projections_app, name="projections")
app.add_typer(screening_app, name="screening")


@contextmanager
def _event_store() -> Iterator[EventStore]:
    store = open_event_store(Settings())
    try:
        yield store
    finally:
        store.close()


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


@audit_app.command("stream")
def audit_stream(
    stream: str,
    as_of: Annotated[
        str | None, typer.Option(help="A global position, or an ISO-8601 time with zone.")
    ] = None,
    reveal: Annotated[
        bool, typer.Option(help="Show personal data in clear, recorded first as done by 'system:operator'.")
    ] = False,
    reason: Annotated[
        str | None, typer.Option(help="Why you reveal personal data (10-500 characters).")
    ] = None,
) -> None:
    """Print a stream's full history with metadata, one JSON object per event; personal data masked
    unless revealed with a reason. Password hashes are never printed."""
    settings = Settings()
    try:
        cutoff = audit.parse_as_of(as_of)
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    keys = open_key_store(settings)
    try:
        with _event_store() as store:
            ports = Ports(store=store, codec=make_codec(keys), keys=keys)
            for shown in _audited(ports, stream, cutoff, reason, reveal=reveal):
                sys.stdout.buffer.write(orjson.dumps(shown, option=orjson.OPT_INDENT_2) + b"\n")
    except (EventStoreError, DomainError, Unavailable) as exc:
        raise _fail(str(exc)) from exc
    finally:
        keys.close()


def _audited(
    ports: Ports, stream: str, as_of: audit.AsOf, reason: str | None, *, reveal: bool
) -> Iterable[dict[str, Any]]:
    """A reveal from the shell is recorded like an auditor's, as done by the operator."""
    if not reveal:
        return audit.readable_history(ports.store, ports.keys, stream, as_of)
    cmd = RevealPersonalData(OPERATOR, stream, reason)
    return audit.revealed_history(cmd, ports=ports, request=Request(OPERATOR), as_of=as_of)


@audit_app.command("verify")
def audit_verify(
    stream: Annotated[str | None, typer.Argument(help="The stream to verify.")] = None,
    all_streams: Annotated[bool, typer.Option("--all", help="Verify every stream in the log.")] = False,
    checkpoints: CheckpointsOption = None,
    public_key: Annotated[
        Path | None, typer.Option(help="Checks checkpoint signatures (default: beside the signing key).")
    ] = None,
) -> None:
    """Recompute hash chains; with --all, also hold the log to its signed checkpoints. Exit 1 on a
    broken or unreadable event, or on anything changed since a checkpoint."""
    if (stream is None) == (not all_streams):
        raise _fail("give a stream or --all (not both)")
    if all_streams:
        key = Settings().audit_signing_key
        _verify_log(checkpoints or _checkpoints_beside(key), public_key or public_key_path(key))
        return
    verifier = ChainVerifier()
    try:
        with _event_store() as store:
            breaks = [b for e in store.read_stream(stream or "") for b in verifier.check(e)]
    except CorruptEvent as exc:
        raise _fail(f"unreadable event: {exc}", code=1) from exc
    except EventStoreError as exc:
        raise _fail(str(exc)) from exc
    for b in breaks:
        typer.echo(f"BROKEN {b}")
    if breaks:
        raise typer.Exit(1)
    typer.echo(f"OK {verifier.checked} events verified")


def _checkpoints_beside(key: Path) -> Path:
    """Whoever holds the signing key writes the checkpoints; the service that writes the log needs neither."""
    return key.parent / "checkpoints.jsonl"


def _verify_log(checkpoints: Path, public_key: Path) -> None:
    try:
        with _event_store() as store:
            verdict = audit.verify_log(store, trail=checkpoints, public_key=public_key)
    except CorruptEvent as exc:
        raise _fail(f"unreadable event: {exc}", code=1) from exc
    except (EventStoreError, CheckpointError) as exc:
        raise _fail(str(exc)) from exc
    for b in verdict.breaks:
        typer.echo(f"BROKEN {b}")
    for change in verdict.tampering:
        typer.echo(f"TAMPERED {change}")
    for line in verdict.summary():
        typer.echo(line)
    if not verdict.intact:
        raise typer.Exit(1)


@audit_app.command("checkpoint")
def audit_checkpoint(checkpoints: CheckpointsOption = None) -> None:
    """Sign the log's head position and log chain with STROM_AUDIT_SIGNING_KEY (made on first use)
    and append it to the checkpoint file; run it from a timer, and copy the file off the host."""
    key = Settings().audit_signing_key
    new_key = not key.exists()
    try:
        with _event_store() as store:
            made = audit.checkpoint_log(store, key=key, trail=checkpoints or _checkpoints_beside(key))
    except (EventStoreError, CheckpointError) as exc:
        raise _fail(str(exc)) from exc
    if new_key:
        typer.echo(f"made signing key {key}; give auditors its public key {public_key_path(key)}")
    for cp in made:
        typer.echo(f"{cp.label()}: {cp.events} events, log chain {cp.chain}, key {cp.key}")
    if not made:
        typer.echo("nothing new since the last checkpoint")


@app.command("api")
def api_command(
    host: Annotated[str | None, typer.Option(help="Interface to bind (default: STROM_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (default: STROM_PORT).")] = None,
) -> None:
    """Serve the HTTP API on the configured stores."""
    from strom.serve import serve

    settings = Settings()
    serve(settings, host or settings.host, port or settings.port)


@app.command("run")
def run_command(
    port: Annotated[int | None, typer.Option(help="Port to listen on (default: STROM_PORT).")] = None,
    demo: Annotated[
        bool, typer.Option(help="Seed demo people and transcoded videos (safe to repeat).")
    ] = True,
) -> None:
    """Everything in one process on the embedded defaults: the way to try Strom locally."""
    from strom.serve import serve

    settings = Settings()
    migrate_command(show_status=False)
    serve(settings, settings.host, port or settings.port, with_projectors=True, demo=demo)


def main() -> None:
    os.umask(0o077)  # whatever any part of Strom creates (stores, uploads, media, secrets) is owner-only
    app()
