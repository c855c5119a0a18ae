"""The notifications inbox's own events, on the person's ``inbox-<user>`` stream: read marks and
settings. Nothing is decided from earlier events, so appends take no concurrency check; a retried
keyed request is stored once."""

from __future__ import annotations

from collections.abc import Sequence

from commands import streams
from commands.context import Outcome, Ports, Request
from commands.handling import store_errors
from domain import notifications
from domain.events import DomainEvent
from eventstore.envelope import StreamState
from eventstore.ids import id_from_key


def mark_notifications_read(
    cmd: notifications.MarkNotificationsRead, *, ports: Ports, request: Request
) -> Outcome:
    """Everything in the inbox up to this event's position reads as read; a later mark moves it on."""
    return _append(ports, request, cmd.actor.user_id, notifications.decide_mark_read(cmd), "read")


def change_notification_settings(
    cmd: notifications.ChangeNotificationSettings, *, ports: Ports, request: Request
) -> Outcome:
    """Muted kinds are not recorded from this event on; what the inbox holds already stays."""
    events = notifications.decide_change_settings(cmd)
    return _append(ports, request, cmd.actor.user_id, events, "settings")


def _append(
    ports: Ports, request: Request, user_id: str, events: Sequence[DomainEvent], purpose: str
) -> Outcome:
    stream = streams.inbox(user_id)
    metadata = request.metadata()
    encoded = [
        ports.codec.encode(event, metadata, event_id=id_from_key(stream, request.new_id(purpose)))
        for event in events
    ]
    with store_errors():
        result = ports.store.append(stream, encoded, StreamState.ANY)
    return Outcome(position=result.position, appended=len(encoded))
