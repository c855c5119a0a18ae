"""The For You feed's state: the online ranking model, consent, the videos a page may show, what each
person saw recently, and each video's exploration totals.

Every interaction event teaches the model as it is projected (``recommend.model``), so the next page
reflects it as soon as the runner has applied it: no batch retraining. The model's records are rows
of ``rec_model``; rebuilding this projection replays the history through the same learner.

Consent: a person who has not consented (the default) or withdrew keeps no personal state: their
interactions teach only the videos' anonymous totals (exploration), never their history, tastes or
the co-engagement between videos they watched. What they watched is kept as seen all the same, for
``SEEN_FOR`` only: it trains nothing, and a person who turns personalisation on must not be offered
first the video they watched minutes before. Erasure deletes it and withdraws consent; an act or a
consent of theirs that reached the log after the erasure (a request already past its session check)
is kept nowhere but in the videos' anonymous totals (``rec_erased`` marks the erasure).

Exactly once: totals go through ``Writer.add`` (an ``applied_position`` per row); each model record
carries the position that last changed it and is not changed again by that event on a replay. On
SQLite a batch and its checkpoint commit together, so a replay never happens there. On Cassandra,
a crash in the middle of a batch may leave some of an event's records applied and others not; the
replay then computes the missing ones from records that already include the event, which can weigh
that one event a little more in them. The model is a sum of many small updates, so this is noise,
not corruption; it is the one place Strom accepts it.

Partitions: an interaction is the person's and the video's. The person's partition applies what it
teaches about them (history, tastes, what they saw) and the co-engagement it makes, which many
people feed: that goes into the partition's own shard of the video's records (``rec_sums``), and
readers add the shards up. The video's partition counts its exploration totals. Consent, follows and
served pages are the person's alone. The video's events are every partition's: its partition keeps
its listing row and describes it to the model, and every partition keeps its own copy of what its
viewers' interactions need to know of it (``rec_video_facts``: its creator, length, whether hidden
or deleted), so no partition reads another's rows.
"""

from __future__ import annotations

from datetime import datetime

from domain.accounts.events import (
    ErasureRequested,
    PersonalisationConsentGiven,
    PersonalisationConsentWithdrawn,
)
from domain.engagement.comments import CommentPosted
from domain.engagement.likes import VideoLiked, VideoUnliked
from domain.engagement.shares import VideoShared
from domain.feeds import FeedServed
from domain.reports import ReportFiled
from domain.social import UserFollowed, UserUnfollowed
from domain.videos.events import (
    VideoEdited,
    VideoPublished,
    VideoUploadCompleted,
)
from domain.watching import VideoSkipped, ViewStarted, WatchProgressed
from eventstore.codec import Decoded
from projections import erasure_marks
from projections.listing import LISTING_EVENTS, evolved
from projections.partition import EVERY, Entities, one_copy
from projections.projector import Projector
from projections.rec_state import describe, follow, forget, learn
from projections.writer import Writer
from read_models.recommendations import REC_ERASED, REC_VIDEO_FACTS, SEEN_FOR, TABLES, VERSION, combined_sums
from read_models.tables import Row
from recommend.signals import Interaction, Signal

NAME = "recommendations"
ERASED = REC_ERASED.name
VIDEO_EVENTS = (VideoUploadCompleted, *LISTING_EVENTS)
INTERACTIONS = (
    ViewStarted,
    WatchProgressed,
    VideoSkipped,
    VideoLiked,
    VideoUnliked,
    VideoShared,
    CommentPosted,
)
HANDLES = (
    *VIDEO_EVENTS,
    *INTERACTIONS,
    ReportFiled,
    FeedServed,
    UserFollowed,
    UserUnfollowed,
    PersonalisationConsentGiven,
    PersonalisationConsentWithdrawn,
    ErasureRequested,
)
SEEN_TTL = int(SEEN_FOR.total_seconds())
#: A watch without a known duration counts as this long a video.
DEFAULT_DURATION_MS = 15_000


