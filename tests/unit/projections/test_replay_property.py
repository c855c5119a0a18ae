"""Delivery is at least once, the effect exactly once: for any history, every registered projector
ends with the same rows whether each event arrived once, the whole log came twice, or a crash made a
stretch of it come again, and whether events were written in one batch or one by one.

Histories are drawn over a few users, videos and comments so that events collide, and they need not
make sense (a like of a video never drafted, a reply to a comment deleted, a follow after a block):
projectors take the log as it is. They keep the two facts the domain guarantees and the projectors
rely on: a video's owner never changes, and its draft comes before anything else about it.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path
from typing import Any, cast
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.accounts.events import ErasureRequested, ProfileChanged, UserRegistered
from domain.engagement.comment_likes import CommentLiked, CommentUnliked
from domain.engagement.comments import CommentDeleted, CommentEdited, CommentPosted
from domain.engagement.likes import VideoLiked, VideoUnliked
from domain.engagement.shares import VideoShared
from domain.events import DomainEvent
from domain.social import UserBlocked, UserFollowed, UserUnblocked, UserUnfollowed
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
)
from domain.watching import VideoSkipped, ViewStarted, WatchProgressed
from projections import registry, runner
from projections.projector import Projector
from projections.runner import Runner
from read_models import projection_state
from read_models.live import Build
from tests.integration.log_builder import snapshot
from tests.unit.projections.world import World

ANN, BOB, CAT = (f"0190aaaa-bbbb-7ccc-8ddd-00000000000{c}" for c in "abc")
V0, V1, V2 = (f"0190aaaa-bbbb-7ccc-8ddd-00000000010{n}" for n in range(3))
OWNERS = {V0: ANN, V1: BOB}  # V2 is never drafted: likes and comments on it are of an unknown video
USERS = st.sampled_from([ANN, BOB, CAT])
VIDEOS = st.sampled_from([V0, V1, V2])
OWNED = st.sampled_from(sorted(OWNERS))
COMMENTS = st.sampled_from([f"0190aaaa-bbbb-7ccc-8ddd-00000000020{n}" for n in range(3)])
PARENTS = st.none() | COMMENTS
TEXT = st.sampled_from(["hi", "hello", "hi @ann", "@bob and @ANN"])  # handles mentioned, or not
TAGS = st.lists(st.sampled_from(["cats", "dance"]), max_size=2, unique=True)
VISIBILITY = st.sampled_from(["public", "followers", "private"])
CLIENT_IDS = st.sampled_from(["c1", "c2"])
MS = st.integers(0, 20_000)


def _owned(event: DomainEvent) -> DomainEvent:
    """The event under its video's one owner."""
    video_event: Any = event
    return cast(DomainEvent, dataclasses.replace(video_event, owner_id=OWNERS[video_event.video_id]))


