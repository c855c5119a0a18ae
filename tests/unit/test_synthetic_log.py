"""The benchmarks' synthetic log is one the command side would have written: every event is what the
deciders decide, in order, for the command it stands for, on the stream the handlers use; and a seed
always gives the same log, so cached logs and benchmark runs compare."""

from __future__ import annotations

import collections
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import synthetic
from commands import streams
from domain import accounts, social, videos, watching
from domain.access import VideoAccess, Visibility
from domain.actors import Actor
from domain.engagement import comment_likes, comments, likes, shares
from domain.engagement.visibility import can_see
from domain.events import DomainEvent
from domain.screening import SCREENER, Findings, Policy
from eventstore.codec import EventCodec
from eventstore.keystore import SQLiteKeyStore
from eventstore.sealing import Sealer
from eventstore.sqlite import SQLiteEventStore

SIZE = 6_000


class Referee:
    """Folds every stream as its aggregate does and asks the aggregate's decider for each event."""

    def __init__(self) -> None:
        self.claimed: dict[str, str] = {}
        self.accounts: dict[str, accounts.State] = collections.defaultdict(lambda: accounts.initial)
        self.graphs: dict[str, social.State] = collections.defaultdict(lambda: social.initial)
        self.videos: dict[str, videos.State] = collections.defaultdict(lambda: videos.initial)
        self.likes: dict[str, likes.State] = collections.defaultdict(lambda: likes.initial)
        self.comments: dict[str, comments.State] = collections.defaultdict(lambda: comments.initial)
        self.comment_likes: dict[str, comment_likes.State] = collections.defaultdict(
            lambda: comment_likes.initial
        )

    def accept(self, append: synthetic.Append) -> None:
        if append.stream.startswith("activity-"):
            self._watch_batch(append)
            return
        for event in append.events:
            self._one(append, event)

    def _one(self, append: synthetic.Append, event: DomainEvent) -> None:
        system = {videos.PIPELINE.user_id: videos.PIPELINE, SCREENER.user_id: SCREENER}
        actor = system.get(append.actor) or Actor(append.actor)
        match event:
            case accounts.HandleClaimed() | accounts.EmailClaimed():
                self._claim(append.stream, event)
            case accounts.UserRegistered() | accounts.ProfileChanged():
                self._account(append.stream, actor, event)
            case social.UserFollowed() | social.UserUnfollowed():
                self._graph(append.stream, actor, event)
            case videos.VideoDraftCreated() | videos.VideoPublished():
                self._video(append.stream, actor, event)
            case _ if type(event) in PIPELINE_STEPS:
                self._video(append.stream, actor, event)
            case likes.VideoLiked() | likes.VideoUnliked():
                self._like(append.stream, actor, event)
            case comments.CommentPosted() | comments.CommentDeleted():
                self._comment(append.stream, actor, event)
            case comment_likes.CommentLiked():
                self._comment_like(append.stream, actor, event)
            case shares.VideoShared():
                self._share(append.stream, actor, event)
            case _:
                raise AssertionError(f"the referee does not know {event.event_type}")

    # -- accounts and the graph ----------------------------------------------------------------

    def _claim(self, stream: str, event: accounts.HandleClaimed | accounts.EmailClaimed) -> None:
        """Claims hold no value: the account's event, which does, is checked against their streams."""
        assert self.claimed.get(stream) is None
        self.claimed[stream] = event.user_id

    def _account(
        self, stream: str, actor: Actor, event: accounts.UserRegistered | accounts.ProfileChanged
    ) -> None:
        state = self.accounts[event.user_id]
        assert stream == streams.user(event.user_id)
        if isinstance(event, accounts.UserRegistered):
            assert event.handle is not None
            assert event.email is not None
            assert event.password_hash is not None
            assert event.display_name is not None
            assert self.claimed[synthetic.handle_claim_stream(event.handle)] == event.user_id
            assert self.claimed[synthetic.email_claim_stream(event.email)] == event.user_id
            cmd = accounts.RegisterUser(
                event.user_id, event.handle, event.email, event.password_hash, event.display_name
            )
            decided = accounts.decide_register(state, cmd)
        else:
            assert event.display_name is not None
            assert event.bio is not None
            decided = accounts.decide_change_profile(
                state, accounts.ChangeProfile(actor, event.display_name, event.bio)
            )
        assert decided == [event]
        self.accounts[event.user_id] = accounts.evolve(state, event)

    def _registered(self, *user_ids: str) -> None:
        for user_id in user_ids:
            assert self.accounts[user_id].registered, f"{user_id} acts before registering"

    def _graph(self, stream: str, actor: Actor, event: social.UserFollowed | social.UserUnfollowed) -> None:
        self._registered(event.follower_id, event.followee_id)
        assert stream == streams.follows(actor.user_id)
        state = self.graphs[actor.user_id]
        if isinstance(event, social.UserFollowed):
            cmd = social.FollowUser(actor, event.followee_id)
            decided = social.decide_follow_user(state, cmd, blocked_by_target=False)
        else:
            decided = social.decide_unfollow_user(state, social.UnfollowUser(actor, event.followee_id))
        assert decided == [event]
        self.graphs[actor.user_id] = social.evolve(state, event)

    # -- videos --------------------------------------------------------------------------------

    def _video(self, stream: str, actor: Actor, event: Any) -> None:
        assert stream == streams.video(event.video_id)
        self._registered(event.owner_id)
        state = self.videos[event.video_id]
        decide = PIPELINE_STEPS.get(type(event)) or OWNER_STEPS[type(event)]
        assert decide(state, actor, event) == [event]
        self.videos[event.video_id] = videos.evolve(state, event)

    def _engageable(self, actor: Actor, video_id: str) -> tuple[VideoAccess, bool]:
        """What engagement deciders are given; the generator never engages where a block stands."""
        self._registered(actor.user_id)
        access = videos.access(self.videos[video_id])
        return access, access.owner_id in self.graphs[actor.user_id].following

    # -- engagement ----------------------------------------------------------------------------

    def _like(self, stream: str, actor: Actor, event: likes.VideoLiked | likes.VideoUnliked) -> None:
        assert stream == streams.video_like(actor.user_id, event.video_id)
        state = self.likes[stream]
        if isinstance(event, likes.VideoLiked):
            access, follows = self._engageable(actor, event.video_id)
            cmd = likes.LikeVideo(actor, event.video_id)
            decided = likes.decide_like_video(state, cmd, video=access, follows_owner=follows, blocked=False)
        else:
            decided = likes.decide_unlike_video(state, likes.UnlikeVideo(actor, event.video_id))
        assert decided == [event]
        self.likes[stream] = likes.evolve(state, event)

    def _comment(
        self, stream: str, actor: Actor, event: comments.CommentPosted | comments.CommentDeleted
    ) -> None:
        assert stream == streams.comment(event.comment_id)
        state = self.comments[event.comment_id]
        access, follows = self._engageable(actor, event.video_id)
        if isinstance(event, comments.CommentPosted):
            assert event.text is not None
            cmd = comments.PostComment(actor, event.comment_id, event.video_id, event.text, event.reply_to_id)
            replied = None if event.reply_to_id is None else self.comments[event.reply_to_id]
            decided = comments.decide_post_comment(
                state, cmd, video=access, follows_owner=follows, blocked=False, reply_to=replied
            )
        else:
            cmd_delete = comments.DeleteComment(actor, event.comment_id)
            decided = comments.decide_delete_comment(state, cmd_delete, video=access)
        assert decided == [event]
        self.comments[event.comment_id] = comments.evolve(state, event)

    def _comment_like(self, stream: str, actor: Actor, event: comment_likes.CommentLiked) -> None:
        assert stream == streams.comment_like(actor.user_id, event.comment_id)
        state, comment = self.comment_likes[stream], self.comments[event.comment_id]
        access, follows = self._engageable(actor, comment.video_id)
        cmd = comment_likes.LikeComment(actor, event.comment_id)
        decided = comment_likes.decide_like_comment(
            state, cmd, comment=comment, video=access, follows_owner=follows, blocked=False
        )
        assert decided == [event]
        self.comment_likes[stream] = comment_likes.evolve(state, event)

    def _share(self, stream: str, actor: Actor, event: shares.VideoShared) -> None:
        assert stream == streams.shares(actor.user_id)
        access, follows = self._engageable(actor, event.video_id)
        cmd = shares.ShareVideo(actor, event.share_id, event.video_id, shares.ShareChannel(event.channel))
        assert shares.decide_share_video(cmd, video=access, follows_owner=follows, blocked=False) == [event]

    def _watch_batch(self, append: synthetic.Append) -> None:
        """The decider checks the batch alone; that each video was watchable is checked here."""
        actor = Actor(append.actor)
        assert append.stream.startswith(f"activity-{actor.user_id}-")
        for event in append.events:
            assert isinstance(event, watching.ViewStarted | watching.WatchProgressed | watching.VideoSkipped)
            assert event.video_id is not None  # sealed fields read None only once erased
            access, follows = self._engageable(actor, event.video_id)
            assert access.watchable
            assert can_see(access, actor.user_id, follows_owner=follows)
        batch = watching.RecordWatchBatch(actor, tuple(_signal(e) for e in append.events))
        assert watching.decide_record_watch_batch(batch) == list(append.events)


