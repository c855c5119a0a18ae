"""Whether bytes stored for a video may stay: not once the video is deleted or its owner erased.

The media cleanup (``projections/media_cleanup.py``) removes a video's media when the log records
its deletion or its owner's erasure. Bytes stored after it has acted would stay for good, so whatever
stores media (the upload service, the transcode job) asks here *after* storing, and removes what it
stored on "no". Either it sees the deletion or erasure, or that was recorded after the bytes were
stored, and the cleanup, which acts only once it is recorded, finds them.
"""

from __future__ import annotations

from commands import streams
from commands.aggregates import ACCOUNT, VIDEO
from commands.context import Ports
from commands.handling import load
from domain import videos


def may_keep_media(ports: Ports, video: videos.State) -> bool:
    """``video`` as its stream says now: it exists, is not deleted, and its owner is not erased."""
    return video.exists and not video.deleted and not owner_erased(ports, video.owner_id)


def may_keep_media_of(ports: Ports, video_id: str) -> bool:
    return may_keep_media(ports, load(ports, streams.video(video_id), VIDEO).state)


def owner_erased(ports: Ports, user_id: str) -> bool:
    """Read from the account's stream, the write side's word: a read model may lag behind it."""
    return load(ports, streams.user(user_id), ACCOUNT).state.erased
