"""Likes of videos (``likes-<user>-<video>``) and of comments (``commentlikes-<user>-<comment>``).

A like is decided against the video's access as it is now, read on every attempt; an unlike reads
nothing but the like itself, so a like can always be taken back.
"""

from __future__ import annotations

from collections.abc import Callable

from commands import streams
from commands.aggregates import COMMENT, COMMENT_LIKE, VIDEO_LIKE
from commands.context import Outcome, Ports, Request
from commands.engagement import audience
from commands.handling import execute, execute_async, load
from commands.standing import ensure_allowed
from domain.engagement import comment_likes, likes
from domain.moderation.rules import Capability


def like_video(cmd: likes.LikeVideo, *, ports: Ports, request: Request) -> Outcome:
    """Like a video the actor may engage with; liking it again records nothing."""
    ensure_allowed(ports, cmd.actor, Capability.LIKE)
    stream = streams.video_like(cmd.actor.user_id, cmd.video_id)
    return execute(ports, request, stream, VIDEO_LIKE, _deciding_like(cmd, ports))


async def like_video_async(cmd: likes.LikeVideo, *, ports: Ports, request: Request) -> Outcome:
    """``like_video`` on an event loop (``execute_async``): the same checks, read as fresh."""
    ensure_allowed(ports, cmd.actor, Capability.LIKE)
    stream = streams.video_like(cmd.actor.user_id, cmd.video_id)
    return await execute_async(ports, request, stream, VIDEO_LIKE, _deciding_like(cmd, ports))


def _deciding_like(cmd: likes.LikeVideo, ports: Ports) -> Callable[[likes.State], list[likes.Event]]:
    def decide(state: likes.State) -> list[likes.Event]:
        seen = audience(ports, cmd.actor, cmd.video_id)
        return likes.decide_like_video(
            state, cmd, video=seen.video, follows_owner=seen.follows_owner, blocked=seen.blocked
        )

    return decide


def unlike_video(cmd: likes.UnlikeVideo, *, ports: Ports, request: Request) -> Outcome:
    stream = streams.video_like(cmd.actor.user_id, cmd.video_id)
    return execute(ports, request, stream, VIDEO_LIKE, lambda state: likes.decide_unlike_video(state, cmd))


async def unlike_video_async(cmd: likes.UnlikeVideo, *, ports: Ports, request: Request) -> Outcome:
    stream = streams.video_like(cmd.actor.user_id, cmd.video_id)
    decide = lambda state: likes.decide_unlike_video(state, cmd)  # noqa: E731
    return await execute_async(ports, request, stream, VIDEO_LIKE, decide)


def like_comment(cmd: comment_likes.LikeComment, *, ports: Ports, request: Request) -> Outcome:
    """Like a live comment on a video the actor may engage with; liking it again records nothing."""
    ensure_allowed(ports, cmd.actor, Capability.LIKE)

    def decide(state: comment_likes.State) -> list[comment_likes.Event]:
        comment = load(ports, streams.comment(cmd.comment_id), COMMENT).state
        seen = audience(ports, cmd.actor, comment.video_id)
        return comment_likes.decide_like_comment(
            state,
            cmd,
            comment=comment,
            video=seen.video,
            follows_owner=seen.follows_owner,
            blocked=seen.blocked,
        )

    stream = streams.comment_like(cmd.actor.user_id, cmd.comment_id)
    return execute(ports, request, stream, COMMENT_LIKE, decide)


def unlike_comment(cmd: comment_likes.UnlikeComment, *, ports: Ports, request: Request) -> Outcome:
    stream = streams.comment_like(cmd.actor.user_id, cmd.comment_id)
    return execute(
        ports, request, stream, COMMENT_LIKE, lambda state: comment_likes.decide_unlike_comment(state, cmd)
    )
