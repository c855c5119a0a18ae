"""Acts that raced an erasure: a request that passed its session check just before the person's
erasure was recorded lands in the log after it. Acts carrying personal data are refused at the
append once the key is gone, but land in the moment between the erasure being recorded and the key
going; a follow, like, share, block or consent carries none and lands whenever. Every projector must
itself record none of it: then no row but bookkeeping names the person, and none holds their words,
in one partition or three, and the erased person gives no consent."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.accounts.events import ErasureRequested, PersonalisationConsentGiven, UserRegistered
from domain.engagement.comments import CommentPosted
from domain.engagement.likes import VideoLiked
from domain.engagement.shares import VideoShared
from domain.social import UserBlocked, UserFollowed
from domain.videos.events import VideoDraftCreated, VideoPublished
from domain.watching import ViewStarted
from projections import registry
from read_models import recommendations, video_details
from tests.erased_rows import BOOKKEEPING
from tests.unit.projections.world import World

ERIN = "0190aaaa-bbbb-7ccc-8ddd-0000000000e1"
BOB = "0190aaaa-bbbb-7ccc-8ddd-0000000000b0"
CAT = "0190aaaa-bbbb-7ccc-8ddd-0000000000c0"
DAN = "0190aaaa-bbbb-7ccc-8ddd-0000000000d0"
V1 = "0190aaaa-bbbb-7ccc-8ddd-000000000001"
SHARE = "0190aaaa-bbbb-7ccc-8ddd-0000000000f1"
COMMENT = "0190aaaa-bbbb-7ccc-8ddd-0000000000f2"
WORDS = "erin's words from the last moment"


@pytest.mark.parametrize("parts", [1, 3])
def test_a_follow_like_share_or_block_that_raced_an_erasure_leaves_no_row_naming_the_person(
    tmp_path: Path, parts: int
) -> None:
    world = World(tmp_path, parts=parts)
    try:
        # Given Erin, Bob, Cat and Dan, and a public video of Bob's
        for user in (ERIN, BOB, CAT, DAN):
            registered = UserRegistered(user, user[-2:], f"{user}@x", "hash", user[-2:])
            world.given(registered, stream=f"user-{user}")
        published = VideoPublished(V1, BOB, "caption", [], "public", True)
        world.given(VideoDraftCreated(V1, BOB), published, stream=f"video-{V1}")
        # When Erin is erased; a view and a comment of hers land in the moment before her key goes
        world.given(ErasureRequested(ERIN, ERIN), stream=f"user-{ERIN}")
        gap = [ViewStarted("c1", ERIN, V1), CommentPosted(COMMENT, V1, ERIN, WORDS)]
        world.given(*gap, stream="raced")
        for projector in registry.ALL:
            world.project(projector)  # read while her key is still there
        world.keys.erase(ERIN)
        # and acts of hers and towards her that raced the erasure land after it
        world.given(
            PersonalisationConsentGiven(ERIN),
            UserFollowed(ERIN, BOB),
            UserFollowed(BOB, ERIN),
            VideoLiked(ERIN, V1),
            VideoShared(SHARE, ERIN, V1, "link"),
            UserBlocked(ERIN, CAT),
            UserBlocked(DAN, ERIN),
            VideoLiked(CAT, V1),
            stream="raced",
        )
        for projector in registry.ALL:
            world.project(projector)
        # Then no row but bookkeeping names her
        naming = {
            f"{projector.name}.{name}"
            for projector in registry.ALL
            for name in {t.name for t in projector.tables}
            if name not in BOOKKEEPING
            and any(ERIN in repr(row) for row in world.store.scan(world.table(projector, name)))
        }
        assert naming == set()
        # And her words from that moment are nowhere
        rows = [
            row for p in registry.ALL for t in p.tables for row in world.store.scan(world.table(p, t.name))
        ]
        assert [row for row in rows if WORDS in repr(row)] == []
        # And the others' acts stand
        assert video_details.liked(world.store, CAT, V1)
        assert video_details.has_blocked(world.store, DAN, ERIN) is False
        assert recommendations.consents(world.store, ERIN) is False
    finally:
        world.close()
