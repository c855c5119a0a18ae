"""A comment on a video: one stream per comment (``comment-<id>``), never the video's stream.

Threads are one level deep: a comment is top-level (``parent_id`` is None) or a reply under a
top-level comment. A reply to a reply attaches to that reply's top-level parent, and ``reply_to_id``
keeps which comment it answered, so a client can show "replying to …" without deeper nesting.
Deleting a comment leaves its replies in place; the read side shows them under a deleted parent.

A comment holding one of the operator's watched words is refused or held, as the screening policy
says (``domain.screening``). A held comment is recorded (``CommentHeld``) but not posted: nobody but
a moderator learns of it until a moderator releases it, which posts it as it was written.

The text is personal: sealed with the author's key, so it reads as ``None`` once that key is erased.
Edit, thread and delete events carry ``video_id`` and ``parent_id`` so a projector can find the
thread row (partitioned by video for top level, by parent for replies) without a lookup.
"""

from __future__ import annotations

import dataclasses
import enum

from domain.access import VideoAccess
from domain.actors import Actor
from domain.engagement.visibility import ensure_can_engage, require_id
from domain.errors import Conflict, InvalidCommand, NotAllowed, NotFound
from domain.events import DomainEvent, event
from domain.screening import CommentAction, WatchedWords
from domain.text import clean_text

MAX_COMMENT_LENGTH = 1000
NO_WORDS = WatchedWords()
#: What a comment never posted reads as, and so what any comment a person may not act on reads as.
NOT_FOUND = "comment not found"


class DeletedAs(enum.StrEnum):
    """In which capacity a comment was deleted: audits and notifications tell these apart."""

    AUTHOR = "author"
    VIDEO_OWNER = "video_owner"
    MODERATOR = "moderator"


# -- events ----------------------------------------------------------------------------------------


@event("CommentPosted", personal=("text",), subject="author_id")
@dataclasses.dataclass(frozen=True, slots=True)
class CommentPosted(DomainEvent):
    comment_id: str
    video_id: str
    author_id: str
    text: str | None  # None once the author's key is erased
    parent_id: str | None = None
    reply_to_id: str | None = None


@event("CommentEdited", personal=("text",), subject="author_id")
@dataclasses.dataclass(frozen=True, slots=True)
class CommentEdited(DomainEvent):
    comment_id: str
    video_id: str
    author_id: str
    text: str | None  # None once the author's key is erased
    parent_id: str | None = None


@event("CommentDeleted")
@dataclasses.dataclass(frozen=True, slots=True)
class CommentDeleted(DomainEvent):
    comment_id: str
    video_id: str
    deleted_by: str
    deleted_as: str  # a DeletedAs
    parent_id: str | None = None


@event("CommentHeld", personal=("text",), subject="author_id")
@dataclasses.dataclass(frozen=True, slots=True)
class CommentHeld(DomainEvent):
    """A comment holding a watched word, kept back for a moderator: it is posted only if released."""

    comment_id: str
    video_id: str
    author_id: str
    text: str | None  # None once the author's key is erased
    parent_id: str | None = None
    reply_to_id: str | None = None


@event("CommentRemoved")
@dataclasses.dataclass(frozen=True, slots=True)
class CommentRemoved(DomainEvent):
    """A moderator took the comment down (``domain.moderation``): gone from threads until restored."""

    comment_id: str
    video_id: str
    author_id: str
    moderator_id: str
    reason: str
    parent_id: str | None = None


@event("CommentRestored")
@dataclasses.dataclass(frozen=True, slots=True)
class CommentRestored(DomainEvent):
    comment_id: str
    video_id: str
    author_id: str
    moderator_id: str
    reason: str
    parent_id: str | None = None


Event = CommentPosted | CommentEdited | CommentDeleted | CommentHeld | CommentRemoved | CommentRestored

# -- commands --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class PostComment:
    actor: Actor
    comment_id: str
    video_id: str
    text: str
    reply_to_id: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class EditComment:
    actor: Actor
    comment_id: str
    text: str


