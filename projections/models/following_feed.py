"""The Following feed: hybrid fan-out on write, with large creators merged in at read time.

The invariant, after every event: a user's ``following_feed`` holds exactly the listed (published,
not hidden, not deleted), public or followers-only videos published within ``HORIZON`` by every
*small* creator they follow; for every *large* creator they follow, ``feed_merged_creators`` names
that creator instead, whose ``feed_creator_videos`` the query merges in. A creator turns large once
they have more than ``threshold`` followers, and small again at half of it (so a creator hovering at
the threshold does not flip back and forth). Crossing either way moves their recent videos for every
follower at once, in the event that crosses: out of the feeds and into the merged list, or back. So a
video is in exactly one place for a follower, never both and never neither.

Follows: a follow copies the creator's recent videos into the follower's feed (or merges the creator
in); an unfollow takes them out. A block ends the follows both ways at once, so the pair sees nothing
of each other even before the domain's ``UserUnfollowed`` for the follow the block ended arrives (it
then finds no follow and does nothing). Erasure: the user's follows and feed go, and so do their
videos, from every feed; their later video events list nothing, and a follow from or of them that
reached the log after the erasure is not applied (each partition marks it, ``feed_erased``).

Exactly once, on both stores. Each event has a guard: ``feed_video_state`` for a video event,
``feed_creators`` (its ``applied_position``) for a follow change, one per creator whose followers
change. Tables land in waves (``last``):

1. ``following_feed`` and ``feed_merged_creators``: the rows queries read.
2. ``feed_creator_videos``: it finds the feed rows an unfollow or a crossing moves, so it changes
   only after them (a crash never leaves a feed row nothing can find).
3. ``feed_video_state``, then ``feed_creators``: the guards. An event whose guard landed is wholly
   applied, and its writes above are skipped on replay; one whose guard did not is recomputed from
   the state before it, rewriting the same rows at the same positions.
4. ``feed_followers``, then ``feed_followees``: the follow graph lands after the guards and every
   replay writes it again unconditionally (an upsert or a delete, idempotent), so "does this follow
   exist" is never ahead of the guard that says whether its count moved.

Within an event, too, the code writes a guard only after the rows it guards, and the follow graph
only after its guard, so the order holds however a batch is cut into flushes. Reading a lookup that
is ahead after a crash may add or miss a write stamped with an older position than a later event's
own write to the same row, which that event makes again when replayed: last write wins, so the rows
converge (the tests cut a run short at each of its writes to check it).
One event never deletes and rewrites the same row: at equal positions the delete would win.

Rows expire by the wall clock, ``HORIZON`` after publication, and nothing past the horizon is
written, so a rebuild fans out only the recent weeks. Costs: a publish of a small creator writes one
row per follower; a crossing rewrites the creator's recent videos for each of about ``threshold``
followers, once per crossing. ``feed_followers`` of a large creator keeps growing, as the profiles'
follower lists do, but is read whole only at a crossing.

Partitioning (``projections.partition``): every row belongs to a creator, and is written only by the
partition owning that creator. A creator's follower list, count, videos and video states are theirs;
so are the rows their videos fill in followers' feeds (keyed by the video), the merged entries naming
them, and the ``feed_followees`` rows saying whom a follower follows (one per creator followed). So a
video event goes to its owner's partition, which fans out to the followers it lists; a follow or an
unfollow to the creator's; a block to both people's, each ending the follow in which it owns the
creator. An erasure goes to every partition: each ends the person's follows of the creators it owns
(found in ``feed_followees`` by the person's id) and deletes the rows of its creators' videos from
the person's feed; the person's own partition also takes their videos out of every feed, then drops
everyone's follows of them (their count stays, an anonymous total).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from datetime import UTC, datetime

from domain.accounts.events import ErasureRequested
from domain.social import UserBlocked, UserFollowed, UserUnfollowed
from eventstore.codec import Decoded
from projections import erasure_marks
from projections.listing import LISTING_EVENTS, evolved
from projections.partition import EVERY, Entities, one_copy
from projections.projector import Projector
from projections.writer import Writer
from read_models.following_feed import (
    APPLIED,
    ERASED,
    SHOWN,
    TABLES,
    VERSION,
    bucket_of,
    buckets_back_from,
    ttl_for,
)
from read_models.listing import is_listed
from read_models.tables import Row

NAME = "following_feed"
#: Creators with more followers than this are merged in at read time instead of fanned out.
THRESHOLD = 1000
VIDEO_EVENTS = LISTING_EVENTS
HANDLES = (UserFollowed, UserUnfollowed, UserBlocked, ErasureRequested, *VIDEO_EVENTS)
LAST = ("feed_creator_videos", "feed_video_state", "feed_creators", "feed_followers", "feed_followees")


def project(decoded: Decoded, writer: Writer, *, threshold: int) -> None:
    match decoded.event:
        case UserFollowed(follower_id=follower, followee_id=creator):
            _follow(writer, follower, creator, threshold)
        case UserUnfollowed(follower_id=follower, followee_id=creator):
            _unfollow(writer, follower, creator, threshold)
        case UserBlocked(blocker_id=blocker, blocked_id=blocked):
            for follower, creator in ((blocker, blocked), (blocked, blocker)):
                if writer.owns(creator):
                    _unfollow(writer, follower, creator, threshold)
        case ErasureRequested(user_id=user_id):
            _erase(writer, user_id, threshold)
        case _ if isinstance(decoded.event, VIDEO_EVENTS):
            _video(decoded, writer)


# -- follows -----------------------------------------------------------------------------------------


def _follow(writer: Writer, follower: str, creator: str, threshold: int) -> None:
    if any(erasure_marks.erased(writer, ERASED.name, person) for person in (follower, creator)):
        return  # a follow that raced either person's erasure: an unfollow of it then finds none
    before = _creator(writer, creator)
    if not _applied(before, writer):
        after = _counted(before, +1, threshold, writer.position)
        if after["large"] and not before["large"]:
            _cross(writer, creator, [*_followers(writer, creator), follower], to_large=True)
        elif after["large"]:
            writer.upsert("feed_merged_creators", {"user_id": follower, "creator_id": creator})
        else:
            _copy_videos(writer, follower, creator)
        writer.upsert("feed_creators", after)
    _link(writer, follower, creator)  # after the guard, even within the event: a read flushes


def _unfollow(writer: Writer, follower: str, creator: str, threshold: int) -> None:
    """Ends the follow if there is one (a block may have ended it already)."""
    if writer.get("feed_followers", {"creator_id": creator, "follower_id": follower}) is None:
        return
    before = _creator(writer, creator)
    if not _applied(before, writer):
        after = _counted(before, -1, threshold, writer.position)
        if before["large"]:
            writer.delete("feed_merged_creators", {"user_id": follower, "creator_id": creator})
        else:
            _drop_videos(writer, follower, creator)
        if before["large"] and not after["large"]:
            staying = [f for f in _followers(writer, creator) if f != follower]
            _cross(writer, creator, staying, to_large=False)
        writer.upsert("feed_creators", after)
    _unlink(writer, follower, creator)


def _counted(before: Row, delta: int, threshold: int, position: int) -> Row:
    """The creator after a follow change; a large creator stays large down to half the threshold."""
    followers = before["followers"] + delta
    large = followers > (threshold // 2 if before["large"] else threshold)
    return {**before, "followers": followers, "large": large, APPLIED: position}


def _cross(writer: Writer, creator: str, followers: list[str], *, to_large: bool) -> None:
    """Moves the creator's recent videos for every follower: out of their feeds, or back in."""
    videos = list(_recent_videos(writer, creator))
    for follower in followers:
        merged = {"user_id": follower, "creator_id": creator}
        if to_large:
            writer.upsert("feed_merged_creators", merged)
        else:
            writer.delete("feed_merged_creators", merged)
        for video in videos:
            _feed_row(writer, follower, video, present=not to_large)


