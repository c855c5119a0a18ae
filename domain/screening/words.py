"""Watched words: the operator's list, and finding them in captions, comments and handles.

Each word is matched on folded text (``domain.screening.folding``) in one of two modes:

- **whole word** (the default): the word standing alone, between separators or the ends. A letter
  may repeat (``baaad`` is ``bad``, but ``as`` is not ``ass``: a doubled letter must stay at least
  doubled), and a word spelled out with separators between all its letters (``b a d``, ``b.a.d``)
  counts too. ``badge`` does not hold ``bad``.
- **substring** (written ``~word`` in the list): anywhere, even inside other words and across
  separators (``xbadx``, ``ba_d``). For words that are never innocent inside another word, and for
  handles, which have no spaces to stand between.

A refusal says only "contains a watched word": naming the word, or where it was found, would teach
how to get around the list.
"""

from __future__ import annotations

import dataclasses
import enum
import itertools
import re
from collections.abc import Callable, Iterable

from domain.errors import InvalidCommand
from domain.screening.folding import fold, fold_word

MAX_WORDS = 10_000
MAX_WORD_LENGTH = 100


class Mode(enum.StrEnum):
    WHOLE = "whole"
    SUBSTRING = "substring"


@dataclasses.dataclass(frozen=True, slots=True)
class WatchedWord:
    word: str
    mode: Mode = Mode.WHOLE


@dataclasses.dataclass(frozen=True, slots=True)
class WatchedWords:
    """A list, compiled once; ``WatchedWords()`` watches nothing."""

    words: tuple[WatchedWord, ...] = ()
    _whole: re.Pattern[str] | None = dataclasses.field(default=None, init=False, repr=False, compare=False)
    _anywhere: re.Pattern[str] | None = dataclasses.field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.words) > MAX_WORDS:
            raise InvalidCommand(f"a watched-word list holds at most {MAX_WORDS} words")
        whole = [w.word for w in self.words if w.mode is Mode.WHOLE]
        anywhere = [w.word for w in self.words if w.mode is Mode.SUBSTRING]
        object.__setattr__(self, "_whole", _compile(whole, _whole_word))
        object.__setattr__(self, "_anywhere", _compile(anywhere, _runs))

    def found_in(self, text: str | None) -> bool:
        """Whether any watched word is in ``text``, however it is disguised."""
        if not text or not self.words:
            return False
        return any(self._found_in_folded(fold(text, leet=leet)) for leet in (True, False))

    def _found_in_folded(self, folded: str) -> bool:
        if self._whole is not None and self._whole.search(folded):
            return True
        return self._anywhere is not None and bool(self._anywhere.search(folded.replace(" ", "")))


def parse_words(lines: Iterable[str]) -> WatchedWords:
    """The list as an operator writes it: a word (or phrase) a line, ``~word`` for substring mode,
    blank lines and ``#`` comments skipped."""
    words: list[WatchedWord] = []
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        mode = Mode.SUBSTRING if line.startswith("~") else Mode.WHOLE
        word = line.removeprefix("~").strip()
        if len(word) > MAX_WORD_LENGTH:
            raise InvalidCommand(f"a watched word is at most {MAX_WORD_LENGTH} characters")
        if fold_word(word):
            words.append(WatchedWord(word, mode))
    return WatchedWords(tuple(words))


def ensure_free_of_watched_words(text: str | None, words: WatchedWords, *, field: str) -> None:
    """Refuses ``text`` that holds a watched word, without saying which."""
    if words.found_in(text):
        raise InvalidCommand(f"{field} contains a watched word")


# -- patterns --------------------------------------------------------------------------------------


def _compile(words: list[str], pattern_of: Callable[[str], str]) -> re.Pattern[str] | None:
    """One pattern for the whole list, so a text is scanned once however long the list."""
    patterns = {pattern_of(folded) for word in words if (folded := fold_word(word))}
    return re.compile("|".join(sorted(patterns, key=len, reverse=True))) if patterns else None


def _runs(folded: str) -> str:
    """Each run of a letter as at least as many of it, separators ignored: ``ass`` as ``a+s{2,}``."""
    return "".join(
        re.escape(char) + ("+" if (n := len(list(run))) == 1 else f"{{{n},}}")
        for char, run in itertools.groupby(folded.replace(" ", ""))
    )


def _whole_word(folded: str) -> str:
    """Alone between separators: written together, or with a separator between every letter; a
    phrase with one separator or none between its words."""
    letters = folded.replace(" ", "")
    alternatives = [" ?".join(_runs(part) for part in folded.split(" "))]
    if len(letters) > 1:
        alternatives.append(" ".join(f"{re.escape(char)}+" for char in letters))
    return r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)"
