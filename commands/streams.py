"""Stream names, in one place: the category is the part before the first dash.

Engagement lives on the actor's side (DESIGN.md §3, no hot streams): a like is in the
liker's stream for that video, never in the video's own stream.
"""

from __future__ import annotations


def user(user_id: str) -> str:
    return f"user-{user_id}"


def handle_claim(key: str) -> str:
    """``key`` is a keyed digest (``commands.claim_streams``), or the legacy lower-case handle."""
    return f"handle-{key}"


def email_claim(key: str) -> str:
    """``key`` is a keyed digest (``commands.claim_streams``), or the legacy unkeyed digest."""
    return f"email-{key}"


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


def erasure(erasure_id: str) -> str:
    """What the erasure cascade has done (the request is on the account's stream); named by the
    erasure's unguessable id, never by whose it is."""
    return f"erasure-{erasure_id}"


def reports(reporter_id: str) -> str:
    """Reports live with the reporter, so a much-reported video never gets a hot stream."""
    return f"reports-{reporter_id}"


def export(export_id: str) -> str:
    """What happens to a data export once asked for (the asking is on the account's stream)."""
    return f"export-{export_id}"


def case(case_id: str) -> str:
    """A moderation case, named by its target (``video-<id>``): ``case-video-<id>``."""
    return f"case-{case_id}"


def daily_counts(user_id: str, day: str) -> str:
    """``day`` is ``yyyymmdd`` (UTC): what a person did that day that friction limits (uploads,
    comments, follows, reports), so checking a limit reads one short stream."""
    return f"counts-{user_id}-{day}"


def standing(user_id: str) -> str:
    """A person's moderation standing: restrictions, strikes, suspensions, notices, appeals."""
    return f"standing-{user_id}"


def inbox(user_id: str) -> str:
    """A person's notifications read marks and settings."""
    return f"inbox-{user_id}"