VIDEO_EVENTS: st.SearchStrategy[DomainEvent] = st.one_of(
    st.builds(VideoPublished, OWNED, USERS, TEXT, TAGS, VISIBILITY, st.booleans()),
    st.builds(VideoEdited, OWNED, USERS, TEXT, TAGS, VISIBILITY, st.booleans()),
    st.builds(VideoUnpublished, OWNED, USERS),
    st.builds(VideoDeleted, OWNED, USERS),
    st.builds(VideoHidden, OWNED, USERS, USERS, TEXT),
    st.builds(VideoRestored, OWNED, USERS, USERS, TEXT),
    st.builds(CommentPinned, OWNED, USERS, COMMENTS),
    st.builds(CommentUnpinned, OWNED, USERS, COMMENTS),
).map(_owned)
EVENTS: st.SearchStrategy[DomainEvent] = st.one_of(
    VIDEO_EVENTS,
    st.builds(UserRegistered, USERS, st.sampled_from(["ann", "bob"]), st.just("a@example.com"), TEXT, TEXT),
    st.builds(ProfileChanged, USERS, TEXT, TEXT, st.none()),
    st.builds(ErasureRequested, USERS, USERS),
    st.builds(UserFollowed, USERS, USERS),
    st.builds(UserUnfollowed, USERS, USERS, st.just("requested")),
    st.builds(UserBlocked, USERS, USERS),
    st.builds(UserUnblocked, USERS, USERS),
    st.builds(VideoLiked, USERS, VIDEOS),
    st.builds(VideoUnliked, USERS, VIDEOS),
    st.builds(VideoShared, st.sampled_from(["s1", "s2"]), USERS, VIDEOS, st.just("sms")),
    st.builds(ViewStarted, CLIENT_IDS, USERS, VIDEOS),
    st.builds(WatchProgressed, CLIENT_IDS, USERS, VIDEOS, MS, MS, st.booleans(), st.booleans()),
    st.builds(VideoSkipped, CLIENT_IDS, USERS, VIDEOS, MS),
    st.builds(CommentPosted, COMMENTS, VIDEOS, USERS, TEXT, PARENTS, PARENTS),
    st.builds(CommentEdited, COMMENTS, VIDEOS, USERS, TEXT, PARENTS),
    st.builds(CommentDeleted, COMMENTS, VIDEOS, USERS, st.just("author"), PARENTS),
    st.builds(CommentLiked, USERS, COMMENTS),
    st.builds(CommentUnliked, USERS, COMMENTS),
)
DRAFTS = [VideoDraftCreated(video_id, owner) for video_id, owner in OWNERS.items()]
HISTORIES = st.lists(EVENTS, max_size=40).map(lambda drawn: [*DRAFTS, *drawn])
#: Separate builds of each projector in one store (rebuild numbers), so their rows can be compared.
ONCE, TWICE, REPEATED = 1, 2, 3


@settings(max_examples=60, deadline=None)
@given(history=HISTORIES, cut=st.floats(0, 1), back=st.floats(0, 1))
def test_every_projector_makes_the_same_rows_however_often_events_arrive(
    history: list[DomainEvent], cut: float, back: float
) -> None:
    with tempfile.TemporaryDirectory(prefix="strom-replay-") as tmp:
        world = World(Path(tmp))
        try:
            # Given a history, each event recorded in its own append (its own position)
            head = 0
            for event in history:
                head = world.given(event)
            crash_at = round(head * cut)
            resume_from = round(crash_at * back)
            for projector in registry.ALL:
                once, twice, repeated = (Build(projector.version, n) for n in (ONCE, TWICE, REPEATED))
                # When it is applied once, in one batch, as a rebuild does (into tables known empty)
                _run(world, projector, once, until=head, fresh=True)
                # and applied twice, one event per batch
                with mock.patch.object(runner, "FLUSH_EVERY", 1):
                    _run(world, projector, twice, until=head)
                _rewind(world, projector, twice, 0)
                _run(world, projector, twice, until=head)
                # and cut short, then resumed from an earlier checkpoint (a stretch applied twice)
                _run(world, projector, repeated, until=crash_at)
                _rewind(world, projector, repeated, resume_from)
                _run(world, projector, repeated, until=head)
                # Then all three hold the same rows
                rows = snapshot(world.store, projector, once)
                assert snapshot(world.store, projector, twice) == rows, projector.name
                assert snapshot(world.store, projector, repeated) == rows, projector.name
        finally:
            world.close()


def _run(world: World, projector: Projector, build: Build, *, until: int, fresh: bool = False) -> None:
    """One process's run of the build: a new runner, remembering nothing from the one before."""
    Runner(
        projector, events=world.events, codec=world.codec, store=world.store, build=build, fresh=fresh
    ).run(until=until)


def _rewind(world: World, projector: Projector, build: Build, position: int) -> None:
    """As after a crash that lost the checkpoints after ``position``: the events after it come again."""
    state = projection_state.load(world.store, projector.name, build.label, version=build.version)
    projection_state.save(world.store, dataclasses.replace(state, position=position))
