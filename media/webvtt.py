"""Caption files (WebVTT): read and checked here, then written out again in a small, plain form.

An owner's upload is hostile until shown otherwise, and what it declares (a name, a media type)
proves nothing, so its content is read, by this module and no other program: UTF-8 text with the
``WEBVTT`` signature, cues with well-formed timings, in order, none overlapping the one before, none
ending past the video (give or take ``slack_ms``), within caps on size, cue count and text length.
What a player would treat as markup is taken apart: cue settings, identifiers, notes, style and
region blocks are dropped; of the cue tags only ``<i>`` and ``<b>`` stay, balanced; entities are
decoded and the text escaped again; control and direction-override characters go. The stored file
is what ``serialise`` writes from the cues, never the bytes as they came, so nothing the owner
wrote reaches a viewer except text, italics and bold.

A violation raises ``InvalidCaptions`` with a message safe to show the owner, naming the line.
Pure: no I/O, nothing of ours imported.
"""

from __future__ import annotations

import dataclasses
import html
import re
import unicodedata

BOM = "\ufeff"
SIGNATURE = re.compile(r"WEBVTT(?:[ \t].*)?")
TIMING = re.compile(r"(\S+)[ \t]+-->[ \t]+(\S+)(?:[ \t].*)?")
TIMESTAMP = re.compile(r"(?:([0-9]{2,9}):)?([0-5][0-9]):([0-5][0-9])\.([0-9]{3})")
ARROW = "-->"
KEPT_TAGS = frozenset({"i", "b"})
# C0 and C1 controls but the line feed, the zero-width space, and bidi overrides and isolates.
UNWANTED = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b\u202a-\u202e\u2066-\u2069]")
TAG_OR_TEXT = re.compile(r"<([^>]*)(?:>|\Z)|[^<]+")


class InvalidCaptions(ValueError):
    """The file is not captions this module accepts; the message says why, for its owner."""


class TooLarge(InvalidCaptions):
    """Over a size or count limit: answered 413 rather than 422."""


@dataclasses.dataclass(frozen=True, slots=True)
class Limits:
    max_bytes: int = 256 * 1024
    max_cues: int = 2000
    #: Characters a cue shows (markup aside), and lines: a cue is read in a glance, not a page.
    max_cue_chars: int = 500
    max_cue_lines: int = 4
    #: How far past the video's end a cue may end: encoders round a clip's length either way.
    slack_ms: int = 1000


LIMITS = Limits()


@dataclasses.dataclass(frozen=True, slots=True)
class Cue:
    start_ms: int
    end_ms: int
    text: str  # escaped cue text with no markup but balanced <i> and <b>; lines joined by "\n"


def clean(data: bytes, *, duration_ms: int, limits: Limits = LIMITS) -> tuple[bytes, int]:
    """The file as Strom stores and serves it, and how many cues it holds."""
    cues = parse(data, duration_ms=duration_ms, limits=limits)
    return serialise(cues), len(cues)


def parse(data: bytes, *, duration_ms: int, limits: Limits = LIMITS) -> list[Cue]:
    if len(data) > limits.max_bytes:
        raise TooLarge(f"a caption file is at most {limits.max_bytes // 1024} KB")
    lines = _lines(data)
    if not lines or not SIGNATURE.fullmatch(lines[0]):
        raise InvalidCaptions("not a WebVTT file: the first line must be WEBVTT")
    cues: list[Cue] = []
    for number, block in _blocks(lines):
        cue = _cue(number, block, limits)
        if cue is None:
            continue
        _check_times(number, cue, cues[-1] if cues else None, duration_ms + limits.slack_ms)
        cues.append(cue)
        if len(cues) > limits.max_cues:
            raise InvalidCaptions(f"line {number}: a caption file has at most {limits.max_cues} cues")
    if not cues:
        raise InvalidCaptions("the file has no cues with text")
    return cues


def serialise(cues: list[Cue]) -> bytes:
    body = "\n\n".join(f"{timestamp(c.start_ms)} --> {timestamp(c.end_ms)}\n{c.text}" for c in cues)
    return f"WEBVTT\n\n{body}\n".encode()


def plain(cue: Cue) -> str:
    """What the cue shows, as text: no tags, no entities."""
    return html.unescape(re.sub(r"</?[ib]>", "", cue.text))


