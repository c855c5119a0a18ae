"""The ``strom`` command: one entry point for every process and every operator task."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import orjson
import typer

from commands import audit
from domain.errors import NotFound
from eventstore.chain import ChainVerifier
from eventstore.errors import CorruptEvent, EventStoreError
from eventstore.port import EventStore
from strom.migrate_cli import migrate_command
from strom.project_cli import project_command, projections_app
from strom.settings import Settings
from strom.users_cli import users_app
from strom.wiring import open_event_store, open_key_store
from strom.worker_cli import worker_command

AS_OF_HELP = "Show the stream up to a global position, or an ISO-8601 time with zone."

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Strom: an event-sourced video feed.")
audit_app = typer.Typer(no_args_is_help=True, help="Replay and verify the event history.")
app.add_typer(audit_app, name="audit")
app.add_typer(users_app, name="users")
app.command("migrate")(migrate_command)
app.command("project")(project_command)
app.command("worker")(worker_command)
app.add_typer(projections_app, name="projections")


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
) -> None:
    """Print a stream's full history with metadata, one JSON object per event."""
    settings = Settings()
    try:
        cutoff = audit.parse_as_of(as_of)
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    keys = open_key_store(settings)
    try:
        with _event_store() as store:
            for shown in audit.readable_history(store, keys, stream, cutoff):
                sys.stdout.buffer.write(orjson.dumps(shown, option=orjson.OPT_INDENT_2) + b"\n")
    except (EventStoreError, NotFound) as exc:
        raise _fail(str(exc)) from exc
    finally:
        keys.close()


@audit_app.command("verify")
def audit_verify(
    stream: Annotated[str | None, typer.Argument(help="The stream to verify.")] = None,
    all_streams: Annotated[bool, typer.Option("--all", help="Verify every stream in the log.")] = False,
) -> None:
    """Recompute hash chains; exit 1 on the first broken or unreadable event."""
    if (stream is None) == (not all_streams):
        raise _fail("give a stream or --all (not both)")
    verifier = ChainVerifier()
    try:
        with _event_store() as store:
            events = store.read_all() if all_streams else store.read_stream(stream or "")
            breaks = [b for e in events for b in verifier.check(e)]
    except CorruptEvent as exc:
        raise _fail(f"unreadable event: {exc}", code=1) from exc
    except EventStoreError as exc:
        raise _fail(str(exc)) from exc
    for b in breaks:
        typer.echo(f"BROKEN {b}")
    if breaks:
        raise typer.Exit(1)
    typer.echo(f"OK {verifier.checked} events verified")


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
    app()