def _copy_videos(writer: Writer, follower: str, creator: str) -> None:
    for video in _recent_videos(writer, creator):
        _feed_row(writer, follower, video, present=True)


def _drop_videos(writer: Writer, follower: str, creator: str) -> None:
    for video in _recent_videos(writer, creator):
        _feed_row(writer, follower, video, present=False)


def _link(writer: Writer, follower: str, creator: str) -> None:
    writer.upsert("feed_followers", {"creator_id": creator, "follower_id": follower})
    writer.upsert("feed_followees", {"user_id": follower, "followee_id": creator})


def _unlink(writer: Writer, follower: str, creator: str) -> None:
    writer.delete("feed_followers", {"creator_id": creator, "follower_id": follower})
    writer.delete("feed_followees", {"user_id": follower, "followee_id": creator})


# -- erasure -----------------------------------------------------------------------------------------


def _erase(writer: Writer, user_id: str, threshold: int) -> None:
    """The user's follows and feed go; so do their videos, from everyone's feed and the merged lists.
    Each partition does it for the creators it owns (see the module docstring)."""
    erasure_marks.mark(writer, ERASED.name, user_id)
    for creator in list(_all(writer, "feed_followees", {"user_id": user_id})):
        if writer.owns(creator["followee_id"]):
            _unfollow(writer, user_id, creator["followee_id"], threshold)
    for bucket in buckets_back_from(_now()):
        partition = {"user_id": user_id, "bucket": bucket}
        for row in list(_all(writer, "following_feed", partition)):
            if writer.owns(row["owner_id"]):
                writer.delete("following_feed", _key_of(row, "user_id", user_id))
    if not writer.owns(user_id):
        return
    before = _creator(writer, user_id)
    if not _applied(before, writer):
        for video in list(_recent_videos(writer, user_id)):
            _unlist(writer, video, large=before["large"])
        writer.upsert("feed_creators", {**before, "erased": True, APPLIED: writer.position})
    # Who followed them goes too (the count stays, an anonymous total): after their videos left
    # those followers' feeds, and again on a replay, since these rows land after the guard.
    for follower in list(_followers(writer, user_id)):
        writer.delete("feed_merged_creators", {"user_id": follower, "creator_id": user_id})
        _unlink(writer, follower, user_id)


