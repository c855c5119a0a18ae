"""Automatic screening before anything is published (DESIGN.md §13), the pure part.

- ``folding`` and ``words``: watched words, found however they are disguised (Unicode look-alikes,
  accents, invisible characters, leetspeak, repeated letters, letters spelled apart).
- ``policy``: what a blocklist match or a nudity score leads to (allow, label, hold, block), and the
  verdict a video gets; ``SCREENER`` is the system actor that records verdicts and files reports.
- ``rules``: the policy and the watched words together, as the write side is given them.

The adapters that find things in frames (perceptual hashes, the classifier) are in
``media/screening``; the verdict lands on the video's stream (``domain.videos.screening``).
"""

from domain.screening.folding import fold, fold_word
from domain.screening.policy import (
    SCREENER,
    Action,
    CommentAction,
    Findings,
    Judgement,
    Label,
    Policy,
    Verdict,
    judge,
)
from domain.screening.rules import NO_RULES, Rules
from domain.screening.words import (
    Mode,
    WatchedWord,
    WatchedWords,
    ensure_free_of_watched_words,
    parse_words,
)

__all__ = [
    "NO_RULES",
    "SCREENER",
    "Action",
    "CommentAction",
    "Findings",
    "Judgement",
    "Label",
    "Mode",
    "Policy",
    "Rules",
    "Verdict",
    "WatchedWord",
    "WatchedWords",
    "ensure_free_of_watched_words",
    "fold",
    "fold_word",
    "judge",
    "parse_words",
]
