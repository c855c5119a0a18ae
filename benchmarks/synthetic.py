"""A synthetic but realistic event log for the projection benchmarks, the same for a seed and a size.

The shape is a short-video platform's. People register (some then fill in a profile) and follow
each other with a heavy-tailed taste for popular accounts (a log-uniform rank: Zipf with s = 1).
Popular people upload most videos, which go through the media pipeline (now and then failing once
and retried) and get published, mostly public, with hashtags of Zipf popularity. Engagement is
nearly nine events in ten and mostly views and watch signals, batched per viewer and day as
clients send them; likes, unlikes, comments, replies, comment likes and shares come at rates seen
on real platforms, on videos picked half by recency and half by lasting popularity.

Every event is one the command side accepts in the order given: follows and engagement only
between registered people, engagement only on published videos the actor may see, replies only
to live comments of the same video (``tests/unit/test_synthetic_log.py`` replays the events
through the deciders). ``Appender`` appends them as the handlers do: one command, one append, on
the streams of ``commands.streams``, encoded and sealed by the real codec.

Time is simulated, from ``EPOCH`` over ``DAYS`` days, so two runs with one seed and size give the
same events; ids are UUIDv7 of the simulated time with seeded random bits. A built log is cached
under ``var/bench-logs`` by generator version, seed and size, because a million events take a
minute or two to build and seconds to read.
"""

from __future__ import annotations

import dataclasses
import random
import shutil
import time
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from commands import streams
from domain.access import Visibility
from domain.accounts.events import EmailClaimed, HandleClaimed, ProfileChanged, UserRegistered
from domain.accounts.rules import claim_key, handle_key, normalise_email
from domain.engagement.comment_likes import CommentLiked
from domain.engagement.comments import CommentDeleted, CommentPosted, DeletedAs
from domain.engagement.likes import VideoLiked, VideoUnliked
from domain.engagement.shares import ShareChannel, VideoShared
from domain.events import DomainEvent
from domain.screening import SCREENER, Policy
from domain.social import UnfollowReason, UserFollowed, UserUnfollowed
from domain.videos.events import (
    VideoDraftCreated,
    VideoProcessingFailed,
    VideoProcessingProgressed,
    VideoProcessingStarted,
    VideoProcessingSucceeded,
    VideoPublished,
    VideoScreened,
    VideoUploadCompleted,
)
from domain.videos.rules import PIPELINE
from domain.watching import VideoSkipped, ViewStarted, WatchProgressed, dedupe_key
from eventstore.codec import EventCodec
from eventstore.envelope import AppendResult, Metadata, StreamState
from eventstore.ids import id_from_key, uuid7
from eventstore.keystore import SQLiteKeyStore
from eventstore.port import EventStore
from eventstore.sealing import Sealer
from eventstore.sqlite import SQLiteEventStore

#: Bump when the generator's output changes: cached logs are keyed by it.
VERSION = 3
SEED = 2026
CACHE = Path(__file__).resolve().parent.parent / "var" / "bench-logs"
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
DAYS = 28

#: One person registers per this many events of the log, and follows about ``FOLLOWS_PER_USER``.
EVENTS_PER_USER = 100
FOLLOWS_PER_USER = 8
EVENTS_PER_VIDEO = 250
#: The share of people, follows and videos already there when the first view happens.
HEAD_START = 0.1

PROFILE_FILLED = 0.3
UNFOLLOW = 0.06  # of follow actions
PROCESSING_FAILS = 0.04
COMMENTS_OFF = 0.05
VISIBILITY = ((Visibility.PUBLIC, 0.9), (Visibility.FOLLOWERS, 0.07), (Visibility.PRIVATE, 0.03))
SKIP = 0.35  # of views: left within three seconds
COMPLETE = 0.45  # of views not skipped
REWATCH = 0.08
LIKE = 0.09  # of views not skipped; a skipped view is liked far less often
LIKE_AFTER_SKIP = 0.004
UNLIKE = 0.003  # per view: someone takes back an earlier like
COMMENT = 0.015
REPLY = 0.35  # of comments, where the video has some
COMMENT_LIKE = 0.02
COMMENT_DELETE = 0.0003
SHARE = 0.007
#: A client sends its buffered watch signals after this many (or when the day ends).
WATCH_BATCH = (8, 48)

