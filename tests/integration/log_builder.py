"""A busy little platform's history, valid in order and the same for the same seed: for tests that
need a log of real size (crash recovery, rebuilds) and a way to compare what projections made of it.

The builder keeps just the facts that decide whether an event may happen next (who follows whom,
who blocked whom, which videos are listed, which comments are live and liked), so every event is one
the domain could have recorded: likes on listed videos, replies to live comments, unfollows of
follows, the owner pinning a comment on their own video.
"""

from __future__ import annotations

import dataclasses
import random
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from domain.accounts.events import ProfileChanged, UserRegistered
from domain.engagement.comment_likes import CommentLiked, CommentUnliked
from domain.engagement.comments import CommentDeleted, CommentEdited, CommentPosted, DeletedAs
from domain.engagement.likes import VideoLiked, VideoUnliked
from domain.engagement.shares import ShareChannel, VideoShared
from domain.erasures import ErasureCompleted, ErasureStepCompleted
from domain.erasures import Step as ErasureStep
from domain.events import DomainEvent
from domain.reports import ReportFiled
from domain.social import UnfollowReason, UserBlocked, UserFollowed, UserUnblocked, UserUnfollowed
from domain.videos.events import (
    CommentPinned,
    CommentUnpinned,
    VideoDeleted,
    VideoDraftCreated,
    VideoEdited,
    VideoHidden,
    VideoPublished,
    VideoRestored,
    VideoUnpublished,
    VideoUploadCompleted,
)
from domain.watching import VideoSkipped, ViewStarted, WatchProgressed
from eventstore.codec import EventCodec
from eventstore.envelope import StreamState
from eventstore.port import EventStore
from projections.projector import Projector
from read_models.live import Build
from read_models.port import ReadStore
from read_models.tables import Row

MODERATOR = "00000000-0000-4000-8000-00000000000d"


@dataclasses.dataclass
class Comment:
    video_id: str
    author_id: str
    parent_id: str | None
    deleted: bool = False


@dataclasses.dataclass
class Platform:
    """What has happened so far, as far as the validity of the next event depends on it. Collections
    the builder picks from are lists or dicts (insertion order), never sets: the same seed must give
    the same log in every process, whatever its hash seed."""

    rng: random.Random
    users: list[str] = dataclasses.field(default_factory=list)
    owner: dict[str, str] = dataclasses.field(default_factory=dict)
    listed: list[str] = dataclasses.field(default_factory=list)
    hidden: dict[str, None] = dataclasses.field(default_factory=dict)
    unpublished: dict[str, None] = dataclasses.field(default_factory=dict)
    follows: dict[tuple[str, str], None] = dataclasses.field(default_factory=dict)
    blocks: dict[tuple[str, str], None] = dataclasses.field(default_factory=dict)
    likes: dict[tuple[str, str], None] = dataclasses.field(default_factory=dict)
    comments: dict[str, Comment] = dataclasses.field(default_factory=dict)
    live_comments: list[str] = dataclasses.field(default_factory=list)
    comment_likes: dict[tuple[str, str], None] = dataclasses.field(default_factory=dict)
    pinned: dict[str, str] = dataclasses.field(default_factory=dict)

    def new_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def user(self) -> str:
        return self.rng.choice(self.users)

    def blocked_between(self, a: str, b: str) -> bool:
        return (a, b) in self.blocks or (b, a) in self.blocks

    def pick(self, items: Sequence[Any]) -> Any:
        return self.rng.choice(items) if items else None


Step = Callable[[Platform], list[DomainEvent]]


