"""Discovery: search, hashtag pages and the Discover tab, each match judged by the access policy.

The search index (``read_models.search``) holds only what anyone could be shown; what this viewer
may see of it is decided here, at read time, by the one policy: a video through
``AccessPolicy.video`` (its audience, removal, its owner's suspension, blocks either way), a
person left out when either of the two blocked the other or they are suspended now, or erased.

A query of several words reads the index by its longest word (the most selective) and keeps the
matches whose text holds every other word as a word prefix. A page may then hold fewer than
``limit`` items and still have a cursor, as every filtered list here does.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Generic, TypeVar

from domain.actors import Actor
from read_models import fresh_videos, profiles, search, trending, video_details
from read_models.port import ReadStore
from read_models.search import Match
from read_models.tables import Row
from read_models.video_details import VideoCard
from services.access import AccessPolicy
from services.moderation import Moderation

#: Rows of a hashtag read to find one the viewer may see, and hashtags looked at per page at most.
SAMPLE, LOOK_AT = 5, 3
T = TypeVar("T")


@dataclasses.dataclass(frozen=True, slots=True)
class Creator:
    user_id: str
    handle: str
    display_name: str | None
    avatar_url: str | None


@dataclasses.dataclass(frozen=True, slots=True)
class Found(Generic[T]):
    items: list[T]
    next_cursor: str | None


@dataclasses.dataclass(frozen=True, slots=True)
class Tagged:
    video_id: str
    owner_id: str
    published_at: datetime | None
    labels: list[str]


@dataclasses.dataclass(frozen=True, slots=True)
class Trend:
    hashtag: str
    score: float


@dataclasses.dataclass(frozen=True, slots=True)
class Discover:
    hashtags: list[Trend]
    creators: list[Creator]


@dataclasses.dataclass(frozen=True, slots=True)
class Discovery:
    policy: AccessPolicy

    @property
    def store(self) -> ReadStore:
        return self.policy.store

    # -- search ------------------------------------------------------------------------------------

    def creators(self, q: str, viewer: Actor | None, limit: int, cursor: str | None) -> Found[Creator]:
        wanted = search.words(q)
        if not wanted:
            return Found([], None)
        found = search.matches(self.store, search.CREATOR, _longest(wanted), limit, cursor)
        people = self._creators((m.id for m in search.distinct(found.items)), viewer)
        shown = [p for p in people if _holds(wanted, f"{p.handle} {p.display_name or ''}")]
        return Found(shown, found.next_cursor)

    def videos(self, q: str, viewer: Actor | None, limit: int, cursor: str | None) -> Found[VideoCard]:
        wanted = search.words(q)
        if not wanted:
            return Found([], None)
        found = search.matches(self.store, search.VIDEO, _longest(wanted), limit, cursor)
        cards = (self.policy.video(m.id, viewer) for m in search.distinct(found.items))
        shown = [c for c in cards if c is not None and _holds(wanted, c.caption or "")]
        return Found(shown, found.next_cursor)

    def hashtags(self, q: str, viewer: Actor | None, limit: int, cursor: str | None) -> Found[str]:
        """Distinct hashtags starting with ``q``, each shown only if the viewer may see one of its
        first videos; one short range read per hashtag."""
        wanted = search.words(q)
        if not wanted:
            return Found([], None)
        word = wanted[0]
        after = None if cursor is None else search.parse_hashtag_cursor(self.store.cursors, cursor, word)
        tags: list[str] = []
        for _ in range(limit * LOOK_AT):
            step = search.hashtags_from(self.store, word, after, SAMPLE)
            if step is None:
                return Found(tags, None)
            after, rows = step
            if any(self._may_view(m, viewer) for m in rows):
                tags.append(after)
                if len(tags) == limit:
                    break
        return Found(tags, None if after is None else search.hashtag_cursor(self.store.cursors, after))

    # -- hashtag pages -----------------------------------------------------------------------------

    def newest_tagged(self, tag: str, viewer: Actor | None, limit: int, cursor: str | None) -> Found[Tagged]:
        page = search.tagged(self.store, tag, limit, cursor)
        shown = [m for m in page.items if self._may_view(m, viewer)]
        labels = Moderation(self.store).labels(m.id for m in shown)
        return Found([Tagged(m.id, m.owner_id, m.at, labels[m.id]) for m in shown], page.next_cursor)

    def trending_tagged(
        self, tag: str, viewer: Actor | None, limit: int, cursor: str | None
    ) -> Found[Tagged]:
        page = trending.top(self.store, limit, hashtag=tag, cursor=cursor)
        shown = [v for v in page.items if self.policy.may_view_listed(v.owner_id, "public", viewer)]
        labels = Moderation(self.store).labels(v.video_id for v in shown)
        items = [Tagged(v.video_id, v.owner_id, None, labels[v.video_id]) for v in shown]
        return Found(items, page.next_cursor)

    # -- the Discover tab --------------------------------------------------------------------------

    def discover(self, viewer: Actor | None, size: int = 10, now: datetime | None = None) -> Discover:
        """Hashtags and creators by the trending score of their visible videos; while little is
        trending, the newest public videos fill in (each counted as a score of 0)."""
        scored: list[tuple[str, list[str], float]] = [
            (v.owner_id, v.hashtags, v.score) for v in trending.top(self.store, 100, now=now).items
        ]
        if len(scored) < 4 * size:
            fresh = fresh_videos.fresh_videos(self.store, 100, now=now).items
            scored += [(v.owner_id, list(v.hashtags or []), 0.0) for v in fresh]
        visible = [s for s in scored if self.policy.may_view_listed(s[0], "public", viewer)]
        tags: dict[str, float] = defaultdict(float)
        owners: dict[str, float] = defaultdict(float)
        for owner, hashtags, score in visible:
            owners[owner] += score
            for tag in hashtags:
                tags[tag] += score
        top_tags = _top(tags, size)
        creators = self._creators(_top(owners, 2 * size), viewer)[:size]
        return Discover([Trend(t, tags[t]) for t in top_tags], creators)

    # -- shared ------------------------------------------------------------------------------------

    def _creators(self, user_ids: Iterable[str], viewer: Actor | None) -> list[Creator]:
        """The people of ``user_ids`` the viewer may be shown, in order: not erased, not suspended,
        no block between them and the viewer."""
        wanted = list(dict.fromkeys(user_ids))
        hidden = Moderation(self.store).withheld_among(wanted)
        if viewer is not None:
            hidden |= video_details.blocked_among(self.store, viewer.user_id, wanted)
        rows = self.store.get_many(
            profiles.MODEL.table(self.store, profiles.PROFILES), [{"user_id": u} for u in wanted]
        )
        return [_creator(row) for u, row in zip(wanted, rows, strict=True) if row and _shown(row, u, hidden)]

    def _may_view(self, match: Match, viewer: Actor | None) -> bool:
        return self.policy.may_view_listed(match.owner_id, "public", viewer)


def _shown(row: Row, user_id: str, hidden: set[str]) -> bool:
    return not row["erased"] and row["handle"] is not None and user_id not in hidden


def _creator(row: Row) -> Creator:
    return Creator(row["user_id"], row["handle"], row["display_name"], row["avatar_url"])


def _longest(words: list[str]) -> str:
    return max(words, key=len)


def _holds(wanted: list[str], text: str) -> bool:
    """Whether every word wanted starts a word of ``text`` (folded alike)."""
    have = search.words(text)
    return all(any(h.startswith(w) for h in have) for w in wanted)


def _top(scores: dict[str, float], n: int) -> list[str]:
    return sorted(scores, key=lambda k: (-scores[k], k))[:n]
