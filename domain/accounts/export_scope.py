"""Whose an event is: what a person's data export holds of the log.

An event belongs to these people, and to no one else:

- the person whose stream it is on, named by the first of ``OWNER_FIELDS`` the event has (the
  viewer of a watch signal, the follower of a follow, the owner of a video); an event that names
  none (a comment deleted by a moderator) belongs to whoever the stream's first event names;
- the person who did it (its actor);
- the person whose key seals its personal fields (its subject).

Being mentioned is not belonging. Someone else's like of your video names your video, their follow
of you names you, their report names you as the one reported: each is their act, on their stream,
so it is in their export and not in yours. Systems (``system:…``) and the anonymous caller are
nobody.

Owner fields are never sealed, so this reads an event's stored data as it is, with no key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: The fields that name the person an event's stream belongs to, most specific first.
OWNER_FIELDS = (
    "user_id",
    "owner_id",
    "author_id",
    "follower_id",
    "blocker_id",
    "viewer_id",
    "reporter_id",
    "auditor_id",
)
SYSTEM_PREFIX = "system:"
ANONYMOUS = "anonymous"


def is_person(user_id: object) -> bool:
    return (
        isinstance(user_id, str)
        and bool(user_id)
        and user_id != ANONYMOUS
        and not user_id.startswith(SYSTEM_PREFIX)
    )


def owner_in(data: Mapping[str, Any]) -> str | None:
    """The person the event's data names as its stream's, if it names one."""
    for name in OWNER_FIELDS:
        value = data.get(name)
        if is_person(value):
            return str(value)
    return None


def people_of(
    data: Mapping[str, Any], *, actor: str | None, subject: str | None, stream_owner: str | None
) -> frozenset[str]:
    """Everyone the event belongs to; ``stream_owner`` stands in when the data names no owner."""
    owner = owner_in(data) or stream_owner
    return frozenset(p for p in (owner, actor, subject) if p is not None and is_person(p))
