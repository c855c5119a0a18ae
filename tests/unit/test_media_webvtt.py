"""Caption files are read by us, checked, and written out again plain: only text, italics and bold
reach a viewer, whatever the upload held."""

from __future__ import annotations

import pytest

from media.webvtt import LIMITS, Cue, InvalidCaptions, Limits, TooLarge, clean, parse, serialise

MINUTE = 60_000

GOOD = b"""WEBVTT - made by hand
Kind: captions

NOTE a note, dropped

STYLE
::cue { color: red }

intro
00:00.500 --> 00:02.000 align:start position:10%
Hello <i>there</i>

00:02.000 --> 00:04.250
<v Ann>Line one
<b.loud>line two</b>
"""


def test_a_good_file_is_written_back_plain_with_only_text_italics_and_bold() -> None:
    # Given a file with a header, a note, a style block, an identifier, settings and a voice tag
    # When it is cleaned
    data, count = clean(GOOD, duration_ms=MINUTE)
    # Then only the cues' times and text remain, in one plain form
    assert count == 2
    assert data == (
        b"WEBVTT\n\n"
        b"00:00:00.500 --> 00:00:02.000\nHello <i>there</i>\n\n"
        b"00:00:02.000 --> 00:00:04.250\nLine one\n<b>line two</b>\n"
    )


def test_what_is_written_reads_back_as_the_same_cues() -> None:
    cues = parse(GOOD, duration_ms=MINUTE)
    assert parse(serialise(cues), duration_ms=MINUTE) == cues


def test_crlf_line_ends_and_a_byte_order_mark_are_fine() -> None:
    data = "\ufeffWEBVTT\r\n\r\n00:01.000 --> 00:02.000\r\nhi\r\n".encode()
    assert parse(data, duration_ms=MINUTE) == [Cue(1000, 2000, "hi")]


def test_hours_are_optional_and_read_when_given() -> None:
    cues = parse(b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nhi\n", duration_ms=MINUTE)
    assert cues == [Cue(1000, 2000, "hi")]


@pytest.mark.parametrize(
    ("payload", "kept"),
    [
        ("<script>alert(1)</script>", "alert(1)"),
        ('<img src=x onerror="alert(1)">caught', "caught"),
        ("a &lt;script&gt; b &amp; c", "a &lt;script&gt; b &amp; c"),
        ("<i>open never closed", "<i>open never closed</i>"),
        ("</b>stray close", "stray close"),
        ("<i><b>nested</i> after", "<i><b>nested</b></i> after"),
        ("<u>under</u> <c.red>class</c> <ruby>r<rt>t</rt></ruby>", "under class rt"),
        ("<00:00:01.000>timed", "timed"),
        ("<I>upper is no tag</I>", "upper is no tag"),
        ("bidi \u202eevil\u202c and \x07bell", "bidi evil and bell"),
        ("&#0;nul &#x202e;override", "\ufffdnul override"),  # NUL reads as the replacement character
        ("quote &quot; and --&gt; arrow", 'quote " and --&gt; arrow'),
        ("unclosed <tag swallows the rest", "unclosed"),
    ],
)
def test_markup_is_taken_apart_and_text_escaped_again(payload: str, kept: str) -> None:
    data = f"WEBVTT\n\n00:01.000 --> 00:02.000\n{payload}\n".encode()
    (cue,) = parse(data, duration_ms=MINUTE)
    assert cue.text == kept
    assert b"-->" not in serialise([cue]).split(b"\n", 3)[3]


def test_cues_with_nothing_to_show_are_dropped() -> None:
    data = b"WEBVTT\n\n00:01.000 --> 00:02.000\n<c></c>\n\n00:03.000 --> 00:04.000\nshown\n"
    assert parse(data, duration_ms=MINUTE) == [Cue(3000, 4000, "shown")]


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"", "first line must be WEBVTT"),
        (b"1\n00:00:01,000 --> 00:00:02,000\nan srt file\n", "first line must be WEBVTT"),
        (b"WEBVTTX\n\n00:01.000 --> 00:02.000\nhi\n", "first line must be WEBVTT"),
        (b"<html><script>alert(1)</script></html>", "first line must be WEBVTT"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "UTF-8"),
        (b"WEBVTT\n\n00:01.000 --> 00:02.000\nnul \x00 byte\n", "NUL"),
        (b"WEBVTT\n00:01.000 --> 00:02.000\nhi\n", "blank line must end the header"),
        (b"WEBVTT\n\njust some words\n", "expected a cue timing"),
        (b"WEBVTT\n\n00:01.000 -> 00:02.000\nhi\n", "expected a cue timing"),
        (b"WEBVTT\n\n-00:01.000 --> 00:02.000\nhi\n", "not a timestamp"),
        (b"WEBVTT\n\n00:01,000 --> 00:02.000\nhi\n", "not a timestamp"),
        (b"WEBVTT\n\n00:61.000 --> 00:62.000\nhi\n", "not a timestamp"),
        (b"WEBVTT\n\n00:02.000 --> 00:01.000\nbackwards\n", "ends at or before its start"),
        (b"WEBVTT\n\n00:02.000 --> 00:02.000\nempty span\n", "ends at or before its start"),
        (
            b"WEBVTT\n\n00:01.000 --> 00:03.000\none\n\n00:02.000 --> 00:04.000\noverlaps\n",
            "before the one before it ends",
        ),
        (
            b"WEBVTT\n\n00:05.000 --> 00:06.000\nlater\n\n00:01.000 --> 00:02.000\nearlier\n",
            "before the one before it ends",
        ),
        (b"WEBVTT\n\n10:00:00.000 --> 10:00:01.000\nten hours in\n", "after the video"),
        (b"WEBVTT\n\n00:01.000 --> 00:02.000\none\n00:03.000 --> 00:04.000\nno gap\n", "cannot hold '-->'"),
        (b"WEBVTT\n\nNOTE only notes\n", "no cues"),
    ],
)
def test_what_is_not_well_formed_captions_for_this_video_is_refused_naming_why(
    data: bytes, said: str
) -> None:
    with pytest.raises(InvalidCaptions, match=said):
        parse(data, duration_ms=MINUTE)


