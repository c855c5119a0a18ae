"""What engagement decisions need to know about a video, without depending on its aggregate."""

from __future__ import annotations

import dataclasses
import enum


class Visibility(enum.StrEnum):
    PUBLIC = "public"
    FOLLOWERS = "followers"
    PRIVATE = "private"


@dataclasses.dataclass(frozen=True, slots=True)
class VideoAccess:
    video_id: str
    owner_id: str
    exists: bool = True
    published: bool = False
    visibility: Visibility = Visibility.PUBLIC
    comments_allowed: bool = True
    hidden: bool = False
    deleted: bool = False

    @property
    def watchable(self) -> bool:
        """Open to engagement at all (per-viewer visibility is checked by the caller)."""
        return self.exists and self.published and not self.hidden and not self.deleted


def visible_to_audience(visibility: Visibility, *, is_owner: bool, follows_owner: bool) -> bool:
    """Who a video's audience setting admits: the owner always, followers for followers-only,
    everyone for public."""
    if is_owner or visibility == Visibility.PUBLIC:
        return True
    return visibility == Visibility.FOLLOWERS and follows_owner


def may_view(
    video: VideoAccess,
    viewer_id: str | None,
    *,
    moderates: bool = False,
    follows_owner: bool = False,
    blocked: bool = False,
    owner_suspended: bool = False,
) -> bool:
    """The one meaning of "may this viewer see this video" (and so its comments, totals and media).

    Deleted: nobody. The owner: anything else of theirs, drafts and what moderation hid included.
    Everyone else: published only; hidden, or of a suspended owner, only to moderators; never
    across a block (either way); then the audience setting. ``viewer_id`` is ``None`` for an
    anonymous viewer.
    """
    if not video.exists or video.deleted:
        return False
    if viewer_id is not None and viewer_id == video.owner_id:
        return True
    if not video.published or ((video.hidden or owner_suspended) and not moderates) or blocked:
        return False
    return visible_to_audience(
        video.visibility, is_owner=False, follows_owner=viewer_id is not None and follows_owner
    )


def open_to_everyone(video: VideoAccess) -> bool:
    """What an anonymous viewer may see, and so what shared caches and public lists may hold."""
    return may_view(video, None)
