"""Watched words are found however they are disguised, and innocent words are left alone."""

from __future__ import annotations

import pytest

from domain.errors import InvalidCommand
from domain.screening import WatchedWords, ensure_free_of_watched_words, fold, parse_words

WORDS = parse_words(["# the operator's list", "", "badword", "~spam", "hello", "ass", "kill you", "420"])


@pytest.mark.parametrize(
    "text",
    [
        "badword",
        "BADWORD!",
        "b4dw0rd",
        "8@dw0rd",
        "bаdwоrd",  # Cyrillic а and о
        "ｂａｄｗｏｒｄ",  # full-width
        "𝐛𝐚𝐝𝐰𝐨𝐫𝐝",  # mathematical bold
        "bádwörd",  # accents
        "bad\u200bword",  # zero-width space
        "bad\u00adword",  # soft hyphen
        "b\u200da\u2060dword",  # joiners
        "baaaadwooord",  # repeated letters
        "b a d w o r d",  # spelled apart
        "b.a.d.w.o.r.d",
        "b-a-d-w-o-r-d",
        "you are a badword.",
        "he11o",  # 1 for l
        "he|lo",
        "HELLO there",
        "@ss",
        "a$$",
        "kill you",
        "kill   you",
        "killyou",
        "420",
        "xxspamxx",  # substring mode: inside other words
        "s.p.a.m",
        "sp4m",
    ],
)
def test_a_disguised_watched_word_is_found(text: str) -> None:
    assert WORDS.found_in(text), text


@pytest.mark.parametrize(
    "text",
    [
        "a good word",
        "badge",  # a word that starts like one
        "as",  # a doubled letter must stay doubled
        "class",  # whole words are not found inside others
        "passage",
        "skill you",
        "room 101",
        "shell0",
        "b add word",
        "",
    ],
)
def test_innocent_text_is_left_alone(text: str) -> None:
    assert not WORDS.found_in(text), text


def test_a_symbol_is_read_both_as_a_letter_and_as_punctuation() -> None:
    # Then: "!" read only as a letter would hide the first; only as punctuation, the second
    assert WORDS.found_in("what a badword!")
    assert WORDS.found_in("what a b!g b4dw0rd!")


def test_folding_drops_what_a_reader_does_not_see_and_merges_what_looks_alike() -> None:
    assert fold("Ｆｕｌｌ\u200b wídth", leet=False) == "fuii width"
    assert fold("h3ll0 w0rld", leet=True) == "heiio worid"
    assert fold("h3ll0 w0rld!", leet=False) == "h ii w rid"


def test_an_empty_list_watches_nothing() -> None:
    assert not WatchedWords().found_in("anything at all")


def test_a_refusal_says_a_word_was_watched_without_naming_it() -> None:
    # When
    with pytest.raises(InvalidCommand) as refused:
        ensure_free_of_watched_words("well, b4dw0rd", WORDS, field="the caption")
    # Then
    assert str(refused.value) == "the caption contains a watched word"
    assert "bad" not in str(refused.value)


def test_the_list_refuses_an_overlong_word() -> None:
    with pytest.raises(InvalidCommand, match="at most 100"):
        parse_words(["x" * 101])
