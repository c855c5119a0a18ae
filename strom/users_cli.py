"""``strom users …``: account tasks for the operator at the shell, such as making the first admin."""

from __future__ import annotations

from typing import Annotated

import typer

from commands.accounts import find_user_id, grant_role
from commands.errors import Unavailable
from domain.actors import Role
from domain.errors import DomainError
from eventstore.errors import EventStoreError
from strom.ports import ports_for
from strom.settings import Settings
from strom.wiring import open_event_store, open_key_store

users_app = typer.Typer(no_args_is_help=True, help="Manage accounts as the operator.")


@users_app.callback()
def users() -> None:
    """Manage accounts as the operator (kept a group even while it has one command)."""


@users_app.command("grant-role")
def grant_role_command(
    handle: Annotated[str, typer.Argument(help="The account's handle (any case).")],
    role: Annotated[Role, typer.Argument(help="The role to give it.", case_sensitive=False)],
) -> None:
    """Give an account a role, recorded as done by 'system:operator'. Every session of the account
    ends with it: the holder's next request is refused, and they sign in again with the new role."""
    settings = Settings()
    keys = open_key_store(settings)
    store = open_event_store(settings)
    try:
        ports = ports_for(settings, store, keys)
        user_id = find_user_id(handle, ports=ports) if "@" not in handle else None
        if user_id is None:
            raise _fail(f"no account has the handle {handle!r}")
        outcome = grant_role(user_id, role, ports=ports)
    except (DomainError, EventStoreError, Unavailable) as exc:
        raise _fail(str(exc)) from exc
    finally:
        store.close()
        keys.close()
    typer.echo(f"OK {handle} ({user_id}) is {role.value} (position {outcome.position})")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)
