"""User profiles: the card, the totals, the videos list, and followers / following lists.

Every write is stamped with the event's position (``Writer``), so a replayed event rewrites what it
wrote and never overwrites anything newer:

- Totals go through ``Writer.add`` (one ``applied_position`` per counts row, a row per user and
  shard), so a follow bumps the follower's ``following`` and the followee's ``followers`` once each.
- Likes received: a like names the video, not its owner, so ``video_owner`` says whose total
  moves, and under which audience (the video's visibility while listed; ``unlisted`` otherwise):
  the video keeps its own total (``video_owner.likes``) so that a change of audience moves its
  likes between the owner's totals. A like counts only if the owner was known before it
  (``known_since``, the position of the video's first event): a replayed like must not find an
  owner that a later event recorded.
- The videos list: ``video_owner`` also holds each video's listing state (published, hidden,
  deleted, when published), guarded by its own ``applied_position`` and written *last*, after the
  list row and the video totals: an event whose state write landed is wholly applied and is
  skipped on replay; one that crashed half-way is recomputed from the state before it.
- Follow lists are clustered by follow time, so an unfollow needs the time the follow began:
  ``follow_edges`` (the follower's side) and ``followee_edges`` (the followee's) keep it, and each
  is deleted after its list row for the same reason. A block
  deletes the follows in both directions; the counts move only with ``UserUnfollowed``, which the
  domain records for each follow a block ends (so a block never counts twice).
- Erasure: the card keeps the user id and ``erased``, nothing else (no handle, name, bio or
  avatar), and the person leaves every follow list, theirs and everyone else's, both ways. The
  counts stay as they are, anonymous totals: they move only with ``UserUnfollowed`` (which a
  later unfollow of the erased account still records, finding no list rows to delete), so no
  follow is ever counted out twice. A follow that reached the log after either person's erasure
  (a request already past its session check) counts too, for the same reason, but lists nobody:
  each partition marks the erasure (``profiles_erased``).

Partitioning (``projections.partition``): a person's card, follow lists and follow lookups belong to
the person; a video's state, its row in its owner's list and the likes it gets belong to the video.
A follow is applied by both people's partitions, each its side: the follower's ``following`` row and
``follow_edges`` row, the followee's ``followers`` row and ``followee_edges`` row. A block ends both
follows, each side in its owner's partition. An erasure goes to every partition, which removes the
sides it holds of the person's follows: the person's own lists where it owns the person, and the
others' sides, found by the person's id in ``follow_edges`` (their followers) and ``followee_edges``
(whom they followed), keeping the rows of the people it owns. Totals are many-fed (a creator's likes
come from all their videos), so each partition adds to its own shard of a user's totals
(``Writer.shard``), and ``read_models.profiles.profile`` sums them.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import datetime
from typing import Any

from domain.accounts.events import ErasureRequested, ProfileChanged, UserRegistered
from domain.engagement.likes import VideoLiked, VideoUnliked
from domain.social import UserBlocked, UserFollowed, UserUnfollowed
from domain.videos.events import (
    VideoDeleted,
    VideoDraftCreated,
    VideoEdited,
    VideoHidden,
    VideoPublished,
    VideoRestored,
    VideoUnpublished,
)
from eventstore.codec import Decoded
from projections import erasure_marks
from projections.partition import EVERY, Entities, one_copy
from projections.projector import Projector
from projections.writer import Writer
from read_models.profiles import (
    APPLIED,
    COUNTS,
    LIKE_COUNTS,
    PROFILES_ERASED,
    PUBLIC,
    TABLES,
    UNLISTED,
    USER_VIDEOS,
    VERSION,
    VIDEO_COUNTS,
    VIDEO_OWNER,
)

NAME = "profiles"
ERASED = PROFILES_ERASED.name
VIDEO_EVENTS = (
    VideoDraftCreated,
    VideoPublished,
    VideoEdited,
    VideoUnpublished,
    VideoDeleted,
    VideoHidden,
    VideoRestored,
)
HANDLES = (
    UserRegistered,
    ProfileChanged,
    ErasureRequested,
    UserFollowed,
    UserUnfollowed,
    UserBlocked,
    VideoLiked,
    VideoUnliked,
    *VIDEO_EVENTS,
)


def project(decoded: Decoded, writer: Writer) -> None:
    match decoded.event:
        case UserRegistered() | ProfileChanged() | ErasureRequested():
            _profile(decoded, writer)
        case UserFollowed(follower_id=follower, followee_id=followee):
            _follow(writer, follower, followee, decoded.occurred_at)
        case UserUnfollowed(follower_id=follower, followee_id=followee):
            _unfollow(writer, follower, followee)
        case UserBlocked(blocker_id=blocker, blocked_id=blocked):
            _drop_follow(writer, blocker, blocked)
            _drop_follow(writer, blocked, blocker)
        case VideoLiked(video_id=video_id) | VideoUnliked(video_id=video_id):
            _like(writer, video_id, 1 if isinstance(decoded.event, VideoLiked) else -1)
        case _ if isinstance(decoded.event, VIDEO_EVENTS):
            _video(decoded, writer)


# -- the card ----------------------------------------------------------------------------------------


def _profile(decoded: Decoded, writer: Writer) -> None:
    match decoded.event:
        case UserRegistered(user_id=user_id, handle=handle, display_name=name):
            row = {
                "user_id": user_id,
                "handle": handle,
                "display_name": name,
                "erased": "display_name" in decoded.erased,
            }
        case ProfileChanged(user_id=user_id, display_name=name, bio=bio, avatar_url=avatar):
            current = writer.get("profiles", {"user_id": user_id}) or {}
            row = {
                "user_id": user_id,
                "handle": current.get("handle"),
                "display_name": name,
                "erased": bool({"display_name", "bio", "avatar_url"} & decoded.erased),
                "bio": bio,
                "avatar_url": avatar,
            }
        case ErasureRequested(user_id=user_id):
            erasure_marks.mark(writer, ERASED, user_id)
            _erase_follows(writer, user_id)
            if not writer.owns(user_id):
                return
            row = {"user_id": user_id, "handle": None, "erased": True}
        case _:
            return
    writer.upsert("profiles", row)


# -- counts ------------------------------------------------------------------------------------------


def _like(writer: Writer, video_id: str, delta: int) -> None:
    """Counted for the owner under the video's audience now, and on the video itself, so that a
    change of audience moves its likes with it (``_video``)."""
    owner = writer.get("video_owner", {"video_id": video_id})
    if owner is None or not owner["owner_id"] or (owner["known_since"] or 0) >= writer.position:
        return
    _count(writer, owner["owner_id"], **{LIKE_COUNTS[_audience(_listed(owner))]: delta})
    writer.add("video_owner", {"video_id": video_id}, {"likes": delta})


def _audience(listed: dict[str, Any] | None) -> str:
    """Under which audience a video's likes count: its visibility while listed."""
    return UNLISTED if listed is None else str(listed["visibility"])