# -- videos ------------------------------------------------------------------------------------------


def _video(decoded: Decoded, writer: Writer) -> None:
    data = decoded.event.to_data()
    video_id, owner = str(data["video_id"]), str(data["owner_id"])
    before: Row = writer.get("feed_video_state", {"video_id": video_id}) or {}
    if before.get(APPLIED, -1) >= writer.position:
        return  # wholly applied already: its state write lands after the rows it moved
    after = evolved(decoded, {**before, "video_id": video_id, "owner_id": owner})
    creator = _creator(writer, owner)
    was, now = _entry(before, creator), _entry(after, creator)
    if was is not None and (
        now is None or _key_of(was, "owner_id", owner) != _key_of(now, "owner_id", owner)
    ):
        _unlist(writer, was, large=creator["large"])  # never a key rewritten below: a delete would win
    if now is not None and now != was:
        _list(writer, now, large=creator["large"])
    writer.upsert("feed_video_state", {**after, APPLIED: writer.position})


def _entry(state: Row, creator: Row) -> Row | None:
    """The video as feeds show it, or ``None`` while no feed may show it."""
    if not is_listed(state) or creator["erased"]:
        return None
    if state.get("visibility") not in SHOWN or ttl_for(state["published_at"], _now()) is None:
        return None
    published_at = state["published_at"]
    return {
        "owner_id": state["owner_id"],
        "bucket": bucket_of(published_at),
        "published_at": published_at,
        "video_id": state["video_id"],
        "visibility": state["visibility"],
        "hashtags": state.get("hashtags") or None,
    }


def _list(writer: Writer, video: Row, *, large: bool) -> None:
    ttl = ttl_for(video["published_at"], _now())
    if ttl is None:
        return
    writer.upsert("feed_creator_videos", video, ttl=ttl)
    if not large:
        for follower in _followers(writer, video["owner_id"]):
            _feed_row(writer, follower, video, present=True)


def _unlist(writer: Writer, video: Row, *, large: bool) -> None:
    writer.delete("feed_creator_videos", _key_of(video, "owner_id", video["owner_id"]))
    if not large:
        for follower in _followers(writer, video["owner_id"]):
            _feed_row(writer, follower, video, present=False)


# -- rows and lookups --------------------------------------------------------------------------------


def _feed_row(writer: Writer, follower: str, video: Row, *, present: bool) -> None:
    if not present:
        writer.delete("following_feed", _key_of(video, "user_id", follower))
        return
    ttl = ttl_for(video["published_at"], _now())
    if ttl is not None:
        writer.upsert("following_feed", {**video, "user_id": follower}, ttl=ttl)


def _key_of(video: Row, owner_column: str, owner: str) -> Row:
    return {owner_column: owner, **{k: video[k] for k in ("bucket", "published_at", "video_id")}}


def _creator(writer: Writer, creator: str) -> Row:
    found = writer.get("feed_creators", {"creator_id": creator})
    default = {"creator_id": creator, "followers": 0, "large": False, "erased": False, APPLIED: -1}
    return default | {k: v for k, v in (found or {}).items() if v is not None}


def _applied(creator: Row, writer: Writer) -> bool:
    return bool(creator[APPLIED] >= writer.position)


def _followers(writer: Writer, creator: str) -> list[str]:
    return [row["follower_id"] for row in _all(writer, "feed_followers", {"creator_id": creator})]


def _recent_videos(writer: Writer, creator: str) -> Iterator[Row]:
    """Every live bucket of the creator's, read together (ten or so partitions a follow)."""
    partitions = [{"owner_id": creator, "bucket": bucket} for bucket in buckets_back_from(_now())]
    for rows in writer.rows_of_many("feed_creator_videos", partitions):
        yield from rows


def _all(writer: Writer, table: str, partition: Row) -> Iterator[Row]:
    yield from writer.rows(table, partition)


def _now() -> datetime:
    """Rows expire by the wall clock (Cassandra's TTLs do), so how long they have left is read from it."""
    return datetime.now(UTC)


def entity(decoded: Decoded) -> Entities:
    """The creator: the one followed, the video's owner; both people of a block; every partition for
    an erasure (see the module docstring)."""
    match decoded.event:
        case UserFollowed(followee_id=creator) | UserUnfollowed(followee_id=creator):
            return str(creator)
        case UserBlocked(blocker_id=blocker, blocked_id=blocked):
            return (blocker, blocked)
        case ErasureRequested():
            return EVERY
    return str(decoded.event.to_data()["owner_id"])


def make_projector(threshold: int = THRESHOLD) -> Projector:
    """The projector with its fan-out threshold (tests lower it to cross it with a few follows)."""
    return Projector(
        name=NAME,
        version=VERSION,
        tables=TABLES,
        handles=tuple(cls.event_type for cls in HANDLES),
        project=functools.partial(project, threshold=threshold),
        entity=entity,
        last=LAST,
        combine=((ERASED.name, one_copy),),
    )


PROJECTOR = make_projector()