@dataclasses.dataclass(frozen=True, slots=True)
class DeleteComment:
    actor: Actor
    comment_id: str


@dataclasses.dataclass(frozen=True, slots=True)
class ReleaseComment:
    """A moderator posts a held comment as its author wrote it."""

    actor: Actor
    comment_id: str


# -- state -----------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class State:
    posted: bool = False
    comment_id: str = ""
    video_id: str = ""
    author_id: str = ""
    parent_id: str | None = None
    text: str | None = None
    deleted: bool = False
    held: bool = False  # was held for a moderator: waiting until ``posted`` (released)
    reply_to_id: str | None = None
    removed: bool = False  # taken down by a moderator, until restored


initial = State()


def evolve(state: State, event: Event) -> State:
    match event:
        case CommentPosted() | CommentHeld():
            return State(
                posted=isinstance(event, CommentPosted),
                comment_id=event.comment_id,
                video_id=event.video_id,
                author_id=event.author_id,
                parent_id=event.parent_id,
                text=event.text,
                held=state.held or isinstance(event, CommentHeld),
                reply_to_id=event.reply_to_id,
            )
        case CommentEdited():
            return dataclasses.replace(state, text=event.text)
        case CommentDeleted():
            return dataclasses.replace(state, deleted=True)
        case CommentRemoved() | CommentRestored():
            return dataclasses.replace(state, removed=isinstance(event, CommentRemoved))


# -- deciders --------------------------------------------------------------------------------------


def decide_post_comment(
    state: State,
    cmd: PostComment,
    *,
    video: VideoAccess,
    follows_owner: bool,
    blocked: bool,
    reply_to: State | None = None,
    words: WatchedWords = NO_WORDS,
    on_watched_word: CommentAction = CommentAction.HOLD,
) -> list[Event]:
    """Post a comment or a reply on a video the author may engage with and that takes comments.

    ``reply_to`` is the state of the comment named by ``cmd.reply_to_id`` (None or ``initial`` when
    that stream is empty); ``blocked`` says whether the video's owner blocked the author. A comment
    holding one of ``words`` is held or refused, as ``on_watched_word`` says.
    """
    if state.posted or state.held:
        raise Conflict("a comment with this id already exists")
    require_id(cmd.comment_id, "comment_id")
    require_id(cmd.video_id, "video_id")
    text = _clean(cmd.text)
    ensure_can_engage(video, cmd.actor, cmd.video_id, follows_owner=follows_owner, blocked=blocked)
    if not video.comments_allowed:
        raise Conflict("comments are turned off for this video")
    parent_id = _thread_parent(cmd, reply_to)
    kind: type[CommentPosted | CommentHeld] = CommentPosted
    if words.found_in(text):
        if on_watched_word is CommentAction.REJECT:
            raise InvalidCommand("the comment contains a watched word")
        kind = CommentHeld
    return [
        kind(
            comment_id=cmd.comment_id,
            video_id=cmd.video_id,
            author_id=cmd.actor.user_id,
            text=text,
            parent_id=parent_id,
            reply_to_id=cmd.reply_to_id,
        )
    ]


def decide_edit_comment(state: State, cmd: EditComment, *, words: WatchedWords = NO_WORDS) -> list[Event]:
    """Only the author edits; to anyone else the comment is not found, whatever its video or state.
    The same text again records nothing. An edit cannot be held (the comment is already up), so one
    adding a watched word is refused."""
    if cmd.actor.user_id != state.author_id:
        raise NotFound(NOT_FOUND)
    ensure_open(state)
    if state.removed:
        raise Conflict("the comment was removed by a moderator")
    text = _clean(cmd.text)
    if text == state.text:
        return []
    if words.found_in(text):
        raise InvalidCommand("the comment contains a watched word")
    return [
        CommentEdited(
            comment_id=state.comment_id,
            video_id=state.video_id,
            author_id=state.author_id,
            text=text,
            parent_id=state.parent_id,
        )
    ]