HASHTAGS = (
    "fyp", "funny", "dance", "food", "travel", "music", "pets", "diy", "fitness", "fashion",
    "gaming", "art", "comedy", "tutorial", "nature", "cooking", "skate", "football", "books", "science",
    "makeup", "cars", "garden", "coffee", "vlog", "asmr", "cats", "dogs", "beach", "hiking",
)  # fmt: skip
PHRASES = (
    "first try", "wait for it", "sunset over the harbour", "day 12 of learning this", "my grandma's recipe",
    "this took forever", "rate it out of 10", "part 2 as promised", "no edits", "morning routine",
)  # fmt: skip
COMMENTS = (
    "this is so good", "how did you do that?", "again!", "I laughed way too hard 😂", "tutorial please",
    "the ending 😮", "saved for later", "underrated", "first", "where is this?", "my favourite so far",
)  # fmt: skip
RENDITIONS = ["240p", "480p", "720p", "1080p"]
#: What claim stream names are keyed with in a synthetic log (a real one keeps its secret in the key store).
CLAIM_SECRET = b"synthetic-claim-names-secret-2026"
#: Every upload is screened before it is published; the synthetic ones are all let through.
SCREENING_POLICY = Policy().version("synthetic")


def handle_claim_stream(handle: str) -> str:
    return streams.handle_claim(claim_key(CLAIM_SECRET, "handle", handle_key(handle)))


def email_claim_stream(email: str) -> str:
    return streams.email_claim(claim_key(CLAIM_SECRET, "email", normalise_email(email)))


@dataclasses.dataclass(frozen=True, slots=True)
class Append:
    """One command's outcome: events for one stream, as its handler appends them."""

    stream: str
    events: tuple[DomainEvent, ...]
    actor: str
    at_ms: int


@dataclasses.dataclass(slots=True)
class _Comment:
    comment_id: str
    parent_id: str | None
    author_id: str


@dataclasses.dataclass(slots=True)
class _Video:
    video_id: str
    owner_id: str
    visibility: Visibility
    comments_allowed: bool
    duration_ms: int
    comments: list[_Comment] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(slots=True)
class _Watching:
    """A viewer's unsent watch signals of one day; sent once ``size`` are buffered."""

    day: str
    size: int
    events: list[DomainEvent] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True, slots=True)
