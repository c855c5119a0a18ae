"""The one fold of a video's listing events, for every projector that lists videos: whether it is
published (and since when), its visibility and hashtags, whether hidden or deleted.

A deleted video's state stays, so that no late or replayed event lists it again, but without its
hashtags: they are words its owner wrote, nothing reads them any more, and an erasure deletes every
video of the person erased, so no row keeps them after it."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.videos.events import (
    VideoDeleted,
    VideoEdited,
    VideoHidden,
    VideoPublished,
    VideoRestored,
    VideoUnpublished,
)
from eventstore.codec import Decoded
from read_models.tables import Row

LISTING_EVENTS = (VideoPublished, VideoEdited, VideoUnpublished, VideoDeleted, VideoHidden, VideoRestored)


def evolved(decoded: Decoded, state: Row) -> Row:
    """The state after the event (``read_models.listing.LISTING_STATE``); other events leave it as it was."""
    match decoded.event:
        case VideoPublished(visibility=visibility, hashtags=tags):
            at = _millis(decoded.occurred_at)
            return {
                **state,
                "published": True,
                "published_at": at,
                "visibility": visibility,
                "hashtags": tags,
            }
        case VideoEdited(visibility=visibility, hashtags=tags):
            return {**state, "visibility": visibility, "hashtags": tags}
        case VideoUnpublished():
            return {**state, "published": False}
        case VideoDeleted():
            return {**state, "deleted": True, "hashtags": []}  # kept as a marker, without its words
        case VideoHidden():
            return {**state, "hidden": True}
        case VideoRestored():
            return {**state, "hidden": False}
    return state


def _millis(moment: datetime) -> datetime:
    """As the stores keep it, so a key computed from it now matches the stored row's."""
    return moment.astimezone(UTC).replace(microsecond=moment.microsecond // 1000 * 1000)
