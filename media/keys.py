"""Where a video's bytes live in media storage. One place, so the upload route, the workers and the
delivery routes agree, and a source (the owner's original file) is never under a served prefix."""

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
