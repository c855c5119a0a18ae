"""What every engagement decision needs to know: the video, and how the actor stands with its owner.

Engagement is appended to the actor's streams (DESIGN.md §3, no hot streams); the video's stream and
the two people's graphs are only read. The handlers are split by aggregate: ``likes`` (videos and
comments), ``shares`` and ``comments``.
"""

from __future__ import annotations

import dataclasses

from commands import streams
from commands.aggregates import FOLLOWS, VIDEO
from commands.context import Ports
from commands.handling import load
from commands.standing import withheld
from domain import social, videos
from domain.access import VideoAccess
from domain.actors import Actor


@dataclasses.dataclass(frozen=True, slots=True)
class Audience:
    """The keyword arguments every engagement decider takes about a video."""

    video: VideoAccess
    follows_owner: bool = False
    blocked: bool = False  # the video's owner blocked the actor


def video_access(ports: Ports, video_id: str) -> VideoAccess:
    """The video as engagement sees it; one never created is there for no one."""
    state = load(ports, streams.video(video_id), VIDEO).state if video_id else videos.initial
    return videos.access(state) if state.exists else _nowhere(video_id)


def _nowhere(video_id: str) -> VideoAccess:
    return VideoAccess(video_id=video_id, owner_id="", exists=False)


def audience(ports: Ports, actor: Actor, video_id: str) -> Audience:
    """The video, whether the actor follows its owner (actor's graph) and is blocked (owner's graph).

    Nobody follows or is blocked by themselves, and a missing video has no owner to ask about. While
    its owner is suspended, or erased and their videos not yet deleted by the cascade, the video is
    not there for anyone else to engage with, as every read withholds it (``domain.access.may_view``):
    a like, comment, share or report of it is answered as for a video never made, and nothing
    reaches the owner. Read from the write side (``commands.standing.withheld``: the owner's data
    key, and their standing stream), so a suspension or an erasure takes effect with the next
    command."""
    video = video_access(ports, video_id)
    if not video.exists or video.owner_id == actor.user_id:
        return Audience(video)
    if withheld(ports, video.owner_id):
        return Audience(_nowhere(video_id))
    mine = load(ports, streams.follows(actor.user_id), FOLLOWS).state
    owners = load(ports, streams.follows(video.owner_id), FOLLOWS).state
    return Audience(
        video,
        follows_owner=video.owner_id in mine.following,
        blocked=social.has_blocked(owners, actor.user_id),
    )
