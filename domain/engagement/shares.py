"""Sharing a video: every share is an event, on the sharer's stream (``shares-<user>``).

Nothing about a share depends on earlier shares, so there is no state: the handler appends with no
concurrency check, and the share id from the command makes a retried request dedupe in the store.
"""

from __future__ import annotations

import dataclasses
import enum

from domain.access import VideoAccess
from domain.actors import Actor
from domain.engagement.visibility import ensure_can_engage, require_id
from domain.errors import InvalidCommand
from domain.events import DomainEvent, event


class ShareChannel(enum.StrEnum):
    COPY_LINK = "copy_link"
    WHATSAPP = "whatsapp"
    INSTAGRAM = "instagram"
    MESSENGER = "messenger"
    SMS = "sms"
    EMAIL = "email"
    OTHER = "other"


@event("VideoShared")
@dataclasses.dataclass(frozen=True, slots=True)
class VideoShared(DomainEvent):
    share_id: str
    user_id: str
    video_id: str
    channel: str  # a ShareChannel


@dataclasses.dataclass(frozen=True, slots=True)
class ShareVideo:
    actor: Actor
    share_id: str
    video_id: str
    channel: ShareChannel


def decide_share_video(
    cmd: ShareVideo, *, video: VideoAccess, follows_owner: bool, blocked: bool
) -> list[VideoShared]:
    """Share what the actor may see; the same rules as a like, but every share counts."""
    require_id(cmd.share_id, "share_id")
    require_id(cmd.video_id, "video_id")
    channel = _channel(cmd.channel)
    ensure_can_engage(video, cmd.actor, cmd.video_id, follows_owner=follows_owner, blocked=blocked)
    return [
        VideoShared(
            share_id=cmd.share_id, user_id=cmd.actor.user_id, video_id=cmd.video_id, channel=channel.value
        )
    ]


def _channel(value: str) -> ShareChannel:
    """The channel as one of the known names: analytics group by it, so free text is refused."""
    try:
        return ShareChannel(value)
    except ValueError:
        names = ", ".join(c.value for c in ShareChannel)
        raise InvalidCommand(f"channel must be one of: {names}") from None