def project(decoded: Decoded, writer: Writer) -> None:
    match decoded.event:
        case PersonalisationConsentGiven(user_id=user_id) if not erasure_marks.erased(
            writer, ERASED, user_id
        ):
            writer.upsert("rec_users", {"user_id": user_id, "consent": True})
        case PersonalisationConsentWithdrawn(user_id=user_id):
            writer.upsert("rec_users", {"user_id": user_id, "consent": False})
            forget(writer, user_id)
        case ErasureRequested(user_id=user_id):
            erasure_marks.mark(writer, ERASED, user_id)
            writer.upsert("rec_users", {"user_id": user_id, "consent": False})
            forget(writer, user_id)
            for row in writer.rows("rec_seen", {"user_id": user_id}):
                writer.delete("rec_seen", {"user_id": user_id, "video_id": row["video_id"]})
        case FeedServed(viewer_id=viewer, items=items):
            if _consents(writer, viewer):
                for item in items or ():  # none once the viewer is erased
                    _served(writer, viewer, str(item["video_id"]), decoded)
        case UserFollowed(follower_id=follower, followee_id=creator) if _consents(writer, follower):
            follow(writer, follower, creator, following=True)
        case UserUnfollowed(follower_id=follower, followee_id=creator) if _consents(writer, follower):
            follow(writer, follower, creator, following=False)
        case ReportFiled(target_kind="video", reporter_id=reporter, target_id=video_id):
            _interaction(writer, decoded, Interaction(reporter, video_id, Signal.REPORT, _at(decoded)))
        case _ if isinstance(decoded.event, VIDEO_EVENTS):
            _video(decoded, writer)
        case _ if isinstance(decoded.event, INTERACTIONS):
            interaction = _as_interaction(writer, decoded)
            if interaction is not None:
                _interaction(writer, decoded, interaction)


def _as_interaction(writer: Writer, decoded: Decoded) -> Interaction | None:
    at = _at(decoded)
    match decoded.event:
        # A watch signal of an erased viewer names no video (``None``): it matches none of these.
        case ViewStarted(viewer_id=user, video_id=str() as video_id):
            return Interaction(user, video_id, Signal.VIEW, at)
        case WatchProgressed(viewer_id=user, video_id=str() as video_id, completed=True, rewatch=rewatch):
            return Interaction(user, video_id, Signal.REWATCH if rewatch else Signal.COMPLETE, at)
        case WatchProgressed(viewer_id=user, video_id=str() as video_id, watched_ms=int() as watched):
            share = min(1.0, watched / _duration_ms(writer, video_id))
            return Interaction(user, video_id, Signal.WATCH, at, strength=share)
        case VideoSkipped(viewer_id=user, video_id=str() as video_id):
            return Interaction(user, video_id, Signal.SKIP, at)
        case VideoLiked(user_id=user, video_id=video_id):
            return Interaction(user, video_id, Signal.LIKE, at)
        case VideoUnliked(user_id=user, video_id=video_id):
            return Interaction(user, video_id, Signal.UNLIKE, at)
        case VideoShared(user_id=user, video_id=video_id):
            return Interaction(user, video_id, Signal.SHARE, at)
        case CommentPosted(author_id=user, video_id=video_id):
            return Interaction(user, video_id, Signal.COMMENT, at)
    return None


def _interaction(writer: Writer, decoded: Decoded, interaction: Interaction) -> None:
    """Totals for exploration (the video's partition) and the seen list from everyone; the model only
    with consent (the person's partition). Nothing from a video moderation removed (or its owner
    deleted): its learning stops with it."""
    video = _facts(writer, interaction.video_id)
    if video.get("hidden") or video.get("deleted"):
        return
    if writer.owns(interaction.video_id):
        _count(writer, interaction)
    if not writer.owns(interaction.user_id) or erasure_marks.erased(writer, ERASED, interaction.user_id):
        return  # another's part, or an act that raced its giver's erasure
    _watched(writer, interaction.user_id, interaction.video_id, decoded)
    if _consents(writer, interaction.user_id):
        learn(writer, interaction, owner_id=video.get("owner_id"))


