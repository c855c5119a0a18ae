"""Comments: one stream per comment (``comment-<id>``); the video's stream is only read.

Posting reads the video's access, the actor's and the owner's graphs and, for a reply, the comment
replied to. Deleting reads the video's access, for its owner's right to delete on their page.
"""

from __future__ import annotations

from commands import friction, streams
from commands.aggregates import COMMENT
from commands.context import Outcome, Ports, Request
from commands.engagement import audience, video_access
from commands.handling import execute, load
from commands.screening import report_held_comment
from commands.standing import ensure_allowed, notice_content_action
from domain.access import VideoAccess
from domain.engagement import comments
from domain.moderation.rules import ActionKind, Capability
from domain.moderation.sanctions import NoticeContentAction


def post_comment(
    cmd: comments.PostComment, *, ports: Ports, request: Request, clock: friction.Clock = friction.now
) -> Outcome:
    """Post a comment or a reply; ``cmd.comment_id`` comes from ``request.new_id("comment")``.

    A keyed request derives the comment id from its key, so a retry whose first attempt landed (but
    whose answer was lost) finds its own comment: that is answered as done, not as a duplicate. A
    comment holding a watched word is held for a moderator or refused, as the policy says. Refused
    while the author may not comment (a restriction or suspension) or is over the day's limit.
    """
    return friction.limited(
        ports, request, cmd.actor, Capability.COMMENT, lambda: _post(cmd, ports, request), clock=clock
    )


def _post(cmd: comments.PostComment, ports: Ports, request: Request) -> Outcome:
    rules = ports.screening.current()
    held: list[comments.State] = []  # the comment as held, when it is

    def decide(state: comments.State) -> list[comments.Event]:
        held.clear()
        if _posted_by_this_request(state, cmd, request):
            held.extend([state] if state.held and not state.posted else [])
            return []
        reply_to = None
        if cmd.reply_to_id is not None:
            reply_to = load(ports, streams.comment(cmd.reply_to_id), COMMENT).state
        seen = audience(ports, cmd.actor, cmd.video_id)
        events = comments.decide_post_comment(
            state,
            cmd,
            video=seen.video,
            follows_owner=seen.follows_owner,
            blocked=seen.blocked,
            reply_to=reply_to,
            words=rules.words,
            on_watched_word=rules.policy.comment_action,
        )
        held.extend(comments.evolve(state, e) for e in events if isinstance(e, comments.CommentHeld))
        return events

    outcome = execute(ports, request, streams.comment(cmd.comment_id), COMMENT, decide)
    if not held:
        return outcome
    filed = report_held_comment(ports, request, held[0])
    return Outcome(position=max(outcome.position, filed.position), appended=outcome.appended + filed.appended)


#: What the author of a held comment is told.
HELD_NOTE = "held for review: a moderator will read it before anyone else can"


def is_held(ports: Ports, comment_id: str) -> bool:
    """Whether screening holds the comment back, awaiting a moderator (what its author is told)."""
    state = load(ports, streams.comment(comment_id), COMMENT).state
    return state.held and not state.posted


def edit_comment(cmd: comments.EditComment, *, ports: Ports, request: Request) -> Outcome:
    """Only the author edits; the same text again records nothing; a watched word is refused."""
    ensure_allowed(ports, cmd.actor, Capability.COMMENT)
    words = ports.screening.current().words
    return execute(
        ports,
        request,
        streams.comment(cmd.comment_id),
        COMMENT,
        lambda state: comments.decide_edit_comment(state, cmd, words=words),
    )


def release_comment(cmd: comments.ReleaseComment, *, ports: Ports, request: Request) -> Outcome:
    """A moderator posts a comment screening held."""
    return execute(
        ports,
        request,
        streams.comment(cmd.comment_id),
        COMMENT,
        lambda state: comments.decide_release_comment(state, cmd),
    )


def delete_comment(cmd: comments.DeleteComment, *, ports: Ports, request: Request) -> Outcome:
    """The author, the video's owner or a moderator deletes a comment. A moderator's deletion of
    someone's comment is told to its author, as every moderation action is (not appealable: it is
    final)."""
    deleted: list[comments.CommentDeleted] = []

    def decide(state: comments.State) -> list[comments.Event]:
        video = video_access(ports, state.video_id) if state.posted else _NOWHERE
        events = comments.decide_delete_comment(state, cmd, video=video)
        deleted[:] = [e for e in events if isinstance(e, comments.CommentDeleted)]
        return events

    outcome = execute(ports, request, streams.comment(cmd.comment_id), COMMENT, decide)
    by_moderator = [e for e in deleted if e.deleted_as == comments.DeletedAs.MODERATOR]
    if not by_moderator:
        return outcome
    author_id = load(ports, streams.comment(cmd.comment_id), COMMENT).state.author_id
    notice = NoticeContentAction(
        request.actor,
        author_id,
        request.new_id("action"),
        ActionKind.DELETE_COMMENT,
        "comment",
        cmd.comment_id,
        "deleted by a moderator",
    )
    told = notice_content_action(notice, ports=ports, request=request)
    return Outcome(position=max(outcome.position, told.position), appended=outcome.appended + told.appended)


#: Handed to the decider for a comment never posted, which it refuses before looking at the video.
_NOWHERE = VideoAccess(video_id="", owner_id="", exists=False)


def _posted_by_this_request(state: comments.State, cmd: comments.PostComment, request: Request) -> bool:
    return (
        request.idempotency_key is not None
        and (state.posted or state.held)
        and state.author_id == cmd.actor.user_id
        and state.video_id == cmd.video_id
    )
