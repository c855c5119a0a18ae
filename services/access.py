"""The read side's one access policy: may this viewer see this video, its comments, its totals, its
media, this profile and its picture (DESIGN.md §12).

Every query route, the media routes and the activity route ask it; none restates the rule. The rule
itself is the domain's (``domain.access.may_view``); this service gathers the facts it needs from the
read models: the video's card, whether either person blocked the other, and whether the viewer
follows the owner. Facts are read only when the rule hinges on them, so a public video costs one key
lookup for an anonymous viewer.

What a viewer may not see reads as absence: the routes answer 404, so nobody learns that a private,
hidden or deleted video exists, nor that its owner blocked them.

A suspended person's content is withheld from everyone but them and moderators, everywhere: their
videos (cards, totals, comments under them, media on both paths, every feed and list), the
comments they wrote under other people's videos (kept in the thread as withheld, text and author
gone), and their profile's own words (display name, bio, avatar, videos). The profile itself still
answers, marked ``suspended``: the handle stays claimed, so hiding the account would hide nothing,
and the people who follow it learn why it went quiet. Lifting the suspension restores it all, since
nothing was removed: it is decided on each read from the ``moderation_standing`` read model.

An erased person's videos are withheld the same way from the moment their erasure is projected
there, without waiting for the erasure cascade to delete them (it takes erasures one at a time, so
one waiting on a slow step would otherwise leave the next person's videos playing).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from domain.access import VideoAccess, Visibility, may_view, open_to_everyone, visible_to_audience
from domain.actors import Actor
from read_models import comment_threads, profiles, video_details
from read_models.port import ReadStore
from read_models.profiles import Profile
from read_models.video_details import VideoCard
from services.moderation import Moderation


@dataclasses.dataclass(frozen=True, slots=True)
class AccessPolicy:
    store: ReadStore

    def video(self, video_id: str, viewer: Actor | None) -> VideoCard | None:
        """The video's card when the viewer may see it, else ``None`` (unknown counts as unseen)."""
        card = video_details.video_card(self.store, video_id)
        return card if card is not None and self.may_view(card, viewer) else None

    def video_of_comment(self, comment_id: str, viewer: Actor | None) -> VideoCard | None:
        """The card of the video a comment hangs under, when the viewer may see that video."""
        video_id = comment_threads.video_of(self.store, comment_id)
        return None if video_id is None else self.video(video_id, viewer)

    def may_view(self, card: VideoCard, viewer: Actor | None) -> bool:
        return self._may_view(access_of(card), viewer)

    def may_view_listed(self, owner_id: str, visibility: str, viewer: Actor | None) -> bool:
        """For rows of lists that hold only listed videos (a profile's grid): the same rule."""
        return self._may_view(
            VideoAccess("", owner_id, published=True, visibility=Visibility(visibility)), viewer
        )

    def audiences(self, owner_id: str, viewer: Actor | None, *, follows: bool | None = None) -> list[str]:
        """Which of the owner's audiences (visibilities) the viewer may see videos of, as ``may_view``
        rules: the owner all, followers also followers-only, everyone else (moderators too) public.
        For lists kept by audience, so that nothing hidden from the viewer is read for them at all.
        ``follows``: whether the viewer follows the owner, when the caller read it already."""
        if viewer is not None and viewer.user_id == owner_id:
            return [v.value for v in Visibility]
        if follows is None:
            follows = viewer is not None and profiles.follows(self.store, viewer.user_id, owner_id)
        return [v.value for v in Visibility if visible_to_audience(v, is_owner=False, follows_owner=follows)]

    def profile(self, user_id: str, viewer: Actor | None) -> Profile | None:
        """The profile unless its holder blocked the viewer (a viewer who blocked them still finds
        it, to unblock). Blocks read as absence here too."""
        card = profiles.profile(self.store, user_id)
        if card is None or viewer is None or viewer.user_id == user_id:
            return card
        return None if video_details.has_blocked(self.store, user_id, viewer.user_id) else card

    def media(self, video_id: str, viewer: Actor | None) -> bool:
        """Whether the viewer may fetch the video's playlists, segments and images."""
        return self.video(video_id, viewer) is not None

    def avatar(self, user_id: str, avatar_url: str, viewer: Actor | None) -> bool:
        """Whether the viewer may fetch the picture ``avatar_url`` names: it is the profile's avatar
        now, and the profile is one the viewer sees (not erased, not blocking them) with its words
        not withheld from them (a suspension). A replaced picture is nobody's any more."""
        card = self.profile(user_id, viewer)
        if card is None or card.erased or card.avatar_url != avatar_url:
            return False
        return not self.withheld(user_id, viewer)

    def public(self, card: VideoCard) -> bool:
        """Anyone, and any shared cache, may have it: the public media path's rule. A suspended
        owner's video is not, though the owner and moderators still play it (through signed links)."""
        return open_to_everyone(access_of(card)) and not Moderation(self.store).withheld(card.owner_id)

    def withheld(self, user_id: str, viewer: Actor | None) -> bool:
        """Whether what ``user_id`` made is withheld from the viewer: they are suspended now, and the
        viewer is neither them nor a moderator."""
        return not sees_suspended(user_id, viewer) and Moderation(self.store).withheld(user_id)

    def withheld_among(self, user_ids: Iterable[str], viewer: Actor | None) -> set[str]:
        """Of these people, those whose words are withheld from the viewer: suspended or erased (but
        from moderators), or with a block either way between them and the viewer."""
        others = {u for u in user_ids if viewer is None or u != viewer.user_id}
        if not others:
            return set()
        blocked = self.blocked_among(others, viewer)
        if viewer is not None and viewer.moderates:
            return blocked
        return blocked | Moderation(self.store).withheld_among(others)

    def blocked_among(self, user_ids: Iterable[str], viewer: Actor | None) -> set[str]:
        """Of these people, those the viewer blocked or who blocked the viewer: blocked people do
        not see each other anywhere, not in comment threads nor in follow lists."""
        if viewer is None:
            return set()
        return video_details.blocked_among(self.store, viewer.user_id, user_ids)

    def _may_view(self, access: VideoAccess, viewer: Actor | None) -> bool:
        """Blocks, follows and the owner's suspension (or erasure) are read only when the answer
        hinges on them."""
        if viewer is not None and viewer.user_id == access.owner_id:
            return may_view(access, viewer.user_id)
        moderates = viewer is not None and viewer.moderates
        suspended = not moderates and Moderation(self.store).withheld(access.owner_id)
        if viewer is None:
            return may_view(access, None, owner_suspended=suspended)
        if not may_view(
            access, viewer.user_id, moderates=moderates, follows_owner=True, owner_suspended=suspended
        ):
            return False
        blocked = video_details.blocked_between(self.store, access.owner_id, viewer.user_id)
        follows = access.visibility == Visibility.FOLLOWERS and profiles.follows(
            self.store, viewer.user_id, access.owner_id
        )
        return may_view(access, viewer.user_id, moderates=moderates, follows_owner=follows, blocked=blocked)


def sees_suspended(user_id: str, viewer: Actor | None) -> bool:
    """Whether the viewer still sees what ``user_id`` made while they are suspended: they themself,
    and moderators."""
    return viewer is not None and (viewer.user_id == user_id or viewer.moderates)


def access_of(card: VideoCard) -> VideoAccess:
    """What the rule needs to know of a video, from its card."""
    return VideoAccess(
        video_id=card.video_id,
        owner_id=card.owner_id,
        published=card.published,
        visibility=Visibility(card.visibility),
        comments_allowed=card.comments_allowed,
        hidden=card.hidden,
        deleted=card.deleted,
    )
