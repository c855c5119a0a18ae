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
