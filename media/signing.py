"""Signed, expiring playback links for videos that are not public.

A token names the user the link was made for and when it stops working; its HMAC-SHA256 covers
the video too, so a token copied onto another video's path is refused. The token sits in the URL's
path (``/v1/media/s/<token>/videos/<video_id>/...``), where the relative references inside a
playlist inherit it, so every segment a player fetches carries it without the playlist being
rewritten. Anything holding the key (a CDN edge as well as the API) can check a link without a
database: the format is ``<user_id>.<expires_at>.<signature>``, all URL-safe.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from domain.errors import NotAllowed

#: Keeps tokens of this purpose (and of this format) from being mistaken for any other HMAC.
DOMAIN = b"strom-media-link-v1"
MIN_KEY_BYTES = 16
USER_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
EXPIRES_AT = re.compile(r"[0-9]{1,12}")


class BadLink(NotAllowed):
    """The token is malformed, altered, signed with another key, or made for another video."""

    def __init__(self) -> None:
        super().__init__("the link is not valid")


class LinkExpired(NotAllowed):
    """The signature holds but the link's time is up; the client asks for a fresh one."""

    def __init__(self) -> None:
        super().__init__("the link expired")


def sign(video_id: str, user_id: str, expires_at: int, key: bytes) -> str:
    """A token that lets ``user_id`` fetch ``video_id``'s media until ``expires_at`` (Unix seconds)."""
    _check_key(key)
    if not USER_ID.fullmatch(user_id):
        raise ValueError(f"a user id for a link is 1-64 URL-safe characters, not {user_id!r}")
    if not EXPIRES_AT.fullmatch(str(expires_at)):
        raise ValueError(f"a link's expiry is a non-negative Unix time, not {expires_at!r}")
    return f"{user_id}.{expires_at}.{_signature(video_id, user_id, str(expires_at), key)}"


def verify(token: str, video_id: str, key: bytes, now: float) -> str:
    """The user the link was made for; ``BadLink`` unless ``key`` signed it for ``video_id``,
    ``LinkExpired`` from ``expires_at`` on. The signature is checked first, so an altered expiry
    reads as a bad link."""
    _check_key(key)
    parts = token.split(".")
    if len(parts) != 3 or not USER_ID.fullmatch(parts[0]) or not EXPIRES_AT.fullmatch(parts[1]):
        raise BadLink()
    user_id, expires_at, signature = parts
    if not hmac.compare_digest(signature.encode(), _signature(video_id, user_id, expires_at, key).encode()):
        raise BadLink()
    if now >= int(expires_at):
        raise LinkExpired()
    return user_id


def _signature(video_id: str, user_id: str, expires_at: str, key: bytes) -> str:
    message = b"\x1f".join((DOMAIN, video_id.encode(), user_id.encode(), expires_at.encode()))
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _check_key(key: bytes) -> None:
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"a media signing key has at least {MIN_KEY_BYTES} bytes")
