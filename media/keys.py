"""Where a video's bytes, and a profile picture's, live in media storage. One place, so the upload
routes, the workers, the cleanup and the delivery routes agree, and a source (the owner's original
file) is never under a served prefix."""

from __future__ import annotations


def source(video_id: str, upload_id: str) -> str:
    """The uploaded file as it arrived; kept, so a better ladder can be made from it later."""
    return f"sources/{video_id}/{upload_id}"


def outputs(video_id: str, upload_id: str) -> str:
    """The prefix of everything made from one upload: renditions, playlists, poster, thumbnails.
    Each upload gets its own, so a new upload never mixes with an older one's segments."""
    return f"videos/{video_id}/{upload_id}"


def of_video(video_id: str) -> tuple[str, ...]:
    """Every prefix a video's bytes live under, each of its uploads included: what deleting the
    video removes."""
    return (f"sources/{video_id}", f"videos/{video_id}")


def avatar(user_id: str, avatar_id: str) -> str:
    """An uploaded profile picture's folder: one file per size (``320.webp``, ``96.webp``)."""
    return f"avatars/{user_id}/{avatar_id}"


def avatars_of(user_id: str) -> str:
    """Every picture a person uploaded: what erasing them removes."""
    return f"avatars/{user_id}"


def cover(video_id: str, upload_id: str, cover_id: str) -> str:
    """A poster frame the owner chose, beside the outputs it was made from: each choice has a key of
    its own, so a cached poster is never the wrong frame, and deleting the video removes them all."""
    return f"{covers(video_id, upload_id)}/{cover_id}.jpg"


def caption(video_id: str, lang: str, file_id: str) -> str:
    """A caption track's file, by its language and an id of its own: each upload gets a new key, so
    what is cached under a key never changes. Below ``videos/<id>``, so it is served with the
    video's other media and removed with them."""
    return f"videos/{video_id}/captions/{lang}-{file_id}.vtt"


def covers(video_id: str, upload_id: str) -> str:
    """The folder of every cover made from one upload."""
    return f"{outputs(video_id, upload_id)}/covers"
