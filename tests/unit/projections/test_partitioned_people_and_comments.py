"""Partitions of the profiles, Following feed, comment threads and video details apply their slices
at their own pace (DESIGN.md §14): whichever runs ahead and whatever the others have written
meanwhile, the rows they leave are those one runner leaves, the shards of a user's totals summed.

These are the projectors whose events touch several entities or rows that another partition owns: a
follow (both people, or the creator), a block (both people), a comment like (which names no video,
so every partition is offered it and the one owning the comment's video counts it) and an erasure
(every partition removes what it holds of the person). Histories are drawn so events collide, keeping
what the domain guarantees: a video's owner never changes and its draft comes first; a comment
belongs to one video, and a reply answers, and a pin names, a comment of that video.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.accounts.events import ErasureRequested, ProfileChanged, UserRegistered
from domain.engagement.comment_likes import CommentLiked, CommentUnliked
from domain.engagement.comments import CommentDeleted, CommentEdited, CommentHeld, CommentPosted
from domain.engagement.likes import VideoLiked, VideoUnliked
from domain.events import DomainEvent
from domain.social import UserBlocked, UserFollowed, UserUnfollowed
from domain.videos.events import (
    CommentPinned,
    VideoDeleted,
    VideoDraftCreated,
    VideoEdited,
    VideoHidden,
    VideoPublished,
    VideoRestored,
    VideoUnpublished,
)
from projections.models import comment_threads, following_feed, profiles, video_details
from projections.partition import Partition
from tests.unit.projections.paced_partitions import rows_of_one_runner

#: The Following feed with a threshold of two followers, so creators turn large and small again.
PROJECTORS = (
    profiles.PROJECTOR,
    following_feed.make_projector(threshold=2),
    comment_threads.PROJECTOR,
    video_details.PROJECTOR,
)
PARTS = 3
ANN, BOB, CAT, DAN = (f"0190aaaa-bbbb-7ccc-8ddd-00000000000{c}" for c in "abcd")
V0, V1, V2, V3 = (f"0190aaaa-bbbb-7ccc-8ddd-00000000010{n}" for n in (0, 1, 5, 7))
OWNERS = {V0: ANN, V1: BOB, V2: CAT, V3: DAN}
#: Each comment belongs to one video and has one author; earlier ones of a video may be parents.
COMMENTS = {f"0190aaaa-bbbb-7ccc-8ddd-00000000020{n}": v for n, v in enumerate([V0, V0, V0, V1, V2, V3, V3])}
AUTHORS = {c: [ANN, BOB, CAT, DAN][n % 4] for n, c in enumerate(sorted(COMMENTS))}

USERS = st.sampled_from([ANN, BOB, CAT, DAN])
VIDEOS = st.sampled_from(sorted(OWNERS))
COMMENT_IDS = st.sampled_from(sorted(COMMENTS))
VISIBILITY = st.sampled_from(["public", "followers", "private"])


@st.composite
def video_event(draw: st.DrawFn) -> DomainEvent:
    video = draw(VIDEOS)
    owner = OWNERS[video]
    return draw(
        st.sampled_from(
            [
                VideoPublished(video, owner, "a clip", ["cats"], draw(VISIBILITY), True),
                VideoEdited(video, owner, "edited", ["dance"], draw(VISIBILITY), True),
                VideoUnpublished(video, owner),
                VideoHidden(video, owner, "mod", "spam"),
                VideoRestored(video, owner, "mod", "fine"),
                VideoDeleted(video, owner),
                CommentPinned(
                    video, owner, draw(st.sampled_from(sorted(c for c, v in COMMENTS.items() if v == video)))
                ),
            ]
        )
    )


@st.composite
def comment_event(draw: st.DrawFn) -> DomainEvent:
    comment = draw(COMMENT_IDS)
    video, author, liker = COMMENTS[comment], AUTHORS[comment], draw(USERS)
    siblings = sorted(c for c, v in COMMENTS.items() if v == video and c < comment)
    parent = draw(st.none() | st.sampled_from(siblings)) if siblings else None
    posted = CommentPosted(comment, video, author, "nice", parent, parent)
    liked = CommentLiked(liker, comment)
    return draw(
        st.sampled_from(
            [
                posted,
                posted,
                CommentHeld(comment, video, author, "held", parent, parent),
                CommentEdited(comment, video, author, "edited", parent),
                CommentDeleted(comment, video, author, "author", parent),
                liked,
                liked,
                CommentUnliked(liker, comment),
            ]
        )
    )


OTHERS: st.SearchStrategy[DomainEvent] = st.one_of(
    video_event(),
    st.builds(ProfileChanged, USERS, st.just("Name"), st.just("bio"), st.none()),
    st.builds(ErasureRequested, USERS, USERS),
    st.builds(UserFollowed, USERS, USERS),
    st.builds(UserUnfollowed, USERS, USERS, st.just("requested")),
    st.builds(UserBlocked, USERS, USERS),
    st.builds(VideoLiked, USERS, VIDEOS),
    st.builds(VideoUnliked, USERS, VIDEOS),
)
#: Comment events drawn as often as all the others: a like counts only after its comment is posted.
EVENTS = st.booleans().flatmap(lambda comment: comment_event() if comment else OTHERS)
FIRST = [
    *(
        UserRegistered(user, f"h{n}", f"h{n}@example.com", "hash", "Name")
        for n, user in enumerate(OWNERS.values())
    ),
    *(VideoDraftCreated(video, owner) for video, owner in OWNERS.items()),
]
HISTORIES = st.lists(EVENTS, min_size=10, max_size=50).map(lambda drawn: [*FIRST, *drawn])


def test_the_people_videos_and_comments_drawn_fall_in_every_partition() -> None:
    # Given the ids the histories use, Then each partition owns some person and video
    for index in range(PARTS):
        partition = Partition(index, PARTS)
        assert any(map(partition.owns, OWNERS.values())), index
        assert any(map(partition.owns, OWNERS)), index


@settings(max_examples=40, deadline=None)
@given(history=HISTORIES, order=st.permutations(range(PARTS)), cut=st.floats(0, 1))
def test_partitions_at_any_pace_leave_the_rows_of_one_runner(
    history: list[DomainEvent], order: list[int], cut: float
) -> None:
    rows_of_one_runner(PROJECTORS, history, order, cut)
