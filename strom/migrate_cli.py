"""``strom migrate [--status]``: bring the read store's tables up to date, or say what is missing.

Exit status: 0 done, 1 a migration failed (named; fix it and re-run), 2 the store cannot be used
(unreachable hosts, a bad URL).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from migrations.runner import MigrationFailed, apply_pending, status
from read_models.errors import ReadStoreError
from read_models.port import ReadStore
from strom.settings import Settings
from strom.wiring import open_read_store


@contextmanager
def _read_store() -> Iterator[ReadStore]:
    try:
        store = open_read_store(Settings())
    except (ReadStoreError, ValueError) as exc:
        raise _fail(str(exc)) from exc
    try:
        yield store
    finally:
        store.close()


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def migrate_command(
    show_status: Annotated[
        bool, typer.Option("--status", help="List applied and pending migrations; change nothing.")
    ] = False,
) -> None:
    """Apply the read-store migrations that are missing, in number order, and record them."""
    with _read_store() as store:
        try:
            if show_status:
                _print_status(store)
            else:
                _migrate(store)
        except MigrationFailed as exc:
            raise _fail(str(exc), code=1) from exc
        except ReadStoreError as exc:
            raise _fail(str(exc)) from exc


def _print_status(store: ReadStore) -> None:
    applied, pending = status(store)
    for done in applied:
        typer.echo(f"applied  {done}  ({done.applied_at.isoformat(timespec='seconds')})")
    for migration in pending:
        typer.echo(f"pending  {migration}")
    typer.echo(f"{len(applied)} applied, {len(pending)} pending")


def _migrate(store: ReadStore) -> None:
    ran = apply_pending(store)
    for migration in ran:
        typer.echo(f"applied  {migration}")
    typer.echo(f"{len(ran)} applied" if ran else "nothing to apply: the read store is up to date")
