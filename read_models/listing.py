"""What the read models of listed videos share: the listing state a projector folds per video, and
the cursor of a list kept newest first in time buckets, ``(bucket, published_at, video_id)``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from read_models.cursors import CursorSeal
from read_models.errors import InvalidQuery
from read_models.tables import BOOL, TEXT, TEXT_LIST, TIMESTAMP, Row, columns_of

#: A video as the listing events leave it (``projections.listing.evolved`` folds them).
LISTING_STATE = columns_of(
    video_id=TEXT,
    owner_id=TEXT,
    published=BOOL,
    published_at=TIMESTAMP,
    visibility=TEXT,
    hashtags=TEXT_LIST,
    hidden=BOOL,
    deleted=BOOL,
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
PUBLIC = "public"


def is_listed(state: Mapping[str, Any]) -> bool:
    """Published and neither hidden nor deleted: someone may be shown it."""
    return bool(state.get("published")) and not state.get("hidden") and not state.get("deleted")


def is_public(state: Mapping[str, Any]) -> bool:
    """Listed and public: what anyone, signed in or not, may be shown (lists for everyone hold only
    these). The per-viewer rule is the access policy's; this is its row-level form for projectors."""
    return is_listed(state) and (state.get("visibility") or PUBLIC) == PUBLIC


def bucket_cursor(cursors: CursorSeal, what: str, bucket: int, last: Row) -> str:
    """Names the bucket and the last row's clustering key (``published_at``, ``video_id``), sealed
    as a cursor of ``what`` list."""
    millis = round(last["published_at"].timestamp() * 1000)
    return cursors.seal(what, json.dumps([bucket, millis, last["video_id"]]).encode())


def parse_bucket_cursor(cursors: CursorSeal, what: str, cursor: str) -> tuple[int, tuple[datetime, str]]:
    raw = cursors.open(what, cursor)
    try:
        bucket, millis, video_id = json.loads(raw)
        if not (type(bucket) is int and type(millis) is int and isinstance(video_id, str)):
            raise ValueError("wrong shape")
        return bucket, (_EPOCH + timedelta(milliseconds=millis), video_id)
    except (ValueError, TypeError, OverflowError, OSError) as exc:
        raise InvalidQuery(f"not a {what} cursor: {exc}") from None