def test_a_cue_may_end_a_little_after_the_video_but_not_more() -> None:
    ok = b"WEBVTT\n\n00:59.000 --> 01:01.000\nlast words\n"
    assert parse(ok, duration_ms=MINUTE)
    late = b"WEBVTT\n\n00:59.000 --> 01:01.001\nlast words\n"
    with pytest.raises(InvalidCaptions, match="after the video"):
        parse(late, duration_ms=MINUTE)


def test_size_cue_count_cue_length_and_lines_are_capped() -> None:
    limits = Limits(max_bytes=4096, max_cues=3, max_cue_chars=10, max_cue_lines=2)
    with pytest.raises(TooLarge):
        parse(b"WEBVTT\n\n" + b"x" * 4096, duration_ms=MINUTE, limits=limits)
    many = b"WEBVTT\n\n" + b"".join(f"00:0{i}.000 --> 00:0{i}.500\n{i}\n\n".encode() for i in range(4))
    with pytest.raises(InvalidCaptions, match="at most 3 cues"):
        parse(many, duration_ms=MINUTE, limits=limits)
    with pytest.raises(InvalidCaptions, match="at most 10 characters"):
        parse(b"WEBVTT\n\n00:01.000 --> 00:02.000\n<i>eleven char</i>\n", duration_ms=MINUTE, limits=limits)
    assert parse(b"WEBVTT\n\n00:01.000 --> 00:02.000\n<i>ten chars!</i>\n", duration_ms=MINUTE, limits=limits)
    with pytest.raises(InvalidCaptions, match="at most 2 lines"):
        parse(b"WEBVTT\n\n00:01.000 --> 00:02.000\na\nb\nc\n", duration_ms=MINUTE, limits=limits)


def test_the_default_size_cap_is_256_kb() -> None:
    assert LIMITS.max_bytes == 256 * 1024
    with pytest.raises(TooLarge):
        parse(b"WEBVTT\n\n" + b" " * LIMITS.max_bytes, duration_ms=MINUTE)
