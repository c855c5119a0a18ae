"""A person's notifications read mark and settings (stream ``inbox-<user>``).

Reading the inbox, or choosing which kinds of notification to keep, changes nothing anyone else
sees, but each is recorded as an event all the same, so a rebuilt inbox shows the same items read
and muted as before. Nothing is decided from earlier events, so there is no state: a read mark is
wherever its event lands in the log (everything before it is read), and each settings change
names the whole set of muted kinds.
"""

from __future__ import annotations

import dataclasses

from domain.actors import Actor
from domain.errors import InvalidCommand
from domain.events import DomainEvent, event


@event("NotificationsRead")
@dataclasses.dataclass(frozen=True, slots=True)
class NotificationsRead(DomainEvent):
    user_id: str


@dataclasses.dataclass(frozen=True, slots=True)
class MarkNotificationsRead:
    actor: Actor


def decide_mark_read(cmd: MarkNotificationsRead) -> list[NotificationsRead]:
    return [NotificationsRead(user_id=cmd.actor.user_id)]


#: What a person may turn off; moderators' decisions about them are always told.
MUTABLE_KINDS = ("like", "comment", "reply", "follow", "mention")


@event("NotificationSettingsChanged")
@dataclasses.dataclass(frozen=True, slots=True)
class NotificationSettingsChanged(DomainEvent):
    user_id: str
    muted: list[str]  # kinds no longer recorded in the inbox, from this event on


@dataclasses.dataclass(frozen=True, slots=True)
class ChangeNotificationSettings:
    actor: Actor
    muted: list[str]


def decide_change_settings(cmd: ChangeNotificationSettings) -> list[NotificationSettingsChanged]:
    """The whole set of muted kinds, replacing the one before: no state is needed to decide it."""
    unknown = sorted(set(cmd.muted) - set(MUTABLE_KINDS))
    if unknown:
        raise InvalidCommand(
            f"kinds that can be muted are {', '.join(MUTABLE_KINDS)}; not {', '.join(unknown)}"
        )
    muted = [kind for kind in MUTABLE_KINDS if kind in cmd.muted]
    return [NotificationSettingsChanged(user_id=cmd.actor.user_id, muted=muted)]
