"""Validation of text people type: one place, so every field is held to the same rules."""

from __future__ import annotations

import re
import unicodedata

from domain.errors import InvalidCommand

# C0/C1 controls, the zero-width space, and bidi overrides/isolates (used to disguise text).
# Joiners (U+200C/D) and direction marks (U+200E/F) stay: emoji sequences and RTL scripts need them.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u202a-\u202e\u2066-\u2069]")


def clean_text(value: str, *, field: str, max_len: int, min_len: int = 0, multiline: bool = False) -> str:
    """NFC-normalised, trimmed text within bounds, with no control or direction-override characters.

    Markup and SQL are ordinary text here: they are stored and returned as typed, never interpreted.
    """
    if not isinstance(value, str):
        raise InvalidCommand(f"{field} must be text")
    text = unicodedata.normalize("NFC", value).strip()
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _CONTROL.search(text) or (not multiline and ("\n" in text or "\t" in text)):
        raise InvalidCommand(f"{field} contains control characters")
    if len(text) < min_len:
        raise InvalidCommand(f"{field} must be at least {min_len} characters")
    if len(text) > max_len:
        raise InvalidCommand(f"{field} must be at most {max_len} characters")
    return text
