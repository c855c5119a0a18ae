"""What the recommender learns from: one person's interaction with one video, and how much it says."""

from __future__ import annotations

import dataclasses
import enum


class Signal(enum.StrEnum):
    """Interactions, strongest evidence last within each sign."""

    VIEW = "view"  # started watching: an impression, no evidence either way yet
    WATCH = "watch"  # watched part of it; ``strength`` carries the share watched (0..1)
    COMPLETE = "complete"
    REWATCH = "rewatch"
    COMMENT = "comment"
    LIKE = "like"
    FOLLOW = "follow"  # followed the video's creator from it
    SHARE = "share"
    SKIP = "skip"  # left within seconds
    UNLIKE = "unlike"
    REPORT = "report"


#: The evidence each signal carries about the person's taste for the video: positive likes it,
#: negative dislikes it. A watch is scaled by the share watched.
WEIGHTS: dict[Signal, float] = {
    Signal.VIEW: 0.0,
    Signal.WATCH: 1.0,
    Signal.COMPLETE: 1.0,
    Signal.REWATCH: 1.5,
    Signal.COMMENT: 2.0,
    Signal.LIKE: 3.0,
    Signal.FOLLOW: 3.0,
    Signal.SHARE: 4.0,
    Signal.SKIP: -1.0,
    Signal.UNLIKE: -3.0,
    Signal.REPORT: -6.0,
}


@dataclasses.dataclass(frozen=True, slots=True)
class Interaction:
    user_id: str
    video_id: str
    signal: Signal
    #: Seconds since the epoch: the event's time, so a replay learns exactly what the live run did.
    at: float
    #: For WATCH, the share of the video watched; 1.0 otherwise.
    strength: float = 1.0

    @property
    def weight(self) -> float:
        return WEIGHTS[self.signal] * self.strength