def build_log(seed: int, size: int) -> list[DomainEvent]:
    """About ``size`` events: users and videos first, then a random mix of everything people do."""
    platform = Platform(random.Random(seed))
    events: list[DomainEvent] = []
    for _ in range(max(20, size // 200)):
        events += register(platform)
    for _ in range(max(20, size // 100)):
        events += publish(platform)
    steps, weights = zip(*MIX, strict=True)
    while len(events) < size:
        (step,) = platform.rng.choices(steps, weights)
        events += step(platform)
    return events


def append_log(events: EventStore, codec: EventCodec, log: Sequence[DomainEvent], chunk: int = 1000) -> int:
    """Appends the log in order, ``chunk`` events per append; returns the head position."""
    head = 0
    for start in range(0, len(log), chunk):
        encoded = [codec.encode(e) for e in log[start : start + chunk]]
        head = events.append(f"load-{start // chunk}", encoded, StreamState.ANY).position
    return head


def snapshot(store: ReadStore, projector: Projector, build: Build) -> dict[str, list[Row]]:
    """Every live row of every table of one build, by logical table name, in a stable order."""
    return {
        name: sorted(store.scan(table), key=lambda row: repr(sorted(row.items())))
        for name, table in projector.tables_of(build).items()
    }


# -- people ------------------------------------------------------------------------------------------


def register(p: Platform) -> list[DomainEvent]:
    user_id = p.new_id()
    p.users.append(user_id)
    handle = f"user{len(p.users)}"
    return [UserRegistered(user_id, handle, f"{handle}@example.com", "argon2-hash", handle.title())]


def change_profile(p: Platform) -> list[DomainEvent]:
    user = p.user()
    return [ProfileChanged(user, f"Name {p.rng.randrange(1000)}", "a bio", None)]


def follow(p: Platform) -> list[DomainEvent]:
    a, b = p.user(), p.user()
    if a == b or (a, b) in p.follows or p.blocked_between(a, b):
        return []
    p.follows[(a, b)] = None
    return [UserFollowed(a, b)]


def unfollow(p: Platform) -> list[DomainEvent]:
    edge = p.pick(list(p.follows))
    if edge is None:
        return []
    p.follows.pop(edge)
    return [UserUnfollowed(edge[0], edge[1], UnfollowReason.REQUESTED.value)]


def block(p: Platform) -> list[DomainEvent]:
    a, b = p.user(), p.user()
    if a == b or (a, b) in p.blocks:
        return []
    p.blocks[(a, b)] = None
    events: list[DomainEvent] = [UserBlocked(a, b)]
    for follower, followee, reason in ((a, b, UnfollowReason.BLOCKING), (b, a, UnfollowReason.BLOCKED)):
        if (follower, followee) in p.follows:
            p.follows.pop((follower, followee))
            events.append(UserUnfollowed(follower, followee, reason.value))
    return events


def unblock(p: Platform) -> list[DomainEvent]:
    edge = p.pick(list(p.blocks))
    if edge is None:
        return []
    p.blocks.pop(edge)
    return [UserUnblocked(edge[0], edge[1])]


# -- videos ------------------------------------------------------------------------------------------


def publish(p: Platform) -> list[DomainEvent]:
    owner, video_id = p.user(), p.new_id()
    p.owner[video_id] = owner
    events: list[DomainEvent] = [
        VideoDraftCreated(video_id, owner),
        VideoUploadCompleted(video_id, owner, p.new_id(), 1_000_000, 15_000, 1080, 1920),
    ]
    if p.rng.random() < 0.9:
        p.listed.append(video_id)
        visibility = p.rng.choice(["public", "public", "followers"])
        events.append(VideoPublished(video_id, owner, "a clip #demo", ["demo"], visibility, True))
    return events


def edit_video(p: Platform) -> list[DomainEvent]:
    video_id = p.pick(p.listed)
    if video_id is None:
        return []
    tags = p.rng.sample(["demo", "cats", "music", "dance"], 2)
    return [VideoEdited(video_id, p.owner[video_id], "edited", tags, "public", True)]


def hide_or_restore(p: Platform) -> list[DomainEvent]:
    if p.hidden and p.rng.random() < 0.5:
        video_id = next(iter(p.hidden))
        p.hidden.pop(video_id)
        p.listed.append(video_id)
        return [VideoRestored(video_id, p.owner[video_id], MODERATOR, "appeal upheld")]
    video_id = p.pick(p.listed)
    if video_id is None:
        return []
    p.listed.remove(video_id)
    p.hidden[video_id] = None
    return [VideoHidden(video_id, p.owner[video_id], MODERATOR, "reported")]


def unpublish_or_delete(p: Platform) -> list[DomainEvent]:
    video_id = p.pick(p.listed)
    if video_id is None:
        return []
    p.listed.remove(video_id)
    if p.rng.random() < 0.5:
        return [VideoDeleted(video_id, p.owner[video_id])]
    p.unpublished[video_id] = None
    return [VideoUnpublished(video_id, p.owner[video_id])]


def republish(p: Platform) -> list[DomainEvent]:
    video_id = p.pick(list(p.unpublished))
    if video_id is None:
        return []
    p.unpublished.pop(video_id)
    p.listed.append(video_id)
    return [VideoPublished(video_id, p.owner[video_id], "back again", ["demo"], "public", True)]


# -- engagement --------------------------------------------------------------------------------------


def engageable(p: Platform) -> tuple[str, str] | None:
    """A listed video and a user its owner has not blocked (nor been blocked by)."""
    video_id, user = p.pick(p.listed), p.user()
    if video_id is None or p.blocked_between(user, p.owner[video_id]):
        return None
    return user, video_id


def like(p: Platform) -> list[DomainEvent]:
    pair = engageable(p)
    if pair is None or pair in p.likes:
        return []
    p.likes[pair] = None
    return [VideoLiked(*pair)]


def unlike(p: Platform) -> list[DomainEvent]:
    pair = p.pick(list(p.likes))
    if pair is None:
        return []
    p.likes.pop(pair)
    return [VideoUnliked(*pair)]


def share(p: Platform) -> list[DomainEvent]:
    pair = engageable(p)
    if pair is None:
        return []
    return [VideoShared(p.new_id(), pair[0], pair[1], p.rng.choice(list(ShareChannel)).value)]


def watch(p: Platform) -> list[DomainEvent]:
    pair = engageable(p)
    if pair is None:
        return []
    user, video_id = pair
    client_id = p.new_id()
    watched = p.rng.randrange(200, 15_000)
    if watched < 1000:
        return [ViewStarted(client_id, user, video_id), VideoSkipped(client_id, user, video_id, watched)]
    done = watched > 12_000
    return [
        ViewStarted(client_id, user, video_id),
        WatchProgressed(client_id, user, video_id, watched, watched, done, False),
    ]


# -- comments ----------------------------------------------------------------------------------------


def comment(p: Platform) -> list[DomainEvent]:
    pair = engageable(p)
    if pair is None:
        return []
    author, video_id = pair
    return [_post(p, author, video_id, None, None)]


def reply(p: Platform) -> list[DomainEvent]:
    to = p.pick(p.live_comments)
    if to is None:
        return []
    target = p.comments[to]
    author = p.user()
    if target.video_id not in p.listed or p.blocked_between(author, p.owner[target.video_id]):
        return []
    return [_post(p, author, target.video_id, target.parent_id or to, to)]


def _post(p: Platform, author: str, video_id: str, parent: str | None, reply_to: str | None) -> DomainEvent:
    comment_id = p.new_id()
    p.comments[comment_id] = Comment(video_id, author, parent)
    p.live_comments.append(comment_id)
    return CommentPosted(comment_id, video_id, author, f"nice {p.rng.randrange(100)}", parent, reply_to)


def edit_comment(p: Platform) -> list[DomainEvent]:
    comment_id = p.pick(p.live_comments)
    if comment_id is None:
        return []
    c = p.comments[comment_id]
    return [CommentEdited(comment_id, c.video_id, c.author_id, "edited text", c.parent_id)]


def delete_comment(p: Platform) -> list[DomainEvent]:
    comment_id = p.pick(p.live_comments)
    if comment_id is None:
        return []
    c = p.comments[comment_id]
    c.deleted = True
    p.live_comments.remove(comment_id)
    return [CommentDeleted(comment_id, c.video_id, c.author_id, DeletedAs.AUTHOR.value, c.parent_id)]


def like_comment(p: Platform) -> list[DomainEvent]:
    comment_id, user = p.pick(p.live_comments), p.user()
    if comment_id is None or (user, comment_id) in p.comment_likes:
        return []
    p.comment_likes[(user, comment_id)] = None
    return [CommentLiked(user, comment_id)]


def unlike_comment(p: Platform) -> list[DomainEvent]:
    pair = p.pick(list(p.comment_likes))
    if pair is None or p.comments[pair[1]].deleted:
        return []
    p.comment_likes.pop(pair)
    return [CommentUnliked(*pair)]


def pin(p: Platform) -> list[DomainEvent]:
    comment_id = p.pick(p.live_comments)
    if comment_id is None or p.comments[comment_id].parent_id is not None:
        return []
    video_id = p.comments[comment_id].video_id
    owner = p.owner[video_id]
    before = p.pinned.get(video_id)
    if before == comment_id:
        p.pinned.pop(video_id)
        return [CommentUnpinned(video_id, owner, comment_id)]
    p.pinned[video_id] = comment_id
    unpin = [CommentUnpinned(video_id, owner, before)] if before else []
    return [*unpin, CommentPinned(video_id, owner, comment_id)]


def report(p: Platform) -> list[DomainEvent]:
    video_id = p.pick(list(p.owner))
    reporter, owner = p.user(), p.owner[video_id]
    if reporter == owner:
        return []
    reason = p.pick(["spam", "nudity", "harassment", "other"])
    return [ReportFiled(p.new_id(), reporter, "video", video_id, owner, reason, "looks wrong")]


def erasure_record(p: Platform) -> list[DomainEvent]:
    """The record an erasure keeps of its steps (the erasing itself is for the erasure tests)."""
    erasure_id = p.new_id()
    return [*(ErasureStepCompleted(erasure_id, step) for step in ErasureStep), ErasureCompleted(erasure_id)]


MIX: tuple[tuple[Step, float], ...] = (
    (register, 0.5),
    (change_profile, 1),
    (follow, 8),
    (unfollow, 2),
    (block, 0.4),
    (unblock, 0.2),
    (publish, 1),
    (edit_video, 0.5),
    (hide_or_restore, 0.3),
    (unpublish_or_delete, 0.3),
    (republish, 0.2),
    (like, 16),
    (unlike, 4),
    (share, 3),
    (watch, 14),
    (comment, 8),
    (reply, 7),
    (edit_comment, 1),
    (delete_comment, 1.5),
    (like_comment, 8),
    (unlike_comment, 2),
    (pin, 0.8),
    (report, 0.5),
    (erasure_record, 0.05),
)