def _count(writer: Writer, user_id: str, **deltas: int) -> None:
    """Adds to this partition's shard of the user's totals."""
    assert set(deltas) <= set(COUNTS)
    writer.add("profile_counts", {"user_id": user_id, "shard": writer.shard}, deltas)


# -- follows -----------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Side:
    """One person's side of a follow: their list row, their edge lookup, their total."""

    edges: str
    listing: str
    total: str
    is_follower: bool

    def owner(self, follower: str, followee: str) -> str:
        return follower if self.is_follower else followee

    def row(self, follower: str, followee: str, at: datetime) -> dict[str, Any]:
        if self.is_follower:
            return {"user_id": follower, "followed_at": at, "followee_id": followee}
        return {"user_id": followee, "followed_at": at, "follower_id": follower}


FOLLOWER = Side("follow_edges", "following", "following", is_follower=True)
FOLLOWEE = Side("followee_edges", "followers", "followers", is_follower=False)


def _follow(writer: Writer, follower: str, followee: str, at: datetime) -> None:
    for side in (FOLLOWER, FOLLOWEE):
        if writer.owns(side.owner(follower, followee)):
            _add_side(writer, side, follower, followee, at)


def _add_side(writer: Writer, side: Side, follower: str, followee: str, at: datetime) -> None:
    """A follow of someone already followed (the domain records none) changes nothing; the same
    follow replayed after a crash writes its rows again, and its total is guarded. A follow that
    raced either person's erasure counts, as the unfollow that may end it will, but lists nobody."""
    edge_key = {"follower_id": follower, "followee_id": followee}
    edge = writer.get(side.edges, edge_key)
    if edge is not None and edge["followed_at"] != at:
        return
    linked = not any(erasure_marks.erased(writer, ERASED, person) for person in (follower, followee))
    if linked:
        writer.upsert(side.listing, side.row(follower, followee, at))
    _count(writer, side.owner(follower, followee), **{side.total: 1})
    if linked:
        writer.upsert(side.edges, {**edge_key, "followed_at": at})


def _unfollow(writer: Writer, follower: str, followee: str) -> None:
    """Totals move with every unfollow, even one finding no list rows (see the module docstring)."""
    _drop_follow(writer, follower, followee)
    for side in (FOLLOWER, FOLLOWEE):
        if writer.owns(side.owner(follower, followee)):
            _count(writer, side.owner(follower, followee), **{side.total: -1})


def _drop_follow(writer: Writer, follower: str, followee: str) -> None:
    for side in (FOLLOWER, FOLLOWEE):
        if writer.owns(side.owner(follower, followee)):
            _drop_side(writer, side, follower, followee)