def _signal(event: DomainEvent) -> watching.WatchSignal:
    """The signal a watch event was recorded from (its sealed fields read, as before any erasure)."""
    match event:
        case watching.ViewStarted(client_event_id=c, video_id=str(v)):
            return watching.ViewStart(c, v)
        case watching.WatchProgressed(
            client_event_id=c,
            video_id=str(v),
            watched_ms=int(ms),
            position_ms=int(at),
            completed=bool(done),
            rewatch=bool(again),
        ):
            return watching.WatchProgress(c, v, ms, at, done, again)
        case watching.VideoSkipped(client_event_id=c, video_id=str(v), watched_ms=int(ms)):
            return watching.QuickSkip(c, v, ms)
    raise AssertionError(f"{event.event_type} is no watch signal")


Step = Callable[[videos.State, Actor, Any], list[videos.Event]]
PIPELINE_STEPS: dict[type[DomainEvent], Step] = {
    videos.VideoUploadCompleted: lambda s, a, e: videos.decide_complete_upload(
        s, videos.CompleteUpload(a, e.video_id, e.upload_id, e.size_bytes, e.duration_ms, e.width, e.height)
    ),
    videos.VideoProcessingStarted: lambda s, a, e: videos.decide_start_processing(
        s, videos.StartProcessing(a, e.video_id, upload_id=s.upload_id or "")
    ),
    videos.VideoProcessingProgressed: lambda s, a, e: videos.decide_report_processing_progress(
        s, videos.ReportProcessingProgress(a, e.video_id, e.percent, upload_id=s.upload_id or "")
    ),
    videos.VideoProcessingSucceeded: lambda s, a, e: videos.decide_complete_processing(
        s,
        videos.CompleteProcessing(
            a,
            e.video_id,
            e.renditions,
            e.master_playlist,
            e.poster,
            e.thumbnails,
            upload_id=s.upload_id or "",
        ),
    ),
    videos.VideoProcessingFailed: lambda s, a, e: videos.decide_fail_processing(
        s, videos.FailProcessing(a, e.video_id, e.reason, upload_id=s.upload_id or "")
    ),
    videos.VideoScreened: lambda s, a, e: videos.decide_record_screening(
        s,
        videos.RecordScreening(
            a, e.video_id, e.upload_id, Policy(), e.policy_version, Findings(nsfw_score=e.nsfw_score)
        ),
    ),
}
OWNER_STEPS: dict[type[DomainEvent], Step] = {
    videos.VideoDraftCreated: lambda s, a, e: videos.decide_create_draft(
        s, videos.CreateDraft(a, e.video_id)
    ),
    videos.VideoPublished: lambda s, a, e: videos.decide_publish_video(
        s,
        videos.PublishVideo(
            a, e.video_id, e.caption, e.hashtags, Visibility(e.visibility), e.comments_allowed
        ),
    ),
}


