"""A person's events as their data export shows them: every event that is theirs
(``domain.accounts.export_scope``), decrypted with their key while it exists.

Which streams to read is the caller's to say (the exporter keeps an index of the streams each
person has events in), so an export reads those streams and never the rest of the log. Each is read
a page at a time from its first event, which names the stream's owner, up to the position the
export was asked at; events of other people on it (a moderator's, say) are left out unless they
are the person's too.

What an event shows:

- the person's own personal fields in clear, or ``None`` where their key was erased (named in
  ``erased``);
- anyone else's sealed fields as ``[withheld]``: they are never even unsealed;
- secrets (``password_hash``) as ``[withheld]``;
- in a served For You page, other people's handles in the reasons as ``@[withheld]``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator
from typing import Any

from commands.context import Ports
from commands.handling import store_errors
from domain import auditing
from domain.accounts.export_scope import owner_in, people_of
from domain.events import DomainEvent
from domain.feeds import FeedServed
from eventstore.codec import EventCodec
from eventstore.envelope import RecordedEvent
from eventstore.errors import CorruptEvent, StreamNotFound
from eventstore.sealing import sealed_fields

PAGE = 500
HANDLE = re.compile(r"@[A-Za-z0-9_][A-Za-z0-9_.]*")


class UnreadableHistory(Exception):
    """An event of the person's cannot be read back (corrupt, or of a type this code lacks)."""


@dataclasses.dataclass(frozen=True, slots=True)
class ExportedEvent:
    record: RecordedEvent
    #: As decoded, before anything was withheld: for callers that fold it (it may hold secrets).
    event: DomainEvent
    #: The event's data as the export shows it.
    data: dict[str, Any]
    erased: frozenset[str] = frozenset()

    def describe(self) -> dict[str, Any]:
        record = self.record
        described: dict[str, Any] = {
            "position": record.position,
            "stream": record.stream,
            "version": record.version,
            "type": record.type,
            "occurred_at": record.metadata.occurred_at,
            "actor": record.metadata.actor,
            "data": self.data,
        }
        if self.erased:
            described["erased"] = sorted(self.erased)
        return described


def events_of(person: str, streams: Iterable[str], *, until: int, ports: Ports) -> Iterator[ExportedEvent]:
    """The person's events on ``streams``, stream by stream, each in order, up to position ``until``."""
    for stream in streams:
        yield from _theirs_on(person, stream, until, ports)


def _theirs_on(person: str, stream: str, until: int, ports: Ports) -> Iterator[ExportedEvent]:
    owner: str | None = None
    start = 0
    while True:
        try:
            with store_errors():
                page = ports.store.read_stream(stream, from_version=start, limit=PAGE)
        except StreamNotFound:
            return
        for record in page:
            if record.position > until:
                return
            if record.version == 0:
                owner = owner_in(record.data)
            meta = record.metadata
            if person in people_of(record.data, actor=meta.actor, subject=meta.key_id, stream_owner=owner):
                yield shown(person, record, ports.codec)
        if len(page) < PAGE:
            return
        start = page[-1].version + 1


def shown(person: str, record: RecordedEvent, codec: EventCodec) -> ExportedEvent:
    """The record decoded (upcast to its newest shape) as the export shows it to ``person``."""
    withheld: frozenset[str] = frozenset()
    if record.metadata.key_id not in (None, person):
        withheld = frozenset(sealed_fields(record.data))
        data = {k: None if k in withheld else v for k, v in record.data.items()}
        metadata = dataclasses.replace(record.metadata, key_id=None)
        record = dataclasses.replace(record, data=data, metadata=metadata)
    try:
        decoded = codec.decode(record)
    except CorruptEvent as exc:
        raise UnreadableHistory(str(exc)) from exc
    data = decoded.event.to_data()
    for name in data.keys() & (withheld | auditing.SECRET_FIELDS):
        data[name] = auditing.WITHHELD
    if isinstance(decoded.event, FeedServed) and isinstance(data["items"], list):  # None once erased
        data["items"] = [_without_handles(item) for item in data["items"]]
    return ExportedEvent(record=record, event=decoded.event, data=data, erased=decoded.erased)


def _without_handles(item: dict[str, Any]) -> dict[str, Any]:
    """A served item's reason names the creator ("from @mira, whom you follow"): their handle."""
    reason = item.get("reason")
    if not isinstance(reason, str):
        return item
    return {**item, "reason": HANDLE.sub("@" + auditing.WITHHELD, reason)}
