"""Served feed pages: what Strom showed a person, in which order, why, and with what score.

Each For You page a signed-in person is served is recorded as one ``FeedServed`` event, so the person
can be told why a video was shown and auditors can see what was. Pages are appended to the viewer's
day stream (``feeds-<user>-<yyyymmdd>``) without a concurrency check, like watch signals: no page
depends on another, so there is no state to fold.

What was served is the viewer's viewing history as much as what they watched: the items are sealed
with the viewer's key (one field, one encryption), so once the viewer is erased they read as
``None``. Pages recorded before they were sealed read as they were.

A reason may name a creator ("from @mira, whom you follow"). The viewer is shown it, but it is
recorded without the name (``@[withheld]``): the record is the viewer's, and would otherwise keep
the creator's handle in clear after the creator's own erasure.
"""

from __future__ import annotations

import dataclasses
import math
import re

from domain.actors import Actor
from domain.errors import InvalidCommand
from domain.events import DomainEvent, event

MAX_ITEMS = 100
MAX_REASON = 120
WITHHELD_MENTION = "@[withheld]"
_MENTION = re.compile(r"@[A-Za-z0-9_][A-Za-z0-9_.]*")
SOURCES = frozenset({"following", "neighbours", "trending", "hashtag", "similar", "fresh", "explore"})


@dataclasses.dataclass(frozen=True, slots=True)
class ServedItem:
    video_id: str
    score: float
    source: str
    reason: str


@event("FeedServed", personal=("items",), subject="viewer_id")
@dataclasses.dataclass(frozen=True, slots=True)
class FeedServed(DomainEvent):
    page_id: str
    viewer_id: str
    #: False when the viewer has not consented to personalisation (or withdrew it).
    personalised: bool
    items: list[dict[str, object]] | None  # ServedItem as data, in the order shown; None once erased


@dataclasses.dataclass(frozen=True, slots=True)
class RecordFeedServed:
    actor: Actor
    page_id: str
    personalised: bool
    items: tuple[ServedItem, ...]


def decide_record_feed_served(cmd: RecordFeedServed) -> list[FeedServed]:
    """An empty page is not recorded: nothing was shown."""
    if len(cmd.items) > MAX_ITEMS:
        raise InvalidCommand(f"a page holds at most {MAX_ITEMS} items, not {len(cmd.items)}")
    if not cmd.items:
        return []
    return [
        FeedServed(
            page_id=cmd.page_id,
            viewer_id=cmd.actor.user_id,
            personalised=cmd.personalised,
            items=[_item(i) for i in cmd.items],
        )
    ]


def _item(item: ServedItem) -> dict[str, object]:
    if item.source not in SOURCES:
        raise InvalidCommand(f"unknown source {item.source!r}")
    if not math.isfinite(item.score):
        raise InvalidCommand(f"score of {item.video_id} is not a finite number")
    if not 0 < len(item.reason) <= MAX_REASON:
        raise InvalidCommand(f"a reason is 1 to {MAX_REASON} characters")
    reason = recorded_reason(item.reason)
    return {"video_id": item.video_id, "score": item.score, "source": item.source, "reason": reason}


def recorded_reason(reason: str) -> str:
    """The reason as recorded: any handle it names withheld."""
    return _MENTION.sub(WITHHELD_MENTION, reason)
