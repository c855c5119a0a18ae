"""User profiles: the card, the totals, the videos list, and followers / following lists.

Every write is stamped with the event's position (``Writer``), so a replayed event rewrites what it
wrote and never overwrites anything newer:

- Totals go through ``Writer.add`` (one ``applied_position`` per counts row), so a follow that
  bumps both the follower's ``following`` and the followee's ``followers`` counts each once.
- Likes received: a like names the video, not its owner, so ``video_owner`` says whose total
  moves. A like counts only if the owner was known before it (``known_since``, the position of the
  video's first event): a replayed like must not find an owner that a later event recorded.
- The videos list: ``video_owner`` also holds each video's listing state (published, hidden,
  deleted, when published), guarded by its own ``applied_position`` and written *last*, after the
  list row and the ``videos`` total: an event whose state write landed is wholly applied and is
  skipped on replay; one that crashed half-way is recomputed from the state before it.
- Follow lists are clustered by follow time, so an unfollow needs the time the follow began:
  ``follow_edges`` keeps it, and is deleted after the list rows for the same reason. A block
  deletes the follows in both directions; the counts move only with ``UserUnfollowed``, which the
  domain records for each follow a block ends (so a block never counts twice).
- Erasure: the card keeps the user id and ``erased``, nothing else (no handle, name, bio or
  avatar), and the person leaves every follow list, theirs and everyone else's, both ways. The
  counts stay as they are, anonymous totals: they move only with ``UserUnfollowed`` (which a
  later unfollow of the erased account still records, finding no list rows to delete), so no
  follow is ever counted out twice.

Partitioning: one follow event moves two users' totals, and one like moves the owner's total of a
video whose owner only the lookup knows. The ``applied_position`` guards assume each row's events
arrive in log order, which holds only if a single runner sees every event of this projector. So
the entity is one constant: with ``--partition i/n`` exactly one runner (the one the constant
hashes to) applies everything and the others apply nothing. Correct under any partitioning, by
construction; to scale this projector, split its writes into separately keyed projectors instead.
"""

from __future__ import annotations

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
from projections.projector import Projector
from projections.writer import Writer
from read_models.profiles import (
    APPLIED,
    COUNTS,
    FOLLOW_EDGES,
    FOLLOWERS,
    FOLLOWING,
    PROFILE_COUNTS,
    PROFILES,
    USER_VIDEOS,
    VERSION,
    VIDEO_OWNER,
)

NAME = "profiles"
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
            _count(writer, follower, following=-1)
            _count(writer, followee, followers=-1)
        case UserBlocked(blocker_id=blocker, blocked_id=blocked):
            _drop_follow(writer, blocker, blocked)
            _drop_follow(writer, blocked, blocker)
        case VideoLiked(video_id=video_id) | VideoUnliked(video_id=video_id):
            owner = writer.get("video_owner", {"video_id": video_id})
            if owner is not None and owner["owner_id"] and (owner["known_since"] or 0) < writer.position:
                delta = 1 if isinstance(decoded.event, VideoLiked) else -1
                _count(writer, owner["owner_id"], likes_received=delta)
        case _ if isinstance(decoded.event, VIDEO_EVENTS):
            _video(decoded, writer)


# -- the card ----------------------------------------------------------------------------------------


def _profile(decoded: Decoded, writer: Writer) -> None:
    event = decoded.event
    current = writer.get("profiles", {"user_id": _user_of(decoded)}) or {}
    match event:
        case UserRegistered(user_id=user_id, handle=handle, display_name=name):
            row = {
                "user_id": user_id,
                "handle": handle,
                "display_name": name,
                "erased": "display_name" in decoded.erased,
            }
        case ProfileChanged(user_id=user_id, display_name=name, bio=bio, avatar_url=avatar):
            row = {
                "user_id": user_id,
                "handle": current.get("handle"),
                "display_name": name,
                "erased": bool({"display_name", "bio", "avatar_url"} & decoded.erased),
                "bio": bio,
                "avatar_url": avatar,
            }
        case ErasureRequested(user_id=user_id):
            row = {"user_id": user_id, "handle": None, "erased": True}
            _erase_follows(writer, user_id)
        case _:
            return
    writer.upsert("profiles", row)