def decide_delete_comment(state: State, cmd: DeleteComment, *, video: VideoAccess) -> list[Event]:
    """The author, the video's owner (it is their page) or a moderator may delete a comment, once.
    To anyone else the comment is not found, whatever its video or state."""
    capacity = _deleting_as(state, cmd.actor, video)
    if capacity is None:
        raise NotFound(NOT_FOUND)
    ensure_open(state)
    if video.video_id != state.video_id:
        raise ValueError(f"access for video {video.video_id!r} given for a comment on {state.video_id!r}")
    return [
        CommentDeleted(
            comment_id=state.comment_id,
            video_id=state.video_id,
            deleted_by=cmd.actor.user_id,
            deleted_as=capacity.value,
            parent_id=state.parent_id,
        )
    ]


def decide_release_comment(state: State, cmd: ReleaseComment) -> list[Event]:
    """A moderator posts a held comment; one already released records nothing."""
    if not cmd.actor.moderates:
        raise NotAllowed("only a moderator can release a held comment")
    if state.posted and state.held:
        return []
    if not state.held:
        raise NotFound("no held comment with this id")
    return [
        CommentPosted(
            comment_id=state.comment_id,
            video_id=state.video_id,
            author_id=state.author_id,
            text=state.text,
            parent_id=state.parent_id,
            reply_to_id=state.reply_to_id,
        )
    ]


def ensure_open(state: State) -> None:
    """A comment that was never posted is not found; a deleted one accepts nothing more."""
    if not state.posted:
        raise NotFound(NOT_FOUND)
    if state.deleted:
        raise Conflict("the comment was deleted")


def ensure_can_engage_with(
    state: State, actor: Actor, video: VideoAccess, *, follows_owner: bool, blocked: bool
) -> None:
    """A live comment under a video the actor may engage with (``ensure_can_engage``; ``blocked``:
    by the video's owner). Under a video they may not see, the comment is not found, as one never
    posted is, so nobody learns that a hidden comment exists; only then is a deleted one told. One a
    moderator removed has left every thread, so it is not found either, but to its author, who is
    told why it takes nothing."""
    if not state.posted:
        raise NotFound(NOT_FOUND)
    ensure_can_engage(
        video, actor, state.video_id, follows_owner=follows_owner, blocked=blocked, unseen=NOT_FOUND
    )
    if state.removed and actor.user_id != state.author_id:
        raise NotFound(NOT_FOUND)  # before "deleted": a removed comment deleted later is still unseen
    ensure_open(state)
    if state.removed:
        raise Conflict("the comment was removed by a moderator")


def _clean(text: str) -> str:
    return clean_text(text, field="comment", min_len=1, max_len=MAX_COMMENT_LENGTH, multiline=True)


def _thread_parent(cmd: PostComment, reply_to: State | None) -> str | None:
    """The top-level comment a reply hangs under: a reply to a reply shares its parent. One under
    another video is not found, as one never posted is: that video may be one the author may not see."""
    if cmd.reply_to_id is None:
        return None
    missing = "the comment replied to was not found"
    if reply_to is None or not reply_to.posted:
        raise NotFound(missing)
    if reply_to.comment_id != cmd.reply_to_id:
        raise ValueError(f"state of comment {reply_to.comment_id!r} given for {cmd.reply_to_id!r}")
    if reply_to.video_id != cmd.video_id:
        raise NotFound(missing)
    if reply_to.removed and reply_to.author_id != cmd.actor.user_id:
        raise NotFound(missing)  # it left every thread: as for a like, only its author is told
    if reply_to.deleted or reply_to.removed:
        raise Conflict(
            "the comment replied to was deleted"
            if reply_to.deleted
            else "the comment replied to was removed by a moderator"
        )
    return reply_to.parent_id or reply_to.comment_id


def _deleting_as(state: State, actor: Actor, video: VideoAccess) -> DeletedAs | None:
    """In which capacity the actor may delete the comment; ``None`` when in none."""
    if actor.user_id == state.author_id:
        return DeletedAs.AUTHOR
    if actor.user_id == video.owner_id:
        return DeletedAs.VIDEO_OWNER
    if actor.moderates:
        return DeletedAs.MODERATOR
    return None
