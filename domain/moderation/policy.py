"""The operator's moderation settings: when strikes suspend an account, and how long a strike counts.

Read from settings (``STROM_MODERATION_STRIKE_THRESHOLDS``, e.g. ``3:7d,5:30d,7:permanent``): the
strike that brings the count of strikes in force to a threshold suspends the account for that
threshold's time, or for good. A strike stops counting ``strike_lifetime`` after it was recorded.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta


@dataclasses.dataclass(frozen=True, slots=True)
class Threshold:
    strikes: int
    suspension: timedelta | None  # None: until a moderator lifts it


@dataclasses.dataclass(frozen=True, slots=True)
class StrikePolicy:
    thresholds: tuple[Threshold, ...] = (
        Threshold(3, timedelta(days=7)),
        Threshold(5, timedelta(days=30)),
        Threshold(7, None),
    )
    strike_lifetime: timedelta = timedelta(days=180)

    def __post_init__(self) -> None:
        counts = [t.strikes for t in self.thresholds]
        if counts != sorted(set(counts)) or any(c < 1 for c in counts):
            raise ValueError("strike thresholds must be positive counts, each once, in increasing order")
        if self.strike_lifetime <= timedelta(0):
            raise ValueError("a strike must count for some time")

    def reached(self, strikes: int) -> Threshold | None:
        """The threshold a count of strikes in force lands on exactly, if any."""
        return next((t for t in self.thresholds if t.strikes == strikes), None)


_ENTRY = re.compile(r"^\s*(\d+)\s*:\s*(?:(\d+)\s*([hd])|(permanent))\s*$")


def parse_thresholds(text: str) -> tuple[Threshold, ...]:
    """``"3:7d,5:30d,7:permanent"``: a count of strikes, then hours (``h``), days (``d``) or
    ``permanent``. An empty text sets no threshold: strikes then never suspend by themselves."""
    found = []
    for entry in filter(None, (part.strip() for part in text.split(","))):
        match = _ENTRY.match(entry)
        if match is None:
            raise ValueError(f"{entry!r} is not COUNT:DURATION (e.g. 3:7d, 5:12h, 7:permanent)")
        count, amount, unit, permanent = match.groups()
        duration = None if permanent else timedelta(**{"hours" if unit == "h" else "days": int(amount)})
        found.append(Threshold(int(count), duration))
    return tuple(found)
