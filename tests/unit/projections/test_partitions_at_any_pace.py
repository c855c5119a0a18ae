"""Partitions of a projector apply their slices at their own pace (DESIGN.md §14): whichever runs
ahead, whichever lags, and whatever rows the others have written meanwhile, the rows they leave are
those one runner leaves, a sharded table's shards combined as its readers combine them.

For the projectors whose rows gather many entities (the notifications inboxes, the moderation queue,
the transparency report, the For You model), over histories drawn so events collide: the partitions
run one after another, in a drawn order, to a drawn point of the log, then in the reverse order to
its end, each as a new process would (remembering nothing, reading what the store holds). The
histories keep the facts the domain guarantees: a video's owner never changes and its draft comes
first; a comment belongs to one video, and a reply answers a comment of the same video.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.accounts.events import (
    ErasureRequested,
    PersonalisationConsentGiven,
    PersonalisationConsentWithdrawn,
    UserRegistered,
)
from domain.engagement.comments import CommentHeld, CommentPosted
from domain.engagement.likes import VideoLiked, VideoUnliked
from domain.engagement.shares import VideoShared
from domain.events import DomainEvent
from domain.feeds import FeedServed
from domain.moderation.cases import CaseAssigned, CaseDismissed, CaseEscalated, CaseResolved
from domain.moderation.standing import AppealDecided, AppealFiled, ContentModerated, StrikeRecorded
from domain.notifications import NotificationSettingsChanged, NotificationsRead
from domain.reports import ReportFiled
from domain.social import UserBlocked, UserFollowed, UserUnblocked, UserUnfollowed
from domain.videos.events import (
    VideoDeleted,
    VideoDraftCreated,
    VideoEdited,
    VideoHidden,
    VideoPublished,
    VideoRestored,
    VideoScreened,
    VideoUploadCompleted,
)
from domain.watching import VideoSkipped, ViewStarted, WatchProgressed
from projections.models import moderation_queue, notifications, recommendations, transparency
from projections.partition import Partition
from tests.unit.projections.paced_partitions import rows_of_one_runner

PROJECTORS = (
    transparency.PROJECTOR,
    moderation_queue.PROJECTOR,
    notifications.PROJECTOR,
    recommendations.PROJECTOR,
)
PARTS = 3
#: People and videos whose ids, and the videos' cases, spread over the three partitions.
ANN, BOB, CAT, DAN = (f"0190aaaa-bbbb-7ccc-8ddd-00000000000{c}" for c in "abcd")
HANDLES = {ANN: "ann", BOB: "bob", CAT: "cat", DAN: "dan"}
V0, V1, V2, V3 = (f"0190aaaa-bbbb-7ccc-8ddd-00000000010{n}" for n in (0, 1, 5, 7))
OWNERS = {V0: ANN, V1: BOB, V2: CAT, V3: DAN}
#: Each comment belongs to one video.
COMMENTS = {f"0190aaaa-bbbb-7ccc-8ddd-00000000020{n}": video for n, video in enumerate([V0, V0, V1, V2, V3])}
MODERATOR = "0190aaaa-bbbb-7ccc-8ddd-0000000000ff"

USERS = st.sampled_from(sorted(HANDLES))
VIDEOS = st.sampled_from(sorted(OWNERS))
WORDS = st.sampled_from(["hi", "hi @cat", "@ann and @dan", "@bob"])
TAGS = st.lists(st.sampled_from(["cats", "dance"]), max_size=2, unique=True)
REASONS = st.sampled_from(["spam", "hate"])
ACTIONS = st.sampled_from(["a1", "a2"])
CLIENT_IDS = st.sampled_from(["c1", "c2"])
MS = st.integers(0, 20_000)


@st.composite
def comment(draw: st.DrawFn) -> DomainEvent:
    comment_id = draw(st.sampled_from(sorted(COMMENTS)))
    video = COMMENTS[comment_id]
    parent = draw(st.none() | st.sampled_from(sorted(c for c, v in COMMENTS.items() if v == video)))
    return CommentPosted(comment_id, video, draw(USERS), draw(WORDS), parent, None)


@st.composite
def report(draw: st.DrawFn) -> DomainEvent:
    reporter, video = draw(USERS), draw(VIDEOS)
    return ReportFiled(f"r-{reporter}-{video}", reporter, "video", video, OWNERS[video], draw(REASONS))


@st.composite
def video_event(draw: st.DrawFn) -> DomainEvent:
    video = draw(VIDEOS)
    owner = OWNERS[video]
    drawn: DomainEvent = draw(
        st.one_of(
            st.builds(
                VideoPublished, st.just(video), st.just(owner), WORDS, TAGS, st.just("public"), st.just(True)
            ),
            st.builds(
                VideoEdited, st.just(video), st.just(owner), WORDS, TAGS, st.just("public"), st.just(True)
            ),
            st.just(VideoHidden(video, owner, MODERATOR, "spam")),
            st.just(VideoRestored(video, owner, MODERATOR, "fine")),
            st.just(VideoDeleted(video, owner)),
            st.builds(
                VideoUploadCompleted,
                st.just(video),
                st.just(owner),
                st.just("u1"),
                st.just(10),
                MS,
                st.just(1),
                st.just(1),
            ),
            st.builds(
                VideoScreened,
                st.just(video),
                st.just(owner),
                st.just("u1"),
                st.just("p1"),
                st.sampled_from(["held", "passed"]),
                st.just([]),
                st.just([]),
            ),
        )
    )
    return drawn


@st.composite
def case_event(draw: st.DrawFn) -> DomainEvent:
    case = f"video-{draw(VIDEOS)}"
    return draw(
        st.one_of(
            st.just(CaseDismissed(case, MODERATOR, "fine")),
            st.builds(
                CaseResolved,
                st.just(case),
                st.just(MODERATOR),
                ACTIONS,
                st.just("remove_video"),
                USERS,
                REASONS,
            ),
            st.just(CaseEscalated(case, MODERATOR, "hard")),
            st.just(CaseAssigned(case, MODERATOR, MODERATOR)),
        )
    )


@st.composite
def appeal(draw: st.DrawFn) -> DomainEvent:
    video, action = draw(VIDEOS), draw(ACTIONS)
    owner = OWNERS[video]
    return draw(
        st.one_of(
            st.just(AppealFiled(owner, f"p-{action}", action, "remove_video", "video", video, "no")),
            st.builds(
                AppealDecided,
                st.just(owner),
                st.just(f"p-{action}"),
                st.just(action),
                st.just(MODERATOR),
                st.booleans(),
                st.just("so"),
            ),
            st.just(ContentModerated(owner, action, "remove_video", "video", video, MODERATOR, "spam", [])),
            st.just(StrikeRecorded(owner, action, MODERATOR, "spam", "2030-01-01T00:00:00+00:00")),
        )
    )


EVENTS: st.SearchStrategy[DomainEvent] = st.one_of(
    video_event(),
    comment(),
    report(),
    case_event(),
    appeal(),
    USERS.map(lambda user: UserRegistered(user, HANDLES[user], f"{user}@example.com", "hash", "Name")),
    st.builds(ErasureRequested, USERS, USERS),
    st.builds(UserFollowed, USERS, USERS),
    st.builds(UserUnfollowed, USERS, USERS, st.just("requested")),
    st.builds(UserBlocked, USERS, USERS),
    st.builds(UserUnblocked, USERS, USERS),
    st.builds(VideoLiked, USERS, VIDEOS),
    st.builds(VideoUnliked, USERS, VIDEOS),
    st.builds(VideoShared, st.just("s1"), USERS, VIDEOS, st.just("sms")),
    st.builds(ViewStarted, CLIENT_IDS, USERS, VIDEOS),
    st.builds(WatchProgressed, CLIENT_IDS, USERS, VIDEOS, MS, MS, st.booleans(), st.booleans()),
    st.builds(VideoSkipped, CLIENT_IDS, USERS, VIDEOS, MS),
    st.builds(PersonalisationConsentGiven, USERS),
    st.builds(PersonalisationConsentWithdrawn, USERS),
    st.builds(FeedServed, st.just("f1"), USERS, st.just(True), VIDEOS.map(lambda v: [{"video_id": v}])),
    st.builds(NotificationsRead, USERS),
    st.builds(
        NotificationSettingsChanged, USERS, st.lists(st.sampled_from(["like", "mention"]), unique=True)
    ),
    st.sampled_from(sorted(COMMENTS)).map(lambda c: CommentHeld(c, COMMENTS[c], ANN, "hm")),
)
DRAFTS = [VideoDraftCreated(video, owner) for video, owner in OWNERS.items()]
#: Registrations first, as they come in life (a few come again, or after an erasure, in the draws).
REGISTRATIONS = [
    UserRegistered(user, handle, f"{user}@example.com", "hash", "Name") for user, handle in HANDLES.items()
]
HISTORIES = st.lists(EVENTS, min_size=1, max_size=60).map(lambda drawn: [*REGISTRATIONS, *DRAFTS, *drawn])


def test_the_people_and_videos_drawn_fall_in_every_partition() -> None:
    # Given the ids the histories use, Then each partition owns some person, video and case
    for index in range(PARTS):
        partition = Partition(index, PARTS)
        assert any(map(partition.owns, HANDLES)), index
        assert any(map(partition.owns, OWNERS)), index
        assert any(partition.owns(f"video-{v}") for v in OWNERS), index


@settings(max_examples=40, deadline=None)
@given(history=HISTORIES, order=st.permutations(range(PARTS)), cut=st.floats(0, 1))
def test_partitions_at_any_pace_leave_the_rows_of_one_runner(
    history: list[DomainEvent], order: list[int], cut: float
) -> None:
    rows_of_one_runner(PROJECTORS, history, order, cut)
