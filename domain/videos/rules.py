"""What a valid upload, pipeline result, caption and hashtag list look like, and who the pipeline is."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from domain.actors import Actor, Role
from domain.errors import InvalidCommand
from domain.text import clean_text

#: The media pipeline's own identity. Processing results are accepted from it alone, not from any
#: admin: its id cannot be a user's (user ids are UUIDs) and no token is ever issued for it.
PIPELINE = Actor(user_id="system:media-pipeline", role=Role.ADMIN)
#: The publish schedule's process manager: it publishes what owners scheduled, when it is due, and
#: nothing else. Like the pipeline, no token is ever issued for it.
PUBLISH_SCHEDULER = Actor(user_id="system:publish-schedule")

# What a video may be, declared once: the upload check, the domain's ``CompleteUpload`` and the
# transcode worker all read these (the media code through ``media.probe``'s defaults), so a video
# the upload accepts is never one the worker refuses later.
MAX_SIZE_BYTES = 4 * 1024**3
MAX_DURATION_MS = 10 * 60 * 1000
#: Pixels on the longest side: 4K (DCI). The ladder tops out at 1080p, and decoding larger frames
#: costs the worker far more than it adds to what viewers see.
MAX_DIMENSION = 4096
#: Pixels on the shortest side: below this there is no picture to encode.
MIN_DIMENSION = 16
#: Frames a second: a phone's slow motion (240) passes; beyond it every rendition costs more to
#: encode for frames no player shows.
MAX_FRAME_RATE = 240
MAX_RENDITIONS = 16
MAX_PATH = 1024
MAX_REASON = 500
MAX_CAPTION = 2200
MAX_HASHTAGS = 30

#: How far ahead a publication may be scheduled, and how soon at the earliest: a time within the
#: next minute is "now", which publishing says better.
SCHEDULE_AT_MOST = timedelta(days=90)
SCHEDULE_AT_LEAST = timedelta(minutes=1)
#: Caption tracks a video may have, one per language.
MAX_CAPTION_TRACKS = 20
#: RFC 5646 recommends room for 35 characters; longer tags are private-use sprawl.
MAX_LANGUAGE_TAG = 35

# A well-formed BCP 47 language tag (RFC 5646 ``langtag``): language (with extended subtags), script,
# region, variants, extensions, private use. Grandfathered and private-use-only tags are refused.
_LANGUAGE_TAG = re.compile(
    r"(?P<language>[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4,8})"
    r"(?:-(?P<script>[a-z]{4}))?"
    r"(?:-(?P<region>[a-z]{2}|[0-9]{3}))?"
    r"(?P<variants>(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*)"
    r"(?P<extensions>(?:-[0-9a-wy-z](?:-[a-z0-9]{2,8})+)*)"
    r"(?:-x(?:-[a-z0-9]{1,8})+)?",
    re.ASCII,
)
_HASHTAG = re.compile(r"[a-z0-9_]{1,50}")
# A ``#tag`` in a caption: not inside a word or an ``&#39;`` entity, and only if it is a whole,
# well-formed tag (``#café`` or a 60-letter run is ordinary text, not a hashtag).
_CAPTION_TAG = re.compile(r"(?<![\w&#])#([A-Za-z0-9_]{1,50})(?![\w#])")
_RENDITION = re.compile(r"[a-z0-9_-]{1,32}")


def require_id(value: str, field: str) -> str:
    """Ids come from the caller; an empty one would name no stream."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidCommand(f"{field} is required")
    return value


def ensure_upload(size_bytes: int, duration_ms: int, width: int, height: int) -> None:
    _ensure_within(size_bytes, "size_bytes", MAX_SIZE_BYTES)
    _ensure_within(duration_ms, "duration_ms", MAX_DURATION_MS)
    _ensure_within(width, "width", MAX_DIMENSION)
    _ensure_within(height, "height", MAX_DIMENSION)


