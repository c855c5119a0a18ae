"""What a valid handle, email address and profile look like, and the keys of the claim streams.

A claim stream is named by a keyed digest of the value (``claim_key``): HMAC-SHA256 under a server
secret kept outside the log, so neither the stream name nor anything in it tells the value to
someone who holds the log but not the secret, and nobody can confirm that an address was ever
registered by hashing it. Logs written before held claims under *legacy* names: the lower-case
handle itself (``handle_key``) and an unkeyed SHA-256 of the address (``email_key``). Those names
are still read (so a value claimed then stays unique) but never used for a new claim.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

from domain.errors import InvalidCommand
from domain.text import clean_text

HANDLE_MIN, HANDLE_MAX = 3, 24
EMAIL_MAX = 254
DISPLAY_NAME_MAX = 50
BIO_MAX = 160
AVATAR_URL_MAX = 2048

_HANDLE = re.compile(r"[A-Za-z0-9_.]+")
# Plausible, not RFC 5322: one '@', a local part of unquoted characters, a dotted domain of
# letters, digits and hyphens (any script) and a top-level label of letters.
_EMAIL = re.compile(r"[^\s@\"(),:;<>\[\]\\]{1,64}@(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,63}")
_URL = re.compile(r"https?://[^\s/?#]+\S*")
#: How a profile names a picture its holder uploaded, in place of an address: ``avatar:<id>``.
OWN_AVATAR = "avatar:"
#: An uploaded picture's id: made fresh and at random for each upload, so unguessable, and safe as a
#: folder name in media storage.
_AVATAR_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{15,63}")


def handle_key(handle: str) -> str:
    """Handles are unique regardless of case: this is the value a handle claim is keyed on, and
    the legacy claim stream's name (``handle-<handle_key>``)."""
    return handle.strip().lower()


def normalise_email(email: str) -> str:
    return unicodedata.normalize("NFC", email.strip().lower())


def email_key(email: str) -> str:
    """The legacy claim stream's name (``email-<email_key>``): an unkeyed digest, which anyone can
    compute from a guessed address. Read for old claims only; new ones are keyed (``claim_key``)."""
    return hashlib.sha256(normalise_email(email).encode()).hexdigest()


def claim_key(secret: bytes, kind: str, value: str) -> str:
    """The keyed digest naming the claim stream of ``value`` (already canonical: ``handle_key`` or
    ``normalise_email``). ``kind`` is bound in, so a handle and an address never share a name."""
    if len(secret) < 16:
        raise ValueError("a claim key needs a secret of at least 16 bytes")
    return hmac.new(secret, f"{kind}\x1f{value}".encode(), hashlib.sha256).hexdigest()


def valid_handle(handle: str) -> str:
    text = clean_text(handle, field="handle", max_len=HANDLE_MAX, min_len=HANDLE_MIN)
    if text.startswith("."):
        raise InvalidCommand("handle must not start with '.'")
    if not _HANDLE.fullmatch(text):
        raise InvalidCommand("handle may hold only letters A-Z, digits, '_' and '.'")
    return text


def valid_email(email: str) -> str:
    text = normalise_email(clean_text(email, field="email", max_len=EMAIL_MAX, min_len=3))
    if len(text) > EMAIL_MAX or not _EMAIL.fullmatch(text):
        raise InvalidCommand("email does not look like an email address")
    return text


def valid_display_name(name: str) -> str:
    return clean_text(name, field="display name", max_len=DISPLAY_NAME_MAX, min_len=1)


def valid_bio(bio: str) -> str:
    return clean_text(bio, field="bio", max_len=BIO_MAX, multiline=True)


def valid_avatar_url(url: str | None) -> str | None:
    """An http(s) address, or None (or blank) for no avatar."""
    if url is None or not url.strip():
        return None
    text = clean_text(url, field="avatar URL", max_len=AVATAR_URL_MAX)
    if not _URL.fullmatch(text):
        raise InvalidCommand("avatar URL must be an http or https address")
    return text


def valid_avatar_id(avatar_id: str) -> str:
    if not isinstance(avatar_id, str) or not _AVATAR_ID.fullmatch(avatar_id):
        raise InvalidCommand("an uploaded picture's id is 16 to 64 letters, digits, '_' and '-'")
    return avatar_id


def own_avatar(avatar_id: str) -> str:
    """What the profile's ``avatar_url`` holds for a picture uploaded to Strom."""
    return OWN_AVATAR + valid_avatar_id(avatar_id)


def own_avatar_id(avatar_url: str | None) -> str | None:
    """The id of the uploaded picture ``avatar_url`` names; ``None`` for an address, or no avatar."""
    if avatar_url is None or not avatar_url.startswith(OWN_AVATAR):
        return None
    return avatar_url.removeprefix(OWN_AVATAR)


def valid_password_hash(password_hash: str) -> str:
    """The hash is computed by the caller; an empty one would let anyone in."""
    if not isinstance(password_hash, str) or not password_hash.strip():
        raise InvalidCommand("a password hash is required")
    return password_hash


def require_id(value: str, field: str) -> str:
    """Ids come from the caller; an empty one would name no stream."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidCommand(f"{field} is required")
    return value