class _Plan:
    users: int
    follows: int
    videos: int

    @classmethod
    def of(cls, size: int) -> _Plan:
        users = max(20, size // EVENTS_PER_USER)
        return cls(users, users * FOLLOWS_PER_USER, max(5, size // EVENTS_PER_VIDEO))


def generate(size: int, seed: int = SEED) -> Iterator[Append]:
    """Appends holding ``size`` events (the last command may add a few more), in log order."""
    return _Platform(size, seed).run()


class _Platform:
    """What the generator knows of the platform so far: enough to keep every event valid.

    Choices come from one seeded ``random.Random`` and lists in insertion order (never sets), so a
    seed gives the same log on every run and Python.
    """

    def __init__(self, size: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.size = size
        self.plan = _Plan.of(size)
        self.emitted = 0
        self.follow_actions = 0
        self.uploads = 0
        self.next_signal = 0
        self.users: list[str] = []
        self.following: dict[str, dict[str, None]] = {}
        self.videos: list[_Video] = []
        self.liked: dict[tuple[str, str], None] = {}
        self.comment_likes: set[tuple[str, str]] = set()
        self.watching: dict[str, _Watching] = {}
        self.day = ""

    # -- the timeline ------------------------------------------------------------------------

    def run(self) -> Iterator[Append]:
        while self.emitted < self.size:
            yield from self._step()
        yield from self._send_watching()

    def _step(self) -> list[Append]:
        """Whatever is behind its share of the plan, so people, follows and videos grow with the log."""
        due = min(1.0, HEAD_START + self.emitted / self.size)
        if len(self.users) < max(2, self.plan.users * due):
            return self._register()
        if self.follow_actions < self.plan.follows * due:
            return self._follow()
        if self.uploads < max(1, self.plan.videos * due) or not self.videos:
            return self._upload()
        return self._view()

    @property
    def now_ms(self) -> int:
        return int(EPOCH.timestamp() * 1000 + DAYS * 86_400_000 * self.emitted / self.size)

    def _append(self, stream: str, actor: str, *events: DomainEvent) -> Append:
        self.emitted += len(events)
        return Append(stream, events, actor, self.now_ms)

    def _new_id(self) -> str:
        """A UUIDv7 of the simulated time with seeded random bits."""
        value = (self.now_ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | self.rng.getrandbits(12) << 64
        return str(uuid.UUID(int=value | 0b10 << 62 | self.rng.getrandbits(62)))

    def _popular(self, count: int) -> int:
        """An index below ``count``, index 0 the most likely: a log-uniform rank, Zipf with s = 1."""
        return min(count - 1, int(count ** self.rng.random()) - 1)

    # -- people ------------------------------------------------------------------------------

    def _register(self) -> list[Append]:
        user_id = self._new_id()
        handle = f"user{len(self.users)}_{user_id[-4:]}"
        email = f"{handle}@example.com"
        password_hash = f"$argon2id$v=19$m=65536,t=3,p=4${user_id[:8]}"
        out = [
            self._append(email_claim_stream(email), user_id, EmailClaimed(user_id)),
            self._append(handle_claim_stream(handle), user_id, HandleClaimed(user_id)),
            self._append(
                streams.user(user_id), user_id, UserRegistered(user_id, handle, email, password_hash, handle)
            ),
        ]
        if self.rng.random() < PROFILE_FILLED:
            bio = f"{self.rng.choice(PHRASES)} · {self.rng.choice(HASHTAGS)}"
            out.append(
                self._append(streams.user(user_id), user_id, ProfileChanged(user_id, handle.title(), bio))
            )
        self.users.append(user_id)
        self.following[user_id] = {}
        return out

    def _follow(self) -> list[Append]:
        """A follow of a popular account, now and then an unfollow; nothing where that would be a no-op."""
        self.follow_actions += 1
        follower = self.rng.choice(self.users)
        followed = self.following[follower]
        if followed and self.rng.random() < UNFOLLOW:
            gone = list(followed)[self.rng.randrange(len(followed))]
            del followed[gone]
            event = UserUnfollowed(follower, gone, UnfollowReason.REQUESTED.value)
            return [self._append(streams.follows(follower), follower, event)]
        target = self.users[self._popular(len(self.users))]
        if target == follower or target in followed:
            return []
        followed[target] = None
        return [self._append(streams.follows(follower), follower, UserFollowed(follower, target))]

    # -- videos ------------------------------------------------------------------------------

    def _upload(self) -> list[Append]:
        """A popular creator's video, through the pipeline to published, one command per step."""
        self.uploads += 1
        owner = self.users[self._popular(len(self.users))]
        video_id = self._new_id()
        duration = max(3_000, min(600_000, int(self.rng.lognormvariate(10.4, 0.7))))
        size_bytes = duration * self.rng.randint(150, 600)
        upload = VideoUploadCompleted(video_id, owner, self._new_id(), size_bytes, duration, 1080, 1920)
        steps: list[tuple[str, DomainEvent]] = [(owner, VideoDraftCreated(video_id, owner)), (owner, upload)]
        if self.rng.random() < PROCESSING_FAILS:
            steps.append((PIPELINE.user_id, VideoProcessingStarted(video_id, owner)))
            steps.append((PIPELINE.user_id, VideoProcessingFailed(video_id, owner, "transcoder timed out")))
        steps.append((PIPELINE.user_id, VideoProcessingStarted(video_id, owner)))
        for percent in sorted(self.rng.sample(range(10, 100, 10), self.rng.randint(1, 3))):
            steps.append((PIPELINE.user_id, VideoProcessingProgressed(video_id, owner, percent)))
        succeeded = VideoProcessingSucceeded(
            video_id, owner, RENDITIONS, f"{video_id}/master.m3u8", f"{video_id}/poster.jpg"
        )
        steps.append((PIPELINE.user_id, succeeded))
        screened = VideoScreened(video_id, owner, upload.upload_id, SCREENING_POLICY, "allowed", [], [], 0.0)
        steps.append((SCREENER.user_id, screened))
        video = _Video(video_id, owner, self._visibility(), self.rng.random() >= COMMENTS_OFF, duration)
        steps.append((owner, self._published(video)))
        self.videos.append(video)
        return [self._append(streams.video(video_id), actor, event) for actor, event in steps]

    def _visibility(self) -> Visibility:
        (visibility,) = self.rng.choices([v for v, _ in VISIBILITY], [w for _, w in VISIBILITY])
        return visibility

    def _published(self, video: _Video) -> VideoPublished:
        """Tags of Zipf popularity, some typed in the caption, some picked (the decider merges both)."""
        tags = list(
            dict.fromkeys(HASHTAGS[self._popular(len(HASHTAGS))] for _ in range(self.rng.randint(0, 4)))
        )
        in_caption = tags[: self.rng.randint(0, len(tags))]
        caption = " ".join([self.rng.choice(PHRASES), *(f"#{t}" for t in in_caption)])
        visibility = video.visibility.value
        return VideoPublished(
            video.video_id, video.owner_id, caption, tags, visibility, video.comments_allowed
        )

    # -- engagement --------------------------------------------------------------------------

    def _view(self) -> list[Append]:
        """One person watching one video: the watch signals, then maybe a like, a comment, a share."""
        out = self._next_day()
        video = self._pick_video()
        viewer = self._viewer_of(video)
        watched = self._watch(viewer, video)
        out += self._maybe_like(viewer, video, watched)
        out += self._maybe_comment(viewer, video, watched)
        if self.rng.random() < SHARE:
            channel = self.rng.choice(list(ShareChannel)).value
            share = VideoShared(self._new_id(), viewer, video.video_id, channel)
            out.append(self._append(streams.shares(viewer), viewer, share))
        return out + self._send_full(viewer)

    def _pick_video(self) -> _Video:
        """Half by recency (the newest is the likeliest), half by lasting popularity (the oldest)."""
        rank = self._popular(len(self.videos))
        return self.videos[-1 - rank] if self.rng.random() < 0.5 else self.videos[rank]

    def _viewer_of(self, video: _Video) -> str:
        """Someone who may see the video: anyone for public, a follower for followers-only, else the owner."""
        for _ in range(3):
            viewer = self.rng.choice(self.users)
            if self._can_see(viewer, video):
                return viewer
        return video.owner_id

    def _can_see(self, viewer: str, video: _Video) -> bool:
        if viewer == video.owner_id or video.visibility == Visibility.PUBLIC:
            return True
        return video.visibility == Visibility.FOLLOWERS and video.owner_id in self.following[viewer]

    def _watch(self, viewer: str, video: _Video) -> bool:
        """Buffers a view and a skip or some watch time; says whether the viewer stayed."""
        signals: list[DomainEvent] = [ViewStarted(self._signal_id(), viewer, video.video_id)]
        stayed = self.rng.random() >= SKIP
        if not stayed:
            signals.append(VideoSkipped(self._signal_id(), viewer, video.video_id, self.rng.randrange(3_000)))
        else:
            completed = self.rng.random() < COMPLETE
            share = 1.0 if completed else self.rng.uniform(0.1, 0.95)
            watched = max(3_000, int(video.duration_ms * share))
            position = min(watched, video.duration_ms)
            rewatch = completed and self.rng.random() < REWATCH
            signals.append(
                WatchProgressed(
                    self._signal_id(), viewer, video.video_id, watched, position, completed, rewatch
                )
            )
        watching = self.watching.setdefault(viewer, _Watching(self.day, self.rng.randint(*WATCH_BATCH)))
        watching.events.extend(signals)
        self.emitted += len(signals)
        return stayed

    def _signal_id(self) -> str:
        self.next_signal += 1
        return f"s{self.next_signal:x}"

    def _maybe_like(self, viewer: str, video: _Video, watched: bool) -> list[Append]:
        out = []
        if self.liked and self.rng.random() < UNLIKE:
            pairs = list(self.liked)  # rare enough that copying the order is cheaper than keeping a list
            user, video_id = pairs[self.rng.randrange(len(pairs))]
            del self.liked[(user, video_id)]
            out.append(self._append(streams.video_like(user, video_id), user, VideoUnliked(user, video_id)))
        key = (viewer, video.video_id)
        if key not in self.liked and self.rng.random() < (LIKE if watched else LIKE_AFTER_SKIP):
            self.liked[key] = None
            out.append(self._append(streams.video_like(*key), viewer, VideoLiked(*key)))
        return out

    def _maybe_comment(self, viewer: str, video: _Video, watched: bool) -> list[Append]:
        out = []
        roll = self.rng.random()
        if watched and video.comments_allowed and roll < COMMENT:
            out.append(self._comment(viewer, video))
        elif video.comments and roll < COMMENT + COMMENT_LIKE:
            comment = self.rng.choice(video.comments)
            if (viewer, comment.comment_id) not in self.comment_likes:
                self.comment_likes.add((viewer, comment.comment_id))
                stream = streams.comment_like(viewer, comment.comment_id)
                out.append(self._append(stream, viewer, CommentLiked(viewer, comment.comment_id)))
        elif video.comments and roll > 1 - COMMENT_DELETE:
            out.append(self._delete_comment(video))
        return out

    def _comment(self, author: str, video: _Video) -> Append:
        """A top-level comment or a reply; a reply to a reply hangs under the same top-level comment."""
        comment_id = self._new_id()
        text = self.rng.choice(COMMENTS)
        if video.comments and self.rng.random() < REPLY:
            answered = self.rng.choice(video.comments)
            parent = answered.parent_id or answered.comment_id
            event = CommentPosted(comment_id, video.video_id, author, text, parent, answered.comment_id)
        else:
            parent, event = None, CommentPosted(comment_id, video.video_id, author, text)
        video.comments.append(_Comment(comment_id, parent, author))
        return self._append(streams.comment(comment_id), author, event)

    def _delete_comment(self, video: _Video) -> Append:
        """Its author takes a comment down; it takes no replies or likes from then on."""
        gone = video.comments.pop(self.rng.randrange(len(video.comments)))
        event = CommentDeleted(
            gone.comment_id, video.video_id, gone.author_id, DeletedAs.AUTHOR.value, gone.parent_id
        )
        return self._append(streams.comment(gone.comment_id), gone.author_id, event)

    # -- sending watch signals ---------------------------------------------------------------

    def _next_day(self) -> list[Append]:
        """At midnight every client sends what it buffered: a day's stream holds only that day."""
        day = datetime.fromtimestamp(self.now_ms / 1000, UTC).strftime("%Y%m%d")
        if day == self.day:
            return []
        self.day = day
        return list(self._send_watching())

    def _send_full(self, viewer: str) -> list[Append]:
        watching = self.watching[viewer]
        if len(watching.events) < watching.size:
            return []
        del self.watching[viewer]
        return [self._sent(viewer, watching)]

    def _send_watching(self) -> Iterator[Append]:
        sending, self.watching = self.watching, {}
        for viewer, watching in sending.items():
            yield self._sent(viewer, watching)

    def _sent(self, viewer: str, watching: _Watching) -> Append:
        """Already counted when buffered."""
        return Append(streams.activity(viewer, watching.day), tuple(watching.events), viewer, self.now_ms)


# -- writing a log --------------------------------------------------------------------------------


class Appender:
    """Appends as the handlers do: a command's events to its stream at the version it saw (watch
    signals with no check and ids from their dedupe keys), personal fields sealed by the codec.

    ``versions`` (stream → version) is what it knows of the log; appenders that share it go on
    where another left off."""

    def __init__(self, store: EventStore, codec: EventCodec, versions: dict[str, int] | None = None) -> None:
        self._store = store
        self._codec = codec
        self._versions = {} if versions is None else versions

    def append(self, item: Append) -> AppendResult:
        occurred = datetime.fromtimestamp(item.at_ms / 1000, UTC).isoformat(timespec="microseconds")
        metadata = Metadata(actor=item.actor, correlation_id=str(uuid7()), occurred_at=occurred)
        if item.stream.startswith("activity-"):
            encoded = [self._codec.encode(e, metadata, event_id=_dedupe_id(e)) for e in item.events]
            return self._store.append(item.stream, encoded, StreamState.ANY)
        encoded = [self._codec.encode(e, metadata) for e in item.events]
        seen = self._versions.get(item.stream)
        result = self._store.append(item.stream, encoded, StreamState.NO_STREAM if seen is None else seen)
        self._versions[item.stream] = result.version
        return result

    def append_all(self, items: Iterable[Append]) -> int:
        """Appends everything; returns the last position."""
        position = 0
        for item in items:
            position = self.append(item).position
        return position


def _dedupe_id(event: DomainEvent) -> str:
    assert isinstance(event, ViewStarted | WatchProgressed | VideoSkipped)
    return id_from_key(*dedupe_key(event))


@dataclasses.dataclass(frozen=True, slots=True)
class Log:
    """A log on disk: the events and the data keys that unseal their personal fields."""

    folder: Path

    @property
    def events(self) -> Path:
        return self.folder / "events.db"

    @property
    def keys(self) -> Path:
        return self.folder / "keys.db"

    def copy_to(self, folder: Path) -> Log:
        """A copy to append to, leaving the cached log as it was built."""
        folder.mkdir(parents=True, exist_ok=True)
        for path in (self.events, self.keys):
            shutil.copyfile(path, folder / path.name)
        return Log(folder)


def build(folder: Path, items: Iterable[Append], versions: dict[str, int] | None = None) -> int:
    """Writes a log into ``folder``, without waiting for the disk on each commit (the log is
    rebuilt from its seed if lost); returns the last position."""
    keys = SQLiteKeyStore(folder / "keys.db")
    store = SQLiteEventStore(folder / "events.db", sync="normal")
    try:
        return Appender(store, EventCodec(Sealer(keys)), versions).append_all(items)
    finally:
        store.close()
        keys.close()


def cached(size: int, seed: int = SEED, cache: Path = CACHE) -> Log:
    """The log for this seed and size, built first if it is not cached (into a scratch folder that
    is renamed when done, so an interrupted build is never taken for a whole one)."""
    log = Log(cache / f"v{VERSION}-seed{seed}-{size}")
    if log.events.exists():
        return log
    scratch = cache / f"building-{uuid7().hex}"
    scratch.mkdir(parents=True)
    print(f"building a synthetic log of {size:,} events (seed {seed}) in {log.folder} …", flush=True)
    started = time.perf_counter()
    head = build(scratch, generate(size, seed))
    scratch.rename(log.folder)
    print(f"… {head:,} events in {time.perf_counter() - started:.1f} s", flush=True)
    return log
