"""The profile picture's commands, on the holder's own account stream (``user-<id>``).

Uploading one changes what everyone sees of the account, so a holder who may not upload now (a
restriction or suspension) may not set one either; removing one is always allowed.
"""

from __future__ import annotations

from commands import streams
from commands.aggregates import ACCOUNT
from commands.context import Outcome, Ports, Request
from commands.handling import execute, load
from commands.standing import ensure_allowed
from domain import accounts
from domain.accounts.rules import own_avatar_id
from domain.moderation.rules import Capability


def set_avatar(cmd: accounts.SetAvatar, *, ports: Ports, request: Request) -> Outcome:
    ensure_allowed(ports, cmd.actor, Capability.UPLOAD)
    stream = streams.user(cmd.actor.user_id)
    return execute(ports, request, stream, ACCOUNT, lambda state: accounts.decide_set_avatar(state, cmd))


def remove_avatar(cmd: accounts.RemoveAvatar, *, ports: Ports, request: Request) -> Outcome:
    stream = streams.user(cmd.actor.user_id)
    return execute(ports, request, stream, ACCOUNT, lambda state: accounts.decide_remove_avatar(state, cmd))


def current_avatar_id(ports: Ports, user_id: str) -> str | None:
    """The uploaded picture the account's profile shows now, as its stream says."""
    return own_avatar_id(load(ports, streams.user(user_id), ACCOUNT).state.avatar_url)
