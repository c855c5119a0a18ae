"""How much a report weighs, and how a case is prioritised in the moderators' queue.

A report from an account days old weighs less than one from an established account, and one from
an account whose reports were mostly dismissed weighs less still: mass-reporting from fresh or
abusive accounts cannot push a target to the top. Automatic screening's reports weigh more, since
they rest on a finding. How far the target is spreading (likes and shares) adds to the priority on
a log scale, so a viral video's case rises without its every like moving the queue.
"""

from __future__ import annotations

import math
from datetime import timedelta

#: Accounts younger than these weigh a quarter, then half a report.
NEWBORN = timedelta(days=1)
YOUNG = timedelta(days=7)
#: A reporter is judged on their record only once they filed this many reports.
RECORD_AFTER = 5
#: The least a report from an abusive reporter still weighs.
FLOOR = 0.1
SYSTEM_WEIGHT = 3.0
#: Priorities are stored as integers (a clustering key), in hundredths.
SCALE = 100


def report_weight(*, reporter_id: str, age: timedelta | None, filed: int, dismissed: int) -> float:
    """``age``: how old the reporter's account was when they reported (``None``: unknown, as for a
    reporter registered before this was kept, counted as established). ``filed`` and ``dismissed``:
    their reports so far, and those whose case a moderator dismissed."""
    if reporter_id.startswith("system:"):
        return SYSTEM_WEIGHT
    weight = 1.0
    if age is not None and age < NEWBORN:
        weight = 0.25
    elif age is not None and age < YOUNG:
        weight = 0.5
    if filed >= RECORD_AFTER:
        weight *= max(FLOOR, 1.0 - dismissed / filed)
    return weight


def spread_level(engagement: int) -> int:
    """The spread's weight: grows by one each time the target's likes and shares double."""
    return int(math.log2(1 + max(0, engagement)))


def priority(weight: float, engagement: int) -> int:
    """A case's place in the queue: weighted reports plus spread, in hundredths."""
    return round((weight + spread_level(engagement)) * SCALE)