def test_every_event_is_what_the_deciders_decide_in_order() -> None:
    # Given a referee that knows nothing yet
    referee = Referee()

    # When the whole log is refereed append by append
    log = list(synthetic.generate(SIZE, seed=11))
    for append in log:
        referee.accept(append)

    # Then every event passed, and the log is as long as asked
    assert SIZE <= sum(len(a.events) for a in log) < SIZE + 10


def test_the_log_is_mostly_watching_with_every_kind_of_engagement() -> None:
    # When
    counts = collections.Counter(e.event_type for a in synthetic.generate(SIZE, seed=3) for e in a.events)

    # Then views and watch signals dominate, as on a real platform, and nothing is missing
    watched = counts["ViewStarted"] + counts["WatchProgressed"] + counts["VideoSkipped"]
    assert watched > 0.7 * sum(counts.values())
    kinds = {"UserRegistered", "UserFollowed", "VideoPublished", "VideoLiked", "CommentPosted", "VideoShared"}
    assert kinds <= counts.keys()


def test_a_seed_always_gives_the_same_log_and_another_seed_another() -> None:
    # When
    first, again, other = (list(synthetic.generate(2_000, seed=s)) for s in (5, 5, 6))

    # Then
    assert first == again
    assert first != other


def test_a_built_log_holds_every_event_and_reads_back_unsealed(tmp_path: Path) -> None:
    # Given
    items = list(synthetic.generate(2_000, seed=7))

    # When
    head = synthetic.build(tmp_path, items)

    # Then every event is there, in order, and decodes to what was generated (sealed fields included)
    keys, store = SQLiteKeyStore(tmp_path / "keys.db"), SQLiteEventStore(tmp_path / "events.db")
    try:
        codec = EventCodec(Sealer(keys))
        decoded = [codec.decode(record).event for record in store.read_all()]
    finally:
        store.close()
        keys.close()
    assert head == len(decoded)
    assert decoded == [e for item in items for e in item.events]
