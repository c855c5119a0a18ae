"""Comments: one stream per comment (``comment-<id>``); the video's stream is only read.

Posting reads the video's access, the actor's and the owner's graphs and, for a reply, the comment
replied to. Deleting reads the video's access, for its owner's right to delete on their page.
"""

from __future__ import annotations

from commands import streams
from commands.aggregates import COMMENT
from commands.context import Outcome, Ports, Request
from commands.engagement import audience, video_access
from commands.handling import execute, load
from domain.access import VideoAccess
from domain.engagement import comments


def post_comment(cmd: comments.PostComment, *, ports: Ports, request: Request) -> Outcome:
    """Post a comment or a reply; ``cmd.comment_id`` comes from ``request.new_id("comment")``.

    A keyed request derives the comment id from its key, so a retry whose first attempt landed (but
    whose answer was lost) finds its own comment: that is answered as done, not as a duplicate.
    """

    def decide(state: comments.State) -> list[comments.Event]:
        if _posted_by_this_request(state, cmd, request):
            return []
        reply_to = None
        if cmd.reply_to_id is not None:
            reply_to = load(ports, streams.comment(cmd.reply_to_id), COMMENT).state
        seen = audience(ports, cmd.actor, cmd.video_id)
        return comments.decide_post_comment(
            state,
            cmd,
            video=seen.video,
            follows_owner=seen.follows_owner,
            blocked=seen.blocked,
            reply_to=reply_to,
        )

    return execute(ports, request, streams.comment(cmd.comment_id), COMMENT, decide)


def edit_comment(cmd: comments.EditComment, *, ports: Ports, request: Request) -> Outcome:
    """Only the author edits; the same text again records nothing."""
    return execute(
        ports,
        request,
        streams.comment(cmd.comment_id),
        COMMENT,
        lambda state: comments.decide_edit_comment(state, cmd),
    )


def delete_comment(cmd: comments.DeleteComment, *, ports: Ports, request: Request) -> Outcome:
    """The author, the video's owner or a moderator deletes a comment."""

    def decide(state: comments.State) -> list[comments.Event]:
        video = video_access(ports, state.video_id) if state.posted else _NOWHERE
        return comments.decide_delete_comment(state, cmd, video=video)

    return execute(ports, request, streams.comment(cmd.comment_id), COMMENT, decide)


#: Handed to the decider for a comment never posted, which it refuses before looking at the video.
_NOWHERE = VideoAccess(video_id="", owner_id="", exists=False)


def _posted_by_this_request(state: comments.State, cmd: comments.PostComment, request: Request) -> bool:
    return (
        request.idempotency_key is not None
        and state.posted
        and state.author_id == cmd.actor.user_id
        and state.video_id == cmd.video_id
    )
