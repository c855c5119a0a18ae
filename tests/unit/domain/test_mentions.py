"""Which handles a text names: "@handle" as a handle is spelled, not inside an address, each once,
in the case-free form claims compare, and at most ten."""

from __future__ import annotations

import pytest

from domain.mentions import MAX_MENTIONS, mentioned_handles


@pytest.mark.parametrize(
    ("text", "handles"),
    [
        ("hi @mira", ["mira"]),
        ("@Mira and @MIRA, @ben.", ["mira", "ben"]),  # once each, lower case; the full stop is the sentence's
        ("(@ana_b)! @j.doe: @x2y", ["ana_b", "j.doe", "x2y"]),
        ("write to ann@example.com or @@mira", []),  # an address names nobody, nor a doubled @
        ("@ab @" + "a" * 25 + " @.dot", []),  # too short, too long, and a leading dot are no handles
        ("@" + "a" * 24, ["a" * 24]),
        ("", []),
        (None, []),  # an erased text
    ],
)
def test_the_handles_a_text_names(text: str | None, handles: list[str]) -> None:
    assert mentioned_handles(text) == handles


def test_no_more_than_ten_people_are_named_by_one_text() -> None:
    # Given a text naming twelve people, one of them twice
    names = [f"p{i:02d}" for i in range(12)]
    text = " ".join(f"@{n}" for n in [names[0], *names])
    # Then the first ten are named, in order
    assert mentioned_handles(text) == names[:MAX_MENTIONS]