def timestamp(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


# -- reading ---------------------------------------------------------------------------------------


def _lines(data: bytes) -> list[str]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidCaptions("not a WebVTT file: it is not UTF-8 text") from None
    if "\x00" in text:
        raise InvalidCaptions("not a WebVTT file: it holds NUL bytes")
    return text.removeprefix(BOM).replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _blocks(lines: list[str]) -> list[tuple[int, list[str]]]:
    """The blocks after the header, each with the number of its first line (from 1). The header
    runs from the signature to the first blank line; a timing in it means the blank line is missing."""
    blocks: list[tuple[int, list[str]]] = []
    index = 1
    while index < len(lines) and lines[index].strip():
        if ARROW in lines[index]:
            raise InvalidCaptions(f"line {index + 1}: a blank line must end the header before the first cue")
        index += 1
    current: list[str] = []
    for number, line in enumerate(lines[index:], start=index + 1):
        if line.strip():
            if not current:
                blocks.append((number, current))
            current.append(line)
        else:
            current = []
    return blocks


def _cue(number: int, block: list[str], limits: Limits) -> Cue | None:
    """A cue, or ``None`` for a note, style or region block, or a cue with nothing to show."""
    first = block[0]
    if re.match(r"(NOTE|STYLE|REGION)(?:[ \t]|$)", first):
        return None
    timing_at = 0 if ARROW in first else 1
    if timing_at >= len(block) or ARROW not in block[timing_at]:
        raise InvalidCaptions(f"line {number}: expected a cue timing such as 00:01.000 --> 00:04.000")
    timing = TIMING.fullmatch(block[timing_at].strip())
    if timing is None:
        raise InvalidCaptions(f"line {number + timing_at}: a cue timing is 'start --> end'")
    start, end = (_ms(number + timing_at, part) for part in timing.groups())
    payload = block[timing_at + 1 :]
    for offset, line in enumerate(payload, start=number + timing_at + 1):
        if ARROW in line:
            raise InvalidCaptions(f"line {offset}: cue text cannot hold '-->'; separate cues by a blank line")
    text = _text("\n".join(payload))
    return _bounded(number, Cue(start, end, text), limits) if text else None


def _ms(number: int, text: str) -> int:
    found = TIMESTAMP.fullmatch(text)
    if found is None:
        raise InvalidCaptions(f"line {number}: {text[:40]!r} is not a timestamp such as 00:01.500")
    hours, minutes, seconds, millis = (int(part or 0) for part in found.groups())
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis


def _check_times(number: int, cue: Cue, previous: Cue | None, last_ms: int) -> None:
    if cue.end_ms <= cue.start_ms:
        raise InvalidCaptions(f"line {number}: the cue ends at or before its start")
    if cue.end_ms > last_ms:
        raise InvalidCaptions(
            f"line {number}: the cue ends at {timestamp(cue.end_ms)}, after the video ({timestamp(last_ms)})"
        )
    if previous is not None and cue.start_ms < previous.end_ms:
        raise InvalidCaptions(
            f"line {number}: the cue starts at {timestamp(cue.start_ms)}, before the one before it "
            f"ends ({timestamp(previous.end_ms)}); cues must be in order and not overlap"
        )


def _bounded(number: int, cue: Cue, limits: Limits) -> Cue:
    if len(plain(cue)) > limits.max_cue_chars:
        raise InvalidCaptions(f"line {number}: a cue shows at most {limits.max_cue_chars} characters")
    if cue.text.count("\n") >= limits.max_cue_lines:
        raise InvalidCaptions(f"line {number}: a cue has at most {limits.max_cue_lines} lines")
    return cue


# -- the text of a cue -----------------------------------------------------------------------------


def _text(payload: str) -> str:
    """Escaped text with balanced <i> and <b>, blank lines dropped; "" when nothing is left to show.
    Tags are read as WebVTT players read them: from '<' to the next '>' (or the end)."""
    out: list[str] = []
    open_tags: list[str] = []
    for token in TAG_OR_TEXT.finditer(payload):
        tag = token.group(1)
        if tag is None:
            out.append(_escaped(token.group(0)))
        elif tag.startswith("/") and tag[1:] in open_tags:
            while open_tags:
                name = open_tags.pop()
                out.append(f"</{name}>")
                if name == tag[1:]:
                    break
        elif _name(tag) in KEPT_TAGS:
            open_tags.append(_name(tag))
            out.append(f"<{_name(tag)}>")
    out.extend(f"</{name}>" for name in reversed(open_tags))
    lines = [line.strip() for line in "".join(out).split("\n")]
    kept = "\n".join(line for line in lines if line)
    return kept if re.sub(r"</?[ib]>", "", kept).strip() else ""


def _name(tag: str) -> str:
    """``i.loud`` and ``i lang`` are an ``i``; a closing tag has no name here."""
    return "" if tag.startswith("/") else re.split(r"[.\s]", tag, maxsplit=1)[0]


def _escaped(text: str) -> str:
    plain = unicodedata.normalize("NFC", html.unescape(text)).replace("\t", " ")
    plain = UNWANTED.sub("", plain)
    return plain.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