def _user_of(decoded: Decoded) -> str:
    return str(decoded.event.to_data()["user_id"])


# -- counts ------------------------------------------------------------------------------------------


def _count(writer: Writer, user_id: str, **deltas: int) -> None:
    assert set(deltas) <= set(COUNTS)
    writer.add("profile_counts", {"user_id": user_id}, deltas)


# -- follows -----------------------------------------------------------------------------------------


def _follow(writer: Writer, follower: str, followee: str, at: datetime) -> None:
    """A follow of someone already followed (the domain records none) changes nothing; the same
    follow replayed after a crash writes its rows again, and its counts are guarded."""
    edge = writer.get("follow_edges", {"follower_id": follower, "followee_id": followee})
    if edge is not None and edge["followed_at"] != at:
        return
    writer.upsert("followers", {"user_id": followee, "followed_at": at, "follower_id": follower})
    writer.upsert("following", {"user_id": follower, "followed_at": at, "followee_id": followee})
    _count(writer, follower, following=1)
    _count(writer, followee, followers=1)
    writer.upsert("follow_edges", {"follower_id": follower, "followee_id": followee, "followed_at": at})


def _unfollow(writer: Writer, follower: str, followee: str) -> None:
    _drop_follow(writer, follower, followee)


def _drop_follow(writer: Writer, follower: str, followee: str) -> None:
    """Deletes the follow's list rows, then the edge that finds them (so a crash leaves it findable)."""
    edge_key = {"follower_id": follower, "followee_id": followee}
    edge = writer.get("follow_edges", edge_key)
    if edge is None:
        return
    at = edge["followed_at"]
    writer.delete("followers", {"user_id": followee, "followed_at": at, "follower_id": follower})
    writer.delete("following", {"user_id": follower, "followed_at": at, "followee_id": followee})
    writer.delete("follow_edges", edge_key)


def _erase_follows(writer: Writer, user_id: str) -> None:
    """The erased person leaves every follow list, as a follower and as one followed."""
    for row in writer.rows("following", {"user_id": user_id}):
        _drop_follow(writer, user_id, row["followee_id"])
    for row in writer.rows("followers", {"user_id": user_id}):
        _drop_follow(writer, row["follower_id"], user_id)


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
    if was is not None and (now is None or now["published_at"] != was["published_at"]):
        writer.delete("user_videos", {k: was[k] for k in USER_VIDEOS.key_names})
    if now is not None:
        writer.upsert("user_videos", now)
    if (was is None) != (now is None):
        _count(writer, owner, videos=1 if now is not None else -1)
    after[APPLIED] = writer.position
    writer.upsert("video_owner", after)


def _listed(state: dict[str, Any]) -> dict[str, Any] | None:
    """The video's row in its owner's list, or ``None`` while it is not listed."""
    if not state.get("published") or state.get("hidden") or state.get("deleted"):
        return None
    return {
        "user_id": state["owner_id"],
        "published_at": state["published_at"],
        "video_id": state["video_id"],
        "visibility": state["visibility"],
        "hashtags": state["hashtags"],
    }


def entity(decoded: Decoded) -> str:
    """One constant: a single runner applies every event (see the module docstring)."""
    return NAME


PROJECTOR = Projector(
    name=NAME,
    version=VERSION,
    tables=(PROFILES, PROFILE_COUNTS, USER_VIDEOS, FOLLOWERS, FOLLOWING, VIDEO_OWNER, FOLLOW_EDGES),
    handles=tuple(cls.event_type for cls in HANDLES),
    project=project,
    entity=entity,
    last=("profile_counts", "follow_edges", "video_owner"),
    sample_slices=1,
)