def _drop_side(writer: Writer, side: Side, follower: str, followee: str) -> None:
    """Deletes the side's list row, then the edge that finds it (so a crash leaves it findable)."""
    edge_key = {"follower_id": follower, "followee_id": followee}
    edge = writer.get(side.edges, edge_key)
    if edge is None:
        return
    writer.delete(side.listing, side.row(follower, followee, edge["followed_at"]))
    writer.delete(side.edges, edge_key)


def _erase_follows(writer: Writer, user_id: str) -> None:
    """The erased person leaves every follow list, as a follower and as one followed: each partition
    drops the sides it owns (see the module docstring)."""
    if writer.owns(user_id):
        for row in writer.rows("following", {"user_id": user_id}):
            _drop_side(writer, FOLLOWER, user_id, row["followee_id"])
        for row in writer.rows("followers", {"user_id": user_id}):
            _drop_side(writer, FOLLOWEE, row["follower_id"], user_id)
    for row in writer.rows("followee_edges", {"follower_id": user_id}):
        if writer.owns(row["followee_id"]):
            _drop_side(writer, FOLLOWEE, user_id, row["followee_id"])
    for row in writer.rows("follow_edges", {"followee_id": user_id}):
        if writer.owns(row["follower_id"]):
            _drop_side(writer, FOLLOWER, row["follower_id"], user_id)


# -- videos ------------------------------------------------------------------------------------------


def _video(decoded: Decoded, writer: Writer) -> None:
    data = decoded.event.to_data()
    video_id, owner = str(data["video_id"]), str(data["owner_id"])
    before: dict[str, Any] = writer.get("video_owner", {"video_id": video_id}) or {}
    applied = before.get(APPLIED)
    if applied is not None and applied >= writer.position:
        return  # wholly applied already: its state write comes last
    after = {**{name: before.get(name) for name in VIDEO_OWNER.types}, "video_id": video_id}
    after["owner_id"] = owner
    after["known_since"] = before.get("known_since") or writer.position
    match decoded.event:
        case VideoPublished(visibility=visibility, hashtags=tags):
            after.update(
                published=True, published_at=decoded.occurred_at, visibility=visibility, hashtags=tags
            )
        case VideoEdited(visibility=visibility, hashtags=tags):
            after.update(visibility=visibility, hashtags=tags)
        case VideoUnpublished():
            after.update(published=False)
        case VideoDeleted():
            after.update(deleted=True, hashtags=[])  # kept as a marker, without its words
        case VideoHidden():
            after.update(hidden=True)
        case VideoRestored():
            after.update(hidden=False)
    was, now = _listed(before), _listed(after)
    if was is not None and (now is None or _key(now) != _key(was)):
        writer.delete("user_videos", {k: was[k] for k in USER_VIDEOS.key_names})
    if now is not None:
        writer.upsert("user_videos", now)
    moved = Counter({VIDEO_COUNTS[now["visibility"]]: 1} if now else {})
    moved.subtract({VIDEO_COUNTS[was["visibility"]]: 1} if was else {})
    likes = after.get("likes") or 0
    moved.update({LIKE_COUNTS[_audience(now)]: likes})
    moved.subtract({LIKE_COUNTS[_audience(was)]: likes})
    if any(moved.values()):
        _count(writer, owner, **{total: delta for total, delta in moved.items() if delta})
    after[APPLIED] = writer.position
    writer.upsert("video_owner", after)


def _key(listed: dict[str, Any]) -> tuple[Any, ...]:
    """The row's place in its owner's lists: a new audience or publish time moves it."""
    return tuple(listed[k] for k in USER_VIDEOS.key_names)


def _listed(state: dict[str, Any]) -> dict[str, Any] | None:
    """The video's row in its owner's list, or ``None`` while it is not listed."""
    if not state.get("published") or state.get("hidden") or state.get("deleted"):
        return None
    return {
        "user_id": state["owner_id"],
        "published_at": state["published_at"],
        "video_id": state["video_id"],
        "visibility": state["visibility"] or PUBLIC,
        "hashtags": state["hashtags"],
    }


def entity(decoded: Decoded) -> Entities:
    """The person, both people of a follow or block, every partition for an erasure, the video for
    its events and likes (see the module docstring)."""
    match decoded.event:
        case (
            UserFollowed(follower_id=follower, followee_id=followee)
            | UserUnfollowed(follower_id=follower, followee_id=followee)
        ):
            return (follower, followee)
        case UserBlocked(blocker_id=blocker, blocked_id=blocked):
            return (blocker, blocked)
        case ErasureRequested():
            return EVERY
        case UserRegistered(user_id=user_id) | ProfileChanged(user_id=user_id):
            return str(user_id)
    return str(decoded.event.to_data()["video_id"])


PROJECTOR = Projector(
    name=NAME,
    version=VERSION,
    tables=TABLES,
    handles=tuple(cls.event_type for cls in HANDLES),
    project=project,
    entity=entity,
    last=("profile_counts", "follow_edges", "followee_edges", "video_owner"),
    combine=((ERASED, one_copy),),
)