def _count(writer: Writer, interaction: Interaction) -> None:
    deltas = {
        Signal.VIEW: {"impressions": 1},
        Signal.COMPLETE: {"completions": 1},
        Signal.LIKE: {"likes": 1},
    }.get(interaction.signal)
    if deltas:
        writer.add("rec_explore", {"video_id": interaction.video_id}, deltas)


def _watched(writer: Writer, user_id: str, video_id: str, decoded: Decoded) -> None:
    """Any interaction with a video (a view, a skip, a like, a report…) means the person saw it."""
    row = {"user_id": user_id, "video_id": video_id, "at": _at(decoded), "watched": True, "served_at": None}
    writer.upsert("rec_seen", row, ttl=SEEN_TTL)


def _served(writer: Writer, user_id: str, video_id: str, decoded: Decoded) -> None:
    """Served on a personalised page, stamped with the page's log position (what keeps a scroll's
    pages apart); a video already watched stays watched."""
    key = {"user_id": user_id, "video_id": video_id}
    held = writer.get("rec_seen", key)
    if held is not None and held["watched"]:
        return
    row = {**key, "at": _at(decoded), "watched": False, "served_at": writer.position}
    writer.upsert("rec_seen", row, ttl=SEEN_TTL)


def _video(decoded: Decoded, writer: Writer) -> None:
    """Every partition keeps its copy of the video's facts; the video's partition its own rows."""
    data = decoded.event.to_data()
    video_id, owner = str(data["video_id"]), str(data["owner_id"])
    event = decoded.event
    length = {"duration_ms": event.duration_ms} if isinstance(event, VideoUploadCompleted) else {}
    key = {"video_id": video_id, "shard": writer.shard}
    facts = evolved(
        decoded, {**(writer.get("rec_video_facts", key) or {}), **key, "owner_id": owner, **length}
    )
    writer.upsert("rec_video_facts", {name: facts.get(name) for name in REC_VIDEO_FACTS.names})
    if not writer.owns(video_id):
        return
    row: Row = {
        **(writer.get("rec_videos", {"video_id": video_id}) or {}),
        "video_id": video_id,
        "owner_id": owner,
    }
    row = evolved(decoded, {**row, **length})
    writer.upsert("rec_videos", row)
    if isinstance(event, VideoPublished | VideoEdited):
        describe(writer, video_id, owner_id=owner, hashtags=row["hashtags"] or [])


def _facts(writer: Writer, video_id: str) -> Row:
    """This partition's copy of what it knows of the video (nothing before its first event)."""
    return writer.get("rec_video_facts", {"video_id": video_id, "shard": writer.shard}) or {}


def _consents(writer: Writer, user_id: str) -> bool:
    row = writer.get("rec_users", {"user_id": user_id})
    return bool(row and row["consent"])


def _duration_ms(writer: Writer, video_id: str) -> int:
    row = _facts(writer, video_id)
    return int(row.get("duration_ms") or DEFAULT_DURATION_MS) or DEFAULT_DURATION_MS


def _at(decoded: Decoded) -> float:
    return datetime.fromisoformat(decoded.record.metadata.occurred_at).timestamp()


def entity(decoded: Decoded) -> Entities:
    """The person (and the video an interaction is with); a video's own events are every
    partition's (each keeps its copy of the video's facts)."""
    event = decoded.event
    match event:
        case _ if isinstance(event, VIDEO_EVENTS):
            return EVERY
        case PersonalisationConsentGiven() | PersonalisationConsentWithdrawn() | ErasureRequested():
            return event.user_id
        case FeedServed():
            return event.viewer_id
        case UserFollowed() | UserUnfollowed():
            return event.follower_id
        case ReportFiled():
            return event.reporter_id  # counts no total: the reporter's part only
    data = event.to_data()
    user = str(data.get("user_id") or data.get("viewer_id") or data["author_id"])
    video = data.get("video_id")
    return (user, str(video)) if video else user  # an erased viewer's signals name no video


PROJECTOR = Projector(
    name=NAME,
    version=VERSION,
    tables=TABLES,
    handles=tuple(cls.event_type for cls in HANDLES),
    project=project,
    entity=entity,
    combine=(("rec_sums", combined_sums), ("rec_video_facts", one_copy), (ERASED, one_copy)),
)
