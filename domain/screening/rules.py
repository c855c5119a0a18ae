"""What the write side screens text against: the policy and the watched words as they stand now."""

from __future__ import annotations

import dataclasses

from domain.screening.policy import Policy
from domain.screening.words import WatchedWords


@dataclasses.dataclass(frozen=True, slots=True)
class Rules:
    """``Rules()`` is the default policy and no watched words."""

    policy: Policy = dataclasses.field(default_factory=Policy)
    words: WatchedWords = dataclasses.field(default_factory=WatchedWords)


NO_RULES = Rules()
