"""Stream names, in one place: the category is the part before the first dash.

Engagement lives on the actor's side (DESIGN.md §3, no hot streams): a like is in the
liker's stream for that video, never in the video's own stream.
"""

from __future__ import annotations


def user(user_id: str) -> str:
    return f"user-{user_id}"


def handle_claim(handle_key: str) -> str:
    return f"handle-{handle_key}"


def email_claim(email_key: str) -> str:
    return f"email-{email_key}"


def video(video_id: str) -> str:
    return f"video-{video_id}"


def follows(user_id: str) -> str:
    return f"follows-{user_id}"


def video_like(user_id: str, video_id: str) -> str:
    return f"likes-{user_id}-{video_id}"


def shares(user_id: str) -> str:
    return f"shares-{user_id}"


def comment(comment_id: str) -> str:
    return f"comment-{comment_id}"


def comment_like(user_id: str, comment_id: str) -> str:
    return f"commentlikes-{user_id}-{comment_id}"


def activity(user_id: str, day: str) -> str:
    """``day`` is ``yyyymmdd`` (UTC): watch signals are batched per viewer and day."""
    return f"activity-{user_id}-{day}"


def feeds(user_id: str, day: str) -> str:
    """``day`` is ``yyyymmdd`` (UTC): the For You pages a viewer was served that day."""
    return f"feeds-{user_id}-{day}"


def reports(reporter_id: str) -> str:
    """Reports live with the reporter, so a much-reported video never gets a hot stream."""
    return f"reports-{reporter_id}"
