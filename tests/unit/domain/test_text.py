"""People's text keeps emoji and every script, and loses what only serves to disguise it."""

from __future__ import annotations

import unicodedata

import pytest

from domain.errors import InvalidCommand
from domain.text import clean_text


@pytest.mark.parametrize(
    "text",
    ["👩🏽‍💻 at work", "❤️‍🔥", "سلام‌دنیا", "שלום\u200f!", "e\u0301cole", "<b>'; DROP TABLE users;--</b>"],
)
def test_emoji_sequences_scripts_and_markup_are_kept_as_typed(text: str) -> None:
    assert clean_text(text, field="caption", max_len=100) == unicodedata.normalize("NFC", text)


@pytest.mark.parametrize("text", ["a\x00b", "a\u202eb", "a\u2066b", "a\u200bb", "a\x7fb", "line\nbreak"])
def test_controls_zero_width_spaces_and_bidi_overrides_are_refused(text: str) -> None:
    with pytest.raises(InvalidCommand, match="control characters"):
        clean_text(text, field="caption", max_len=100)


def test_multiline_text_keeps_newlines_and_normalises_line_endings() -> None:
    assert clean_text(" one\r\ntwo\rthree ", field="bio", max_len=50, multiline=True) == "one\ntwo\nthree"


def test_length_is_checked_after_trimming() -> None:
    assert clean_text("  ab  ", field="x", max_len=2) == "ab"
    with pytest.raises(InvalidCommand, match="at least 1"):
        clean_text("   ", field="x", max_len=5, min_len=1)
