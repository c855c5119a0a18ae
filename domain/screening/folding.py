"""Folding text to the skeleton that watched words are matched on, so disguises fold away.

People who mean to slip a word past a list write it in ways a reader still reads as the word:
full-width or mathematical letters (NFKC folds them), capitals (case-folded), accents (stripped),
zero-width and other invisible format characters between letters (dropped), look-alike letters
from other scripts (Cyrillic ``а``, Greek ``ο``: mapped to Latin), and digits or symbols for
letters (``b4d``, ``$h1t``, ``@``: the leetspeak map). Both the watched word and the text are
folded the same way, so a mapping that merges two letters (``l`` and ``i``, which ``1`` and ``|``
stand for alike) can only make them meet, never miss.

Digits and symbols are ambiguous: ``1`` is a letter in ``h1`` but a number in ``room 101``, ``!``
is a letter in ``sh!t`` but punctuation after ``bad!``. So there are two foldings, and a word is
found if either shows it: ``fold(text, leet=True)`` reads them as letters, ``leet=False`` as
separators. Everything that is neither letter nor digit becomes a space, the one separator left.
"""

from __future__ import annotations

import re
import unicodedata

#: Letters of other scripts that look like Latin ones (a selection of Unicode's confusables for the
#: scripts most used to disguise Latin words), and Latin letters that stand for others.
CONFUSABLES = str.maketrans(
    {
        # Cyrillic
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
        "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "ԁ": "d",
        "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l", "ɡ": "g",
        # Greek
        "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
        "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ς": "s", "σ": "o", "μ": "u",
        # Latin look-alikes NFKC leaves alone
        "ı": "i", "ȷ": "j", "ø": "o", "đ": "d", "ł": "l", "ß": "ss", "æ": "ae", "œ": "oe",
    }
)  # fmt: skip

#: Digits and symbols read as letters. ``1``, ``|`` and ``!`` stand for ``i`` or ``l``: with ``l``
#: merged into ``i`` (``SKELETON``) one mapping serves both.
LEET = str.maketrans(
    {
        "0": "o", "1": "i", "2": "z", "3": "e", "4": "a", "5": "s", "6": "g", "7": "t", "8": "b",
        "9": "g", "@": "a", "$": "s", "!": "i", "|": "i", "+": "t", "€": "e", "£": "l",
    }
)  # fmt: skip

#: Symbols that end sentences and phrases as often as they stand for letters: read as letters only
#: when a letter or digit follows (``sh!t``, ``he|lo``), as punctuation otherwise (``badw0rd!``).
_PUNCTUATION_AT_END = re.compile(r"[!|+](?![^\W_])")

#: Letters merged on both sides, because one disguises the other.
SKELETON = str.maketrans({"l": "i"})

#: Invisible characters that separate nothing a reader sees: they are dropped, not spaced.
_INVISIBLE = frozenset({"Cf", "Mn", "Me", "Cc"})


def fold(text: str, *, leet: bool) -> str:
    """The text's skeleton: lower-case letters (and, with ``leet``, digits it has no letter for),
    single spaces between words, no marks, no invisible characters."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if leet:
        text = _PUNCTUATION_AT_END.sub(" ", text).translate(LEET)
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(char for char in decomposed if unicodedata.category(char) not in _INVISIBLE)
    kept = kept.translate(CONFUSABLES).translate(SKELETON)
    return " ".join("".join(char if _is_letter(char, leet) else " " for char in kept).split())


def _is_letter(char: str, leet: bool) -> bool:
    """Digits left after the leetspeak map (or all of them, without it) are separators too."""
    return char.isalpha() or (leet and char.isdigit())


def fold_word(word: str) -> str:
    """A watched word as it is matched: folded with its digits read as letters, spaces kept."""
    return fold(word, leet=True)
