"""What a valid upload, pipeline result, caption and hashtag list look like, and who the pipeline is."""

from __future__ import annotations

import re

from domain.actors import Actor, Role
from domain.errors import InvalidCommand
from domain.text import clean_text

#: The media pipeline's own identity. Processing results are accepted from it alone, not from any
#: admin: its id cannot be a user's (user ids are UUIDs) and no token is ever issued for it.
PIPELINE = Actor(user_id="system:media-pipeline", role=Role.ADMIN)

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