def _ensure_within(value: int, field: str, most: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= most:
        raise InvalidCommand(f"{field} must be a whole number from 1 to {most}")


def valid_percent(percent: int) -> int:
    if isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 100:
        raise InvalidCommand("percent must be a whole number from 0 to 100")
    return percent


def valid_renditions(renditions: list[str]) -> list[str]:
    if not renditions or len(renditions) > MAX_RENDITIONS:
        raise InvalidCommand(f"there must be 1 to {MAX_RENDITIONS} renditions")
    for name in renditions:
        if not isinstance(name, str) or not _RENDITION.fullmatch(name):
            raise InvalidCommand(f"rendition name {name!r} must be 1 to 32 of a-z, 0-9, '_' and '-'")
    if len(set(renditions)) != len(renditions):
        raise InvalidCommand("rendition names must be unique")
    return list(renditions)


def valid_path(path: str, field: str) -> str:
    """A relative path in media storage that cannot climb out of it."""
    text = clean_text(path, field=field, max_len=MAX_PATH, min_len=1)
    if text.startswith("/") or "\\" in text or ".." in text.split("/"):
        raise InvalidCommand(f"{field} must be a relative path inside media storage")
    return text


def valid_reason(reason: str) -> str:
    return clean_text(reason, field="reason", max_len=MAX_REASON, min_len=1)


def valid_caption(caption: str) -> str:
    return clean_text(caption, field="caption", max_len=MAX_CAPTION, multiline=True)


def valid_hashtags(given: list[str], caption: str) -> list[str]:
    """The given tags (a leading '#' is dropped) then the caption's, lower-cased, first seen first."""
    tags = [_valid_hashtag(tag) for tag in given]
    tags += [tag.lower() for tag in _CAPTION_TAG.findall(caption)]
    unique = list(dict.fromkeys(tags))
    if len(unique) > MAX_HASHTAGS:
        raise InvalidCommand(f"a video can have at most {MAX_HASHTAGS} hashtags")
    return unique


def _valid_hashtag(tag: str) -> str:
    text = clean_text(tag, field="hashtag", max_len=100).removeprefix("#").lower()
    if not _HASHTAG.fullmatch(text):
        raise InvalidCommand(f"hashtag {tag!r} must be 1 to 50 of a-z, 0-9 and '_'")
    return text


def valid_language_tag(tag: str) -> str:
    """A BCP 47 tag in its canonical case (``EN-us`` → ``en-US``, ``zh-hant`` → ``zh-Hant``): one
    track per language however the owner wrote it. Repeated variants or extension singletons make a
    tag invalid (RFC 5646 §2.2.5-6)."""
    if not isinstance(tag, str) or not 0 < len(tag) <= MAX_LANGUAGE_TAG:
        raise InvalidCommand(f"the language must be a BCP 47 tag of 1 to {MAX_LANGUAGE_TAG} characters")
    found = _LANGUAGE_TAG.fullmatch(tag.lower())
    if found is None:
        raise InvalidCommand(f"{tag!r} is not a BCP 47 language tag (e.g. en, pt-BR, zh-Hant)")
    variants = found["variants"].split("-")[1:]
    singletons = [part for part in found["extensions"].split("-") if len(part) == 1]
    if len(set(variants)) != len(variants) or len(set(singletons)) != len(singletons):
        raise InvalidCommand(f"{tag!r} repeats a variant or an extension")
    return _canonical_case(tag.lower().split("-"))


def _canonical_case(parts: list[str]) -> str:
    """RFC 5646 §2.1.1: scripts in title case, regions in upper case, the rest lower. Only subtags
    after the language and before the first singleton (an extension or private use) are scripts or
    regions."""
    cased, extended = [parts[0]], False
    for part in parts[1:]:
        extended = extended or len(part) == 1
        if not extended and len(part) == 4 and part.isalpha():
            part = part.title()
        elif not extended and len(part) == 2 and part.isalpha():
            part = part.upper()
        cased.append(part)
    return "-".join(cased)


def moment(at: datetime) -> str:
    """How the log writes a moment: UTC, to the second, ``Z``-suffixed, the year in four digits."""
    return at.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def valid_publish_at(at: datetime, now: datetime) -> datetime:
    """In UTC, to the second; at least ``SCHEDULE_AT_LEAST`` and at most ``SCHEDULE_AT_MOST`` ahead.
    The window is checked before the moment is moved to UTC: a year-1 moment has no UTC form."""
    if not isinstance(at, datetime) or at.tzinfo is None or at.utcoffset() is None:
        raise InvalidCommand("publish_at must name its time zone, e.g. 2030-01-31T18:00:00Z")
    if at < now + SCHEDULE_AT_LEAST:
        raise InvalidCommand("publish_at must be at least a minute from now; to publish now, leave it out")
    if at > now + SCHEDULE_AT_MOST:
        raise InvalidCommand(f"publish_at may be at most {SCHEDULE_AT_MOST.days} days from now")
    return at.astimezone(UTC).replace(microsecond=0)


def valid_caption_key(key: str, video_id: str) -> str:
    """A caption track's file lies below the video's own folder, where deleting the video reaches."""
    path = valid_path(key, "media_key")
    if not path.startswith(f"videos/{video_id}/captions/") or not path.endswith(".vtt"):
        raise InvalidCommand("media_key must name a .vtt file in the video's captions folder")
    return path
